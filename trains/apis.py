import functools

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.permissions import IsAdminRoleOrReadOnly
from irctc.pagination import LimitOffsetPagination
from irctc.schema import error_responses
from trains import search_cache, selectors, services
from trains.serializers import (
    SeatMapParamsSerializer,
    SeatMapSerializer,
    TrainSearchParamsSerializer,
    TrainSearchResultSerializer,
    TrainSerializer,
    search_results_data,
)


class TrainListApi(APIView):
    permission_classes = [IsAdminRoleOrReadOnly]
    # Also tells the schema that the list is paginated.
    pagination_class = LimitOffsetPagination

    @extend_schema(responses=TrainSerializer(many=True), tags=["trains"])
    def get(self, request):
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(selectors.active_trains(), request, view=self)
        return paginator.get_paginated_response(TrainSerializer(page, many=True).data)

    @extend_schema(request=TrainSerializer, responses={201: TrainSerializer, **error_responses(409)}, tags=["trains"])
    def post(self, request):
        serializer = TrainSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        train = services.create_train(**serializer.validated_data)
        return Response(TrainSerializer(train).data, status=status.HTTP_201_CREATED)


class TrainDetailApi(APIView):
    permission_classes = [IsAdminRoleOrReadOnly]

    @extend_schema(responses=TrainSerializer, tags=["trains"])
    def get(self, request, train_id: int):
        return Response(TrainSerializer(selectors.get_active_train(train_id)).data)

    @extend_schema(request=TrainSerializer, responses={200: TrainSerializer, **error_responses(409)}, tags=["trains"])
    def put(self, request, train_id: int):
        return self._update(request, train_id, partial=False)

    @extend_schema(request=TrainSerializer, responses={200: TrainSerializer, **error_responses(409)}, tags=["trains"])
    def patch(self, request, train_id: int):
        return self._update(request, train_id, partial=True)

    @extend_schema(responses={204: None, **error_responses(409)}, tags=["trains"])
    def delete(self, request, train_id: int):
        services.retire_train(train_id=train_id)
        return Response(status=status.HTTP_204_NO_CONTENT)

    def _update(self, request, train_id: int, *, partial: bool) -> Response:
        # Look the train up first so an unknown id is a 404 even when the body is also bad.
        selectors.get_active_train(train_id)
        serializer = TrainSerializer(data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        train = services.update_train(train_id=train_id, **serializer.validated_data)
        return Response(TrainSerializer(train).data)


class SearchPagination(LimitOffsetPagination):
    """The usual `{count, next, previous, results}` for a search that counts its own matches."""

    def paginate_search(self, request, search) -> list:
        """`search(offset=, limit=)` returns `(count, page)`; the page is returned, the count kept."""
        self.request = request
        self.limit = self.get_limit(request)
        self.offset = self.get_offset(request)
        self.count, page = search(offset=self.offset, limit=self.limit)
        return page


class TrainSearchApi(APIView):
    """Kept at exactly /api/trains/search/: the search-timing middleware keys on that path."""

    pagination_class = SearchPagination

    @extend_schema(
        parameters=[TrainSearchParamsSerializer],
        responses=TrainSearchResultSerializer(many=True),
        tags=["trains"],
    )
    def get(self, request):
        params = TrainSearchParamsSerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        answer, stamp = search_cache.cached_answer(request, params.validated_data.get("date"))
        if answer is not None:
            return Response(answer)
        search = functools.partial(
            selectors.search_page,
            source=params.validated_data["source"],
            destination=params.validated_data["destination"],
            travel_date=params.validated_data.get("date"),
        )
        paginator = self.pagination_class()
        page = paginator.paginate_search(request, search)
        response = paginator.get_paginated_response(search_results_data(page))
        search_cache.store(stamp, response.data)
        return response


class TrainSeatsApi(APIView):
    @extend_schema(parameters=[SeatMapParamsSerializer], responses=SeatMapSerializer, tags=["trains"])
    def get(self, request, train_id: int):
        train = selectors.get_active_train(train_id)
        params = SeatMapParamsSerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        seats = selectors.seat_map_for(train=train, travel_date=params.validated_data["date"])
        return Response(SeatMapSerializer(seats).data)
