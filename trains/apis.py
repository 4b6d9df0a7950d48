from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.permissions import IsAdminRoleOrReadOnly
from irctc.pagination import LimitOffsetPagination
from irctc.schema import error_responses
from trains import selectors, services
from trains.serializers import StationSerializer, StationsParamsSerializer, TrainSerializer


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
        train = services.update_train(train_id=train_id, partial=partial, **serializer.validated_data)
        return Response(TrainSerializer(train).data)


class StationsApi(APIView):
    """Station names for autocomplete: GET /api/stations/?q=del."""

    @extend_schema(parameters=[StationsParamsSerializer], responses=StationSerializer(many=True), tags=["trains"])
    def get(self, request):
        params = StationsParamsSerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        return Response(selectors.stations_matching(params.validated_data["q"]))
