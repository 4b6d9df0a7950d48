from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.permissions import IsAdminRole
from analytics import selectors
from irctc.db_router import read_from_replica
from irctc.schema import error_responses

MAX_DAYS = 3650


class WindowParamsSerializer(serializers.Serializer):
    days = serializers.IntegerField(min_value=1, max_value=MAX_DAYS, required=False)


class TopRoutesParamsSerializer(WindowParamsSerializer):
    limit = serializers.IntegerField(min_value=1, max_value=50, default=5)


class TopRouteSerializer(serializers.Serializer):
    source = serializers.CharField()
    destination = serializers.CharField()
    search_count = serializers.IntegerField()


SearchStatsSerializer = inline_serializer(
    "SearchStats",
    {
        "searches": serializers.IntegerField(),
        "p50_ms": serializers.FloatField(allow_null=True),
        "p95_ms": serializers.FloatField(allow_null=True),
        "p99_ms": serializers.FloatField(allow_null=True),
        "by_day": inline_serializer(
            "SearchesOnDay", {"date": serializers.DateField(), "searches": serializers.IntegerField()}, many=True
        ),
    },
)

BookingFiguresSerializer = inline_serializer(
    "BookingFigures",
    {
        "bookings": serializers.IntegerField(),
        "confirmed": serializers.IntegerField(),
        "rac": serializers.IntegerField(),
        "waitlisted": serializers.IntegerField(),
        "cancelled": serializers.IntegerField(),
        "seats_sold": serializers.IntegerField(),
        "top_trains": inline_serializer(
            "TopTrain",
            {
                "train_number": serializers.CharField(),
                "name": serializers.CharField(),
                "bookings": serializers.IntegerField(),
                "seats_sold": serializers.IntegerField(),
            },
            many=True,
        ),
        "by_class": inline_serializer(
            "BookingsByClass",
            {
                "class": serializers.CharField(),
                "bookings": serializers.IntegerField(),
                "seats_sold": serializers.IntegerField(),
                "revenue": serializers.DecimalField(max_digits=14, decimal_places=0, allow_null=True),
            },
            many=True,
        ),
    },
)


def _params(serializer_class, request) -> dict:
    serializer = serializer_class(data=request.query_params)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


class TopRoutesApi(APIView):
    permission_classes = [IsAdminRole]

    @extend_schema(
        parameters=[TopRoutesParamsSerializer],
        responses={200: TopRouteSerializer(many=True), **error_responses(503)},
        tags=["analytics"],
    )
    def get(self, request):
        return Response(selectors.top_routes(**_params(TopRoutesParamsSerializer, request)))


class SearchStatsApi(APIView):
    permission_classes = [IsAdminRole]

    @extend_schema(
        parameters=[WindowParamsSerializer],
        responses={200: SearchStatsSerializer, **error_responses(503)},
        tags=["analytics"],
    )
    def get(self, request):
        return Response(selectors.search_stats(**_params(WindowParamsSerializer, request)))


class BookingFiguresApi(APIView):
    permission_classes = [IsAdminRole]

    @extend_schema(responses=BookingFiguresSerializer, tags=["analytics"])
    @read_from_replica
    def get(self, request):
        return Response(selectors.booking_figures())
