import functools

import django_filters
from django.http import HttpResponse
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.exceptions import NotFound
from rest_framework.generics import GenericAPIView, ListAPIView
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.authentication import hand_over_cached_user, user_cache_key
from accounts.permissions import IsAdminRole
from bookings import selectors, services
from bookings.idempotency import IDEMPOTENCY_KEY_PARAMETER, idempotent
from bookings.models import Booking
from bookings.serializers import (
    CLASS_CODES,
    MAX_ID,
    BookingCreateSerializer,
    BookingSerializer,
    HoldCreateSerializer,
    HoldSerializer,
    PnrStatusSerializer,
    SeatMapParamsSerializer,
    SeatMapSerializer,
    TrainSearchParamsSerializer,
    TrainSearchResultSerializer,
    plain_search_params,
    search_params,
    search_results_data,
)
from irctc import fast_json
from irctc.db_router import read_from_replica
from irctc.pagination import LimitOffsetPagination
from irctc.schema import error_responses
from trains import search_cache
from trains.models import normalize_station
from trains.selectors import get_active_train


class BookingFilter(django_filters.FilterSet):
    train = django_filters.NumberFilter(field_name="run__train_id", min_value=1, max_value=MAX_ID)
    travel_date = django_filters.DateFilter(field_name="travel_date")
    status = django_filters.ChoiceFilter(choices=Booking.Status.choices)

    class Meta:
        model = Booking
        fields = ["train", "travel_date", "status"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # `class` is a keyword: declared here rather than in the class body.
        self.filters["class"] = django_filters.ChoiceFilter(
            field_name="class_code", choices=[(code, code) for code in CLASS_CODES]
        )


def _booking_response(booking: Booking, status_code: int = status.HTTP_200_OK) -> Response:
    return Response(BookingSerializer(selectors.booking_for_display(booking.pk)).data, status=status_code)


class BookingsApi(GenericAPIView):
    """GET: every booking, for operators. POST: book seats on a run."""

    serializer_class = BookingSerializer
    filterset_class = BookingFilter

    @property
    def throttle_scope(self):
        return "booking" if self.request.method == "POST" else None

    def get_permissions(self):
        if self.request.method == "POST":
            return [IsAuthenticated()]
        return [IsAdminRole()]

    def get_queryset(self):
        return selectors.all_bookings()

    @extend_schema(
        responses=BookingSerializer(many=True),
        # django-filter's NumberFilter takes any number; BookingFilter bounds it as an id.
        parameters=[OpenApiParameter("train", {"type": "number", "minimum": 1, "maximum": MAX_ID})],
        tags=["bookings"],
    )
    @read_from_replica
    def get(self, request):
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        return self.get_paginated_response(BookingSerializer(page, many=True).data)

    @extend_schema(
        request=BookingCreateSerializer,
        responses={201: BookingSerializer, **error_responses(409, 422)},
        parameters=[IDEMPOTENCY_KEY_PARAMETER],
        tags=["bookings"],
    )
    @idempotent
    def post(self, request):
        serializer = BookingCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        booking = services.book_seats(user=request.user, **serializer.validated_data)
        return Response(
            BookingSerializer(selectors.new_booking_for_display(booking)).data, status=status.HTTP_201_CREATED
        )


class MyBookingsApi(ListAPIView):
    serializer_class = BookingSerializer
    filter_backends = []

    def get_queryset(self):
        return selectors.bookings_of(self.request.user)

    @read_from_replica
    def get(self, request, *args, **kwargs):
        return self.list(request, *args, **kwargs)


class BookingDetailApi(APIView):
    @extend_schema(responses=BookingSerializer, tags=["bookings"])
    @read_from_replica
    def get(self, request, booking_id: int):
        booking = selectors.visible_booking(booking_id=booking_id, user=request.user)
        if booking is None:
            raise NotFound("No such booking.")
        return Response(BookingSerializer(booking).data)


class BookingCancelApi(APIView):
    @extend_schema(request=None, responses={200: BookingSerializer, **error_responses(409)}, tags=["bookings"])
    def post(self, request, booking_id: int):
        booking = services.cancel_booking(booking_id=booking_id, by=request.user)
        return _booking_response(booking)


class HoldsApi(APIView):
    throttle_scope = "booking"

    @extend_schema(
        request=HoldCreateSerializer,
        responses={201: HoldSerializer, **error_responses(409, 422)},
        parameters=[IDEMPOTENCY_KEY_PARAMETER],
        tags=["holds"],
    )
    @idempotent
    def post(self, request):
        serializer = HoldCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        hold = services.hold_seats(user=request.user, **serializer.validated_data)
        return Response(HoldSerializer(selectors.hold_for_display(hold.pk)).data, status=status.HTTP_201_CREATED)


class HoldDetailApi(APIView):
    @extend_schema(responses={204: None, **error_responses(409)}, tags=["holds"])
    def delete(self, request, hold_id: int):
        services.release_hold(hold_id=hold_id, by=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class HoldConfirmApi(APIView):
    throttle_scope = "booking"

    @extend_schema(
        request=None,
        responses={201: BookingSerializer, **error_responses(409, 410, 422)},
        parameters=[IDEMPOTENCY_KEY_PARAMETER],
        tags=["holds"],
    )
    @idempotent
    def post(self, request, hold_id: int):
        booking = services.confirm_hold(hold_id=hold_id, by=request.user)
        return _booking_response(booking, status.HTTP_201_CREATED)


class SearchPagination(LimitOffsetPagination):
    """The usual `{count, next, previous, results}` for a search that counts its own matches."""

    def paginate_search(self, request, search) -> list:
        """`search(offset=, limit=)` returns `(count, page)`; the page is returned, the count kept."""
        self.request = request
        self.limit = self.get_limit(request)
        self.offset = self.get_offset(request)
        self.count, page = search(offset=self.offset, limit=self.limit)
        return page

    def page_data(self, results: list) -> dict:
        """What `get_paginated_response(results)` holds, without building a response around it."""
        return {
            "count": self.count,
            "next": self.get_next_link(),
            "previous": self.get_previous_link(),
            "results": results,
        }


class TrainSearchApi(APIView):
    """Kept at exactly /api/trains/search/: the search-timing middleware keys on that path."""

    pagination_class = SearchPagination

    def initial(self, request, *args, **kwargs):
        # Before DRF authenticates, which would read the signed-in user from the cache on its own:
        # a plain query's cached answer, its counters and the user are read in one round trip.
        self.read_early = None
        params = plain_search_params(request.query_params)
        user_key = user_cache_key(request) if params is not None else None
        if user_key is not None:
            answer, stamp, found = _cached_search(request, params, also=[user_key])
            if answer is not None or stamp is not None:  # the cache answered
                hand_over_cached_user(request, user_key, found.get(user_key))
            self.read_early = params, answer, stamp
        super().initial(request, *args, **kwargs)

    @extend_schema(
        parameters=[TrainSearchParamsSerializer],
        responses=TrainSearchResultSerializer(many=True),
        tags=["trains"],
    )
    @read_from_replica
    def get(self, request):
        if self.read_early is not None:
            params, answer, stamp = self.read_early
        else:
            params = search_params(request.query_params)
            answer, stamp, _found = _cached_search(request, params)
        if answer is not None:
            return _rendered_search(*answer)
        search = functools.partial(
            selectors.search_journeys,
            source=params["source"],
            destination=params["destination"],
            travel_date=params.get("date"),
            class_code=params.get("class_code"),
            timetable=search_cache.timetable_generation(stamp),
        )
        paginator = self.pagination_class()
        page = paginator.paginate_search(request, search)
        # Rendered here rather than by DRF so that the cache keeps (and a hit sends) the bytes:
        # pickling the page's dicts for the cache cost as much as rendering them.
        body = fast_json.render(paginator.page_data(search_results_data(page)))
        holds_lapse = [journey["seats_change_at"] for journey in page if journey["seats_change_at"] is not None]
        search_cache.store(stamp, (paginator.count, body), changes_at=min(holds_lapse, default=None))
        return _rendered_search(paginator.count, body)


def _cached_search(request, params: dict, *, also=()):
    """`search_cache.cached_answer` for the search `params` describe."""
    return search_cache.cached_answer(
        request,
        selectors.run_dates_searched(params.get("date")),
        route=(normalize_station(params["source"]), normalize_station(params["destination"])),
        dated=params.get("date") is not None,
        also=also,
    )


def _rendered_search(count: int, body: bytes) -> HttpResponse:
    response = HttpResponse(body, content_type="application/json")
    response.search_result_count = count  # for the search log (analytics.middleware)
    return response


class TrainSeatsApi(APIView):
    @extend_schema(parameters=[SeatMapParamsSerializer], responses=SeatMapSerializer, tags=["trains"])
    @read_from_replica
    def get(self, request, train_id: int):
        train = get_active_train(train_id)
        params = SeatMapParamsSerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        seats = selectors.seat_map(
            train=train,
            travel_date=params.validated_data["date"],
            from_station=params.validated_data.get("from"),
            to_station=params.validated_data.get("to"),
            class_code=params.validated_data.get("class_code"),
        )
        return Response(SeatMapSerializer(seats).data)


class PnrStatusApi(APIView):
    """Anyone holding a PNR may read its status: no token, throttled as anonymous."""

    authentication_classes = []
    permission_classes = []

    @extend_schema(responses=PnrStatusSerializer, tags=["bookings"])
    @read_from_replica
    def get(self, request, pnr: str):
        return Response(PnrStatusSerializer(selectors.pnr_status(pnr)).data)
