from rest_framework import serializers

from bookings.models import Booking, Hold
from bookings.services import MAX_SEATS_PER_BOOKING
from trains.models import Train
from trains.serializers import TrainSerializer

# Large enough for any real id, small enough that no database overflows on the lookup.
MAX_ID = 2**63 - 1


class TrainField(serializers.IntegerField):
    """A train given by id; an id that names no train fails validation under the field's name."""

    default_error_messages = {"does_not_exist": "No train with id {value}."}

    def to_internal_value(self, data):
        train_id = super().to_internal_value(data)
        # Checked before the lookup: an id no column can hold would crash the database driver.
        train = Train.objects.filter(pk=train_id).first() if 1 <= train_id <= MAX_ID else None
        if train is None:
            self.fail("does_not_exist", value=train_id)
        return train


class JourneySerializer(serializers.Serializer):
    train = TrainField()
    travel_date = serializers.DateField()


class BookingCreateSerializer(JourneySerializer):
    seats = serializers.IntegerField(min_value=1, max_value=MAX_SEATS_PER_BOOKING)
    allow_waitlist = serializers.BooleanField(default=False)


class HoldCreateSerializer(JourneySerializer):
    seat_numbers = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=MAX_ID),
        min_length=1,
        max_length=MAX_SEATS_PER_BOOKING,
        required=False,
    )
    seats = serializers.IntegerField(min_value=1, max_value=MAX_SEATS_PER_BOOKING, required=False)

    def validate(self, attrs):
        if ("seat_numbers" in attrs) == ("seats" in attrs):
            raise serializers.ValidationError(
                {"seat_numbers": ["Give either seat_numbers (specific seats) or seats (a count), not both."]}
            )
        seat_numbers = attrs.get("seat_numbers")
        if seat_numbers is not None and len(set(seat_numbers)) != len(seat_numbers):
            raise serializers.ValidationError({"seat_numbers": ["A seat is listed twice."]})
        return attrs


class BookingSerializer(serializers.ModelSerializer):
    seat_numbers = serializers.SerializerMethodField()
    waitlist_position = serializers.SerializerMethodField()
    travel_date = serializers.DateField(source="run.travel_date")
    train = TrainSerializer(source="run.train", read_only=True)

    class Meta:
        model = Booking
        fields = [
            "id",
            "pnr",
            "status",
            "seats",
            "seat_numbers",
            "waitlist_position",
            "travel_date",
            "train",
            "created_at",
            "cancelled_at",
        ]
        read_only_fields = fields

    def get_seat_numbers(self, booking: Booking) -> list[int]:
        return sorted(allocation.seat_number for allocation in booking.seat_allocations)

    def get_waitlist_position(self, booking: Booking) -> int | None:
        return getattr(booking, "waitlist_position", None)


class HoldSerializer(serializers.ModelSerializer):
    travel_date = serializers.DateField(source="run.travel_date")
    train = TrainSerializer(source="run.train", read_only=True)
    seat_numbers = serializers.ListField(child=serializers.IntegerField())

    class Meta:
        model = Hold
        fields = ["id", "train", "travel_date", "seat_numbers", "expires_at"]
        read_only_fields = fields
