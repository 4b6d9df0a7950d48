"""The operator's chart of a run, the refund quote and partial cancellation: parse, call, render."""

from datetime import date

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.permissions import IsAdminRole
from bookings import cancellation, chart_selectors, charting, selectors
from bookings.serializers import MAX_ID, BookingSerializer
from irctc.exceptions import NotFound
from irctc.schema import error_responses

MAX_PASSENGER_NUMBER = 6


class PassengerNumbersField(serializers.ListField):
    """Passenger numbers of a booking (1-based), at least one; a number given twice counts once."""

    def __init__(self, **kwargs):
        super().__init__(
            child=serializers.IntegerField(min_value=1, max_value=MAX_PASSENGER_NUMBER),
            min_length=1,
            max_length=MAX_PASSENGER_NUMBER,
            **kwargs,
        )


class CancelSerializer(serializers.Serializer):
    passengers = PassengerNumbersField(required=False)


class RefundQuoteParamsSerializer(serializers.Serializer):
    passengers = serializers.CharField(required=False, max_length=40)

    def validate_passengers(self, value: str) -> list[int]:
        try:
            numbers = sorted({int(part) for part in value.split(",")})
        except ValueError:
            raise serializers.ValidationError(
                "Passenger numbers separated by commas, such as 1,3.", code="invalid"
            ) from None
        return PassengerNumbersField().run_validation(numbers)


class RefundSerializer(serializers.Serializer):
    amount = serializers.DecimalField(max_digits=10, decimal_places=2)
    charge = serializers.DecimalField(max_digits=10, decimal_places=2)
    passengers = serializers.ListField(child=serializers.IntegerField())


class CancellationSerializer(BookingSerializer):
    """The schema of a cancellation's answer: the booking and this cancellation's refund."""

    refund = RefundSerializer()

    class Meta(BookingSerializer.Meta):
        fields = [*BookingSerializer.Meta.fields, "refund"]
        read_only_fields = fields


class VacantBerthSerializer(serializers.Serializer):
    class_ = serializers.CharField(source="class")
    coach = serializers.CharField(allow_null=True)
    berth = serializers.IntegerField()
    berth_type = serializers.CharField(allow_null=True)
    from_station = serializers.CharField()
    to_station = serializers.CharField()


class ChartPassengerSerializer(VacantBerthSerializer):
    pnr = serializers.CharField()
    name = serializers.CharField(allow_null=True)
    age = serializers.IntegerField(allow_null=True)
    gender = serializers.CharField(allow_null=True)
    status = serializers.CharField()


class ChartSerializer(serializers.Serializer):
    train = serializers.DictField()
    run_date = serializers.DateField()
    charted_at = serializers.DateTimeField()
    passengers = ChartPassengerSerializer(many=True)
    vacant = VacantBerthSerializer(many=True)

    def to_representation(self, instance):
        data = super().to_representation(instance)
        # `class` is a keyword in Python: the fields are declared as `class_`.
        for row in (*data["passengers"], *data["vacant"]):
            row["class"] = row.pop("class_")
        return data


class RunDateSerializer(serializers.Serializer):
    run_date = serializers.DateField()


def _run(train_id: int, run_date: str) -> tuple[int, date]:
    """The path's train and run date: 404 for an id no train can have (checked before any query:
    the database driver can't hold it), 400 naming `run_date` when it is not a date."""
    if not 1 <= train_id <= MAX_ID:
        raise NotFound(f"No train with id {train_id}.")
    params = RunDateSerializer(data={"run_date": run_date})
    params.is_valid(raise_exception=True)
    return train_id, params.validated_data["run_date"]


RUN_DATE_PARAMETER = OpenApiParameter("run_date", OpenApiTypes.DATE, location="path", description="the run's date")


class RunChartApi(APIView):
    permission_classes = [IsAdminRole]

    @extend_schema(
        parameters=[RUN_DATE_PARAMETER],
        responses={200: ChartSerializer, **error_responses(400, 404)},
        tags=["charting"],
    )
    def get(self, request, train_id: int, run_date: str):
        train_id, run_date = _run(train_id, run_date)
        chart = chart_selectors.reservation_chart(train_id=train_id, run_date=run_date)
        return Response(ChartSerializer(chart).data)

    @extend_schema(
        request=None,
        parameters=[RUN_DATE_PARAMETER],
        responses={200: ChartSerializer, **error_responses(400, 404, 409)},
        tags=["charting"],
    )
    def post(self, request, train_id: int, run_date: str):
        train_id, run_date = _run(train_id, run_date)
        charting.prepare_chart(train_id=train_id, run_date=run_date)
        chart = chart_selectors.reservation_chart(train_id=train_id, run_date=run_date)
        return Response(ChartSerializer(chart).data)


class BookingCancelApi(APIView):
    @extend_schema(
        request=CancelSerializer,
        responses={200: CancellationSerializer, **error_responses(400, 409)},
        tags=["bookings"],
    )
    def post(self, request, booking_id: int):
        body = CancelSerializer(data=request.data or {})
        body.is_valid(raise_exception=True)
        booking, refund = cancellation.cancel_passengers(
            booking_id=booking_id, by=request.user, passengers=body.validated_data.get("passengers")
        )
        data = BookingSerializer(selectors.booking_for_display(booking.pk)).data
        return Response({**data, "refund": RefundSerializer(refund).data}, status=status.HTTP_200_OK)


class RefundQuoteApi(APIView):
    @extend_schema(
        parameters=[
            OpenApiParameter(
                "passengers", str, pattern=r"^[1-6](,[1-6])*$", description="passenger numbers, e.g. 1,3 (default: all)"
            )
        ],
        responses={200: RefundSerializer, **error_responses(400, 404, 409)},
        tags=["bookings"],
    )
    def get(self, request, booking_id: int):
        params = RefundQuoteParamsSerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        refund = cancellation.refund_quote(
            booking_id=booking_id, by=request.user, passengers=params.validated_data.get("passengers")
        )
        return Response(RefundSerializer(refund).data)
