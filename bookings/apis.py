import re
from contextlib import AbstractContextManager, nullcontext
from operator import itemgetter
from typing import NamedTuple

import django_filters
from django.core.cache import cache
from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.generics import GenericAPIView, ListAPIView
from rest_framework.permissions import IsAuthenticated
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.authentication import read_user_with, token_user_id
from accounts.permissions import IsAdminRole
from bookings import selectors, services, ticket_selectors, tickets
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
)
from irctc import fast_json
from irctc.cache import is_redis, read_ahead
from irctc.db_router import read_from_replica
from irctc.pagination import LimitOffsetPagination
from irctc.parsers import plain_json, plain_json_body
from irctc.schema import error_responses
from trains.pools import GENERAL_QUOTA
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

    def initial(self, request, *args, **kwargs):
        # Before DRF authenticates, which reads the signed-in user from Redis on its own: where the
        # booking will read Redis before the run lock too (to refuse early), the user, its
        # throttle windows and those keys are read in one round trip. A local cache reads in this
        # process: a read saved there costs less than reading the booking early.
        self.early = _early_booking(request) if request.method == "POST" and is_redis(cache) else None
        super().initial(request, *args, **kwargs)

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
        if self.early is not None:
            asked, read = self.early
        else:
            serializer = BookingCreateSerializer(data=plain_json(request))
            serializer.is_valid(raise_exception=True)
            asked, read = serializer.validated_data, nullcontext()
        with read:
            booking = services.book_seats(user=request.user, **asked)
        return Response(
            BookingSerializer(selectors.new_booking_for_display(booking)).data, status=status.HTTP_201_CREATED
        )


class _EarlyBooking(NamedTuple):
    asked: dict  # the booking's validated data
    read_ahead: AbstractContextManager  # within it, the booking takes what was read with the user


def _early_booking(request) -> _EarlyBooking | None:
    """The booking a request with a valid token asks for, validated, and the cache keys it will
    read before the run lock, read with its user; None when the token or the body is not valid, or
    anything else is off. The body is read here only to name those keys: what is wrong with it, or
    with the token, is said after authentication, as for any request."""
    try:
        user_id = token_user_id(request)
        body = plain_json_body(request) if user_id is not None else None
        if body is None:
            return None
        serializer = BookingCreateSerializer(data=body)
        if not serializer.is_valid():
            return None
        keys = services.cache_keys_read_before_lock(serializer.validated_data)
        read = _read_ahead_with_user(request, user_id, keys) if keys else nullcontext()
    except Exception:  # noqa: BLE001 - the request goes on as if nothing was read early
        return None
    return _EarlyBooking(serializer.validated_data, read)


def _read_ahead_with_user(request, user_id, keys: list[str]) -> AbstractContextManager:
    """Reads `keys` with the signed-in user `user_id` and its throttle windows, in one round trip
    (`read_user_with`); within the context it gives, what was read of `keys` is taken rather than
    read again (nothing, when the cache is down)."""
    found = read_user_with(request, user_id, keys)
    return nullcontext() if found is None else read_ahead(found, keys)


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


class BookingTicketPdfApi(APIView):
    """The e-ticket as a PDF, for the booking's owner or an ADMIN."""

    def perform_content_negotiation(self, request, force=False):
        # The answer is a PDF whatever the client accepts (no 406 for `Accept: application/pdf`);
        # an error is the API's JSON, as everywhere.
        return JSONRenderer(), JSONRenderer.media_type

    @extend_schema(
        operation_id="bookings_ticket_pdf",
        responses={
            (200, "application/pdf"): OpenApiResponse(
                response=OpenApiTypes.BINARY,
                description="The e-ticket, one A4 page: journey, each passenger's coach, berth and status, "
                "fare, and the PNR as a QR code.",
            )
        },
        tags=["bookings"],
    )
    @read_from_replica
    def get(self, request, booking_id: int):
        ticket = ticket_selectors.e_ticket(booking_id=booking_id, user=request.user)
        if ticket is None:
            raise NotFound("No such booking.")
        return tickets.ticket_response(ticket)


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


# A query string of `name=value` pairs made only of letters, digits, "_.~-" and "+" (a space): the
# text DRF's link helpers (`replace_query_param`) would decode it to and encode back is the same.
_PLAIN_QUERY = re.compile(r"[\w.~+-]*=[\w.~+-]*(?:&[\w.~+-]*=[\w.~+-]*)*", re.ASCII)


class SearchPagination(LimitOffsetPagination):
    """The usual `{count, next, previous, results}`, around a search's results as the selector gives
    them: rendered already, and spliced in rather than parsed and rendered again."""

    def page_asked(self, request) -> tuple[int, int]:
        """`(offset, limit)` as the query gives them, or the ValidationError of a malformed one."""
        return self.get_offset(request), self.get_limit(request)

    def page_body(self, request, *, offset: int, limit: int, count: int, results: bytes) -> bytes:
        """What `get_paginated_response(results)` renders, without building a response around it."""
        self.request, self.offset, self.limit, self.count = request, offset, limit, count
        links = self._links() if offset > 0 or offset + limit < count else (None, None)
        return b'{"count":%d,"next":%b,"previous":%b,"results":%b}' % (count, *map(_json_text, links), results)

    def _links(self) -> tuple[str | None, str | None]:
        """`(self.get_next_link(), self.get_previous_link())`, with a plain query read once for both
        rather than parsed and encoded again for each parameter each link sets, as DRF's helpers
        do: the links are built anew for every request, cached answers included."""
        url = self.request.build_absolute_uri()
        base, _, query = url.partition("?")
        if not _PLAIN_QUERY.fullmatch(query):
            return self.get_next_link(), self.get_previous_link()
        # (name, pair): sorted by name as DRF sorts them, each name's values kept in their order.
        # DRF compares names decoded ("+" a space), in the same order: both sort before the rest.
        paged = (self.limit_query_param, self.offset_query_param)
        named = [(pair.partition("=")[0], pair) for pair in query.split("&")]
        kept = [item for item in named if item[0] not in paged]
        kept.append((self.limit_query_param, f"{self.limit_query_param}={self.limit}"))

        def link(offset: int | None) -> str:
            pairs = (
                kept if offset is None else [*kept, (self.offset_query_param, f"{self.offset_query_param}={offset}")]
            )
            return base + "?" + "&".join(map(_pair, sorted(pairs, key=_name)))

        next_link = link(self.offset + self.limit) if self.offset + self.limit < self.count else None
        if self.offset <= 0:
            return next_link, None
        return next_link, link(self.offset - self.limit if self.offset > self.limit else None)


_name, _pair = itemgetter(0), itemgetter(1)


def _json_text(link: str | None) -> bytes:
    return b"null" if link is None else fast_json.render(link)


class TrainSearchApi(APIView):
    """Kept at exactly /api/trains/search/: the search-timing middleware keys on that path."""

    pagination_class = SearchPagination

    def initial(self, request, *args, **kwargs):
        # Before DRF authenticates, which would read the signed-in user from the cache on its own:
        # a plain query's cached answer and its counters and the user are read in one round trip,
        # and on Redis the user's throttle window is counted in it too.
        self.query, self.cache_keys, self.read_ahead = _plain_search_query(request), None, nullcontext()
        user_id = token_user_id(request) if self.query is not None else None
        if user_id is not None:
            self.cache_keys = selectors.search_cache_keys(self.query)
            self.read_ahead = _read_ahead_with_user(request, user_id, self.cache_keys)
        super().initial(request, *args, **kwargs)

    @extend_schema(
        parameters=[TrainSearchParamsSerializer],
        responses=TrainSearchResultSerializer(many=True),
        tags=["trains"],
        description=(
            "Journeys between two stations, each named by its name or its code (NDLS). Needs a signed-in "
            "user: here, sign in with `POST /api/auth/login/` and paste its `access` under Authorize first."
        ),
    )
    @read_from_replica
    def get(self, request):
        query = self.query if self.query is not None else _search_query(request)
        with self.read_ahead:
            count, results = selectors.search_trains(query, keys=self.cache_keys)
        body = self.pagination_class().page_body(
            request, offset=query.offset, limit=query.limit, count=count, results=results
        )
        response = HttpResponse(body, content_type="application/json")
        response.search_result_count = count  # for the search log (analytics.middleware)
        return response


def _search_query(request) -> selectors.SearchQuery:
    """The search the query asks for, or the ValidationError of what is wrong with it."""
    params = search_params(request.query_params)
    offset, limit = SearchPagination().page_asked(request)
    return _query_of(params, offset, limit)


def _plain_search_query(request) -> selectors.SearchQuery | None:
    """`_search_query` for a query read without the serializer (`plain_search_params`), else None;
    raises nothing (before authentication, what is wrong with a query is not said yet)."""
    params = plain_search_params(request.query_params)
    if params is None:
        return None
    try:
        offset, limit = SearchPagination().page_asked(request)
    except ValidationError:
        return None
    return _query_of(params, offset, limit)


def _query_of(params: dict, offset: int, limit: int) -> selectors.SearchQuery:
    return selectors.SearchQuery(
        source=params["source"],
        destination=params["destination"],
        limit=limit,
        travel_date=params.get("date"),
        class_code=params.get("class_code"),
        offset=offset,
        quota=params.get("quota", GENERAL_QUOTA),
    )


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
            quota=params.validated_data["quota"],
        )
        return Response(SeatMapSerializer(seats).data)


class PnrStatusApi(APIView):
    """Anyone holding a PNR may read its status: no token, throttled as anonymous."""

    authentication_classes = []
    permission_classes = []

    @extend_schema(responses=PnrStatusSerializer, tags=["bookings"])
    @read_from_replica
    def get(self, request, pnr: str):
        return Response(PnrStatusSerializer(ticket_selectors.pnr_status(pnr)).data)
