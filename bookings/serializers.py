"""Bookings, holds, search results, seat maps and PNR status as docs/api.md describes them, and their inputs.

`class` and `from` are Python keywords, so fields with those names are added in `get_fields`;
the services receive them as `class_code` and `from_station`.
"""

from datetime import date, timedelta

from django.conf import settings
from django.utils import timezone
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from bookings.models import MAX_SEATS_PER_BOOKING, Booking, Hold, Passenger
from bookings.selectors import current_train, journey_times, passenger_status_data, train_for_booking
from irctc.schema import request_rules
from trains.fares import breakdown_data
from trains.layouts import BERTH_TYPE_NAMES, LAYOUTS, berth_of
from trains.models import normalize_station
from trains.pools import ALL_QUOTAS, GENERAL_QUOTA
from trains.serializers import (
    ISO_DATE_RE,
    STATION_MAX_LENGTH,
    StationOrCodeField,
    TrainSerializer,
    TravelDateField,
    train_data,
)
from trains.stations import station_name

# Large enough for any real id, small enough that no database overflows on the lookup.
MAX_ID = 2**63 - 1
CLASS_CODES = list(LAYOUTS)
_datetime = serializers.DateTimeField()
_date = serializers.DateField()
_fare = serializers.DecimalField(max_digits=10, decimal_places=0)
_money = serializers.DecimalField(max_digits=10, decimal_places=2)


@extend_schema_field({"type": "integer", "format": "int64", "minimum": 1, "maximum": MAX_ID})
class TrainField(serializers.IntegerField):
    """A train given by id; an id that names no train fails validation under the field's name."""

    default_error_messages = {"does_not_exist": "No train with id {value}."}

    def to_internal_value(self, data):
        train_id = super().to_internal_value(data)
        # Checked before the lookup: an id no column can hold would crash the database driver.
        if not 1 <= train_id <= MAX_ID:
            self.fail("does_not_exist", value=train_id)
        # A serializer whose service checks the train under the run lock may take one an earlier
        # request read (`selectors.train_for_booking`).
        read = train_for_booking if getattr(self.parent, "kept_train", False) else current_train
        train = read(train_id)
        if train is None:
            self.fail("does_not_exist", value=train_id)
        return train


def _class_field(**kwargs) -> serializers.ChoiceField:
    return serializers.ChoiceField(choices=CLASS_CODES, source="class_code", **kwargs)


class WithClassField:
    """Adds the `class` field (`class_code` in the data) that a class body can't declare.

    It goes where docs/api.md lists it: after the field `class_field_after` names (first if None).
    """

    class_field_kwargs: dict = {"required": False}
    class_field_after: str | None = None

    def get_fields(self):
        fields = super().get_fields()
        placed = {} if self.class_field_after else {"class": _class_field(**self.class_field_kwargs)}
        for name, field in fields.items():
            placed[name] = field
            if name == self.class_field_after:
                placed["class"] = _class_field(**self.class_field_kwargs)
        placed.setdefault("class", _class_field(**self.class_field_kwargs))
        return placed


PASSENGER_NAME_MAX_LENGTH = 50
PASSENGER_AGES = range(1, 126)
GENDERS = frozenset(Passenger.Gender.values)


class PassengerInputSerializer(serializers.Serializer):
    name = serializers.CharField(min_length=1, max_length=PASSENGER_NAME_MAX_LENGTH, trim_whitespace=True)
    age = serializers.IntegerField(min_value=PASSENGER_AGES.start, max_value=PASSENGER_AGES.stop - 1)
    gender = serializers.ChoiceField(choices=Passenger.Gender.values)
    berth_preference = serializers.ChoiceField(
        choices=list(BERTH_TYPE_NAMES), allow_null=True, required=False, default=None
    )


class JourneySerializer(WithClassField, serializers.Serializer):
    train = TrainField()
    travel_date = serializers.DateField(input_formats=["%Y-%m-%d"])
    from_station = StationOrCodeField(required=False)
    to_station = StationOrCodeField(required=False)
    passengers = PassengerInputSerializer(many=True, required=False, min_length=1, max_length=MAX_SEATS_PER_BOOKING)
    quota = serializers.ChoiceField(choices=ALL_QUOTAS, default=GENERAL_QUOTA)


# `services.book_seats` needs a count or the travellers (and, given both, that they agree).
@request_rules({"anyOf": [{"required": ["seats"]}, {"required": ["passengers"]}]})
class BookingCreateSerializer(JourneySerializer):
    kept_train = True  # see TrainField
    seats = serializers.IntegerField(min_value=1, max_value=MAX_SEATS_PER_BOOKING, required=False)
    allow_waitlist = serializers.BooleanField(default=False)

    def run_validation(self, data=serializers.empty):
        """The fields' own validation, except for the requests most bookings send.

        A booking whose every field is of its JSON type, in range and spelled as the field would
        give it back (a count of seats, or named passengers as the Tatkal clients send them) is
        checked here directly: building the fields and running each one (per passenger, for the
        nested passengers) was a visible share of a booking's CPU, and DRF builds them even to run
        no validator. Anything else (other fields, other types, a value out of range, a train that
        doesn't exist) goes through the fields, which give the errors;
        tests/bookings/test_booking_input.py keeps both the same. This serializer has no
        validators and no `validate`, so the plain request skips nothing else.
        """
        plain = _plain_booking(data)
        return super().run_validation(data) if plain is None else plain


_PLAIN_BOOKING_FIELDS = frozenset(
    {"train", "travel_date", "class", "from_station", "to_station", "seats", "passengers", "quota", "allow_waitlist"}
)
_PASSENGER_FIELDS = frozenset({"name", "age", "gender", "berth_preference"})


def _plain_booking(data) -> dict | None:
    """`BookingCreateSerializer`'s validated data for a request of only its fields, with values
    of exactly their JSON types, in range and as the fields would give them back; None for
    anything else."""
    if type(data) is not dict or not data.keys() <= _PLAIN_BOOKING_FIELDS:
        return None
    train_id, travel_date = data.get("train"), data.get("travel_date")
    quota, allow_waitlist = data.get("quota", GENERAL_QUOTA), data.get("allow_waitlist", False)
    if (
        type(train_id) is not int
        or not 1 <= train_id <= MAX_ID
        or type(travel_date) is not str
        or not ISO_DATE_RE.fullmatch(travel_date)
        or type(quota) is not str
        or quota not in ALL_QUOTAS
        or type(allow_waitlist) is not bool
    ):
        return None
    plain = {"quota": quota, "allow_waitlist": allow_waitlist}
    if "seats" in data:
        seats = data["seats"]
        if type(seats) is not int or not 1 <= seats <= MAX_SEATS_PER_BOOKING:
            return None
        plain["seats"] = seats
    if "passengers" in data:
        passengers = _plain_passengers(data["passengers"])
        if passengers is None:
            return None
        plain["passengers"] = passengers
    if "class" in data:
        class_code = data["class"]
        if type(class_code) is not str or class_code not in _CLASS_CODE_SET:
            return None
        plain["class_code"] = class_code
    for field in ("from_station", "to_station"):
        if field in data:
            station = _plain_station_name(data[field])
            if station is None:
                return None
            plain[field] = station
    try:
        plain["travel_date"] = date.fromisoformat(travel_date)
    except ValueError:
        return None
    plain["train"] = train_for_booking(train_id)
    return None if plain["train"] is None else plain


def _plain_passengers(passengers) -> list[dict] | None:
    """`PassengerInputSerializer(many=True)`'s validated data for a list of passengers of only its
    fields, each of its JSON type and in range; None for anything else."""
    if type(passengers) is not list or not 1 <= len(passengers) <= MAX_SEATS_PER_BOOKING:
        return None
    plain = []
    for passenger in passengers:
        if type(passenger) is not dict or not passenger.keys() <= _PASSENGER_FIELDS:
            return None
        name, age, gender = passenger.get("name"), passenger.get("age"), passenger.get("gender")
        berth_preference = passenger.get("berth_preference")
        if type(name) is not str:
            return None
        name = name.strip()
        if (
            not 1 <= len(name) <= PASSENGER_NAME_MAX_LENGTH
            or not _storable_text(name)
            or type(age) is not int
            or age not in PASSENGER_AGES
            or type(gender) is not str
            or gender not in GENDERS
            or (
                berth_preference is not None
                and (type(berth_preference) is not str or berth_preference not in BERTH_TYPE_NAMES)
            )
        ):
            return None
        plain.append({"name": name, "age": age, "gender": gender, "berth_preference": berth_preference})
    return plain


# As `validate` says: seat numbers, a count or the travellers; not seat numbers and a count; each seat once.
@request_rules(
    {
        "anyOf": [{"required": ["seat_numbers"]}, {"required": ["seats"]}, {"required": ["passengers"]}],
        "not": {"required": ["seat_numbers", "seats"]},
        "properties": {"seat_numbers": {"uniqueItems": True}},
    }
)
class HoldCreateSerializer(JourneySerializer):
    seat_numbers = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=MAX_ID),
        min_length=1,
        max_length=MAX_SEATS_PER_BOOKING,
        required=False,
    )
    seats = serializers.IntegerField(min_value=1, max_value=MAX_SEATS_PER_BOOKING, required=False)

    def validate(self, attrs):
        if "seat_numbers" in attrs and "seats" in attrs:
            raise serializers.ValidationError(
                {"seat_numbers": ["Give either seat_numbers (specific seats) or seats (a count), not both."]}
            )
        if "seat_numbers" not in attrs and "seats" not in attrs and "passengers" not in attrs:
            raise serializers.ValidationError(
                {"seat_numbers": ["Give seat_numbers (specific seats), seats (a count) or passengers."]}
            )
        seat_numbers = attrs.get("seat_numbers")
        if seat_numbers is not None and len(set(seat_numbers)) != len(seat_numbers):
            raise serializers.ValidationError({"seat_numbers": ["A seat is listed twice."]})
        return attrs


class BerthSerializer(serializers.Serializer):
    seat_number = serializers.IntegerField()
    coach = serializers.CharField(allow_null=True)
    berth = serializers.IntegerField()
    berth_type = serializers.CharField(allow_null=True)


class SeatFieldsSerializer(serializers.Serializer):
    """A traveller's seat and the berth it is (all null until confirmed or held)."""

    seat_number = serializers.IntegerField(allow_null=True)
    coach = serializers.CharField(allow_null=True)
    berth = serializers.IntegerField(allow_null=True)
    berth_type = serializers.CharField(allow_null=True)


class PassengerSerializer(SeatFieldsSerializer):
    name = serializers.CharField()
    age = serializers.IntegerField()
    gender = serializers.CharField()
    berth_preference = serializers.CharField(allow_null=True)


def _fare_field() -> serializers.DecimalField:
    """A fare: whole rupees (a multiple of 5 since fares have charges)."""
    return serializers.DecimalField(max_digits=10, decimal_places=0, allow_null=True)


def _amount() -> serializers.DecimalField:
    return serializers.DecimalField(max_digits=9, decimal_places=2)


class FareBreakdownSerializer(serializers.Serializer):
    """One passenger's fare with its charges (`trains.fares.FareBreakdown.as_data`)."""

    base = _amount()
    reservation = _amount()
    superfast = _amount()
    tatkal = _amount()
    gst = _amount()
    total = _amount()


class PassengerFareSerializer(serializers.Serializer):
    """What each traveller of a booking pays: `fare` (their `total`) and its breakdown."""

    fare = _fare_field()
    fare_breakdown = FareBreakdownSerializer(allow_null=True)


class QueueStatusSerializer(serializers.Serializer):
    """A passenger's status, and their place in its queue ("RAC 3", "WL 12"; null for CNF and
    CANCELLED)."""

    status = serializers.ChoiceField(choices=Passenger.Status.values)
    position = serializers.IntegerField(allow_null=True)


class PassengerStatusSerializer(serializers.Serializer):
    """A passenger's status as booked and now. `seat_number` and the berth are the passenger's
    own while CNF, the side-lower berth they share while RAC."""

    booking_status = QueueStatusSerializer()
    current_status = QueueStatusSerializer()


class BookingPassengerSerializer(PassengerSerializer, PassengerFareSerializer, PassengerStatusSerializer):
    # A booking of `seats` alone has unnamed passengers.
    name = serializers.CharField(allow_null=True)
    age = serializers.IntegerField(allow_null=True)
    gender = serializers.CharField(allow_null=True)


def passenger_fare_data(booking: Booking) -> dict:
    """`PassengerFareSerializer`'s fields for each traveller of `booking` (all pay alike)."""
    breakdown = booking.fare_breakdown
    if breakdown is None:
        return {"fare": None, "fare_breakdown": None}
    return {"fare": _fare.to_representation(breakdown.total), "fare_breakdown": breakdown_data(breakdown)}


def passenger_data(code: str, passenger) -> dict:
    """A passenger (model row or hold's dict) with the berth their seat number is, if they have one."""
    fields = passenger if isinstance(passenger, dict) else vars(passenger)
    seat = fields.get("seat_number")
    berth = berth_of(code, seat) if seat is not None else None
    return {
        "name": fields["name"],
        "age": fields["age"],
        "gender": fields["gender"],
        "berth_preference": fields.get("berth_preference"),
        "seat_number": seat,
        "coach": berth.coach if berth else None,
        "berth": berth.berth if berth else None,
        "berth_type": berth.berth_type if berth else None,
    }


class BookingRefundSerializer(serializers.Serializer):
    amount = serializers.DecimalField(max_digits=10, decimal_places=2)
    charge = serializers.DecimalField(max_digits=10, decimal_places=2)
    passengers = serializers.ListField(child=serializers.IntegerField())
    created_at = serializers.DateTimeField()


class BookingSerializer(WithClassField, serializers.ModelSerializer):
    seat_numbers = serializers.SerializerMethodField()
    waitlist_position = serializers.SerializerMethodField()
    run_date = serializers.DateField(source="run.run_date")
    departure = serializers.SerializerMethodField()
    arrival = serializers.SerializerMethodField()
    passengers = serializers.SerializerMethodField()
    train = serializers.SerializerMethodField()
    refunds = serializers.SerializerMethodField()
    class_field_kwargs = {"read_only": True}
    class_field_after = "arrival"

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
            "run_date",
            "from_station",
            "to_station",
            "departure",
            "arrival",
            "quota",
            "fare",
            "passengers",
            "train",
            "refunds",
            "created_at",
            "cancelled_at",
        ]
        read_only_fields = fields

    def to_representation(self, booking: Booking) -> dict:
        """The fields above, in their order, written out instead of walked field by field.

        Building the ModelSerializer's fields and walking them was a large share of a booking's
        CPU, for a dict whose shape never changes; tests/bookings/test_booking_rendering.py keeps this
        byte for byte what DRF's walk renders.
        """
        departure, arrival = self._times(booking)
        return {
            "id": booking.id,
            "pnr": booking.pnr,
            "status": str(booking.status),
            "seats": booking.seats,
            "seat_numbers": self.get_seat_numbers(booking),
            "waitlist_position": self.get_waitlist_position(booking),
            "travel_date": _date.to_representation(booking.travel_date),
            "run_date": _date.to_representation(booking.run.run_date),
            "from_station": booking.from_station,
            "to_station": booking.to_station,
            "departure": None if departure is None else _datetime.to_representation(departure),
            "arrival": None if arrival is None else _datetime.to_representation(arrival),
            "class": booking.class_code,
            "quota": booking.quota,
            "fare": None if booking.fare is None else _fare.to_representation(booking.fare),
            "passengers": self.get_passengers(booking),
            "train": self.get_train(booking),
            "refunds": self.get_refunds(booking),
            "created_at": _datetime.to_representation(booking.created_at),
            "cancelled_at": None if booking.cancelled_at is None else _datetime.to_representation(booking.cancelled_at),
        }

    @extend_schema_field(BookingRefundSerializer(many=True))
    def get_refunds(self, booking: Booking) -> list[dict]:
        """Every refund made on the booking, oldest first; a booking just made has none to read."""
        return [
            {
                "amount": _money.to_representation(refund.amount),
                "charge": _money.to_representation(refund.charge),
                "passengers": refund.passengers,
                "created_at": _datetime.to_representation(refund.created_at),
            }
            for refund in getattr(booking, "refund_list", ())
        ]

    @extend_schema_field(TrainSerializer)
    def get_train(self, booking: Booking) -> dict:
        # Rendered without DRF's per-field walk, which for a train with its stops and classes cost
        # about as much as the rest of a booking (tests/bookings/test_booking_rendering.py keeps it exact).
        return train_data(booking.run.train)

    def get_seat_numbers(self, booking: Booking) -> list[int]:
        return sorted(allocation.seat_number for allocation in booking.seat_allocations)

    def get_waitlist_position(self, booking: Booking) -> int | None:
        return getattr(booking, "waitlist_position", None)

    def _times(self, booking: Booking):
        cached = getattr(booking, "_journey_times", None)
        if cached is None:
            cached = booking._journey_times = journey_times(booking)
        return cached

    def get_departure(self, booking: Booking) -> str | None:
        departure = self._times(booking)[0]
        return None if departure is None else _datetime.to_representation(departure)

    def get_arrival(self, booking: Booking) -> str | None:
        arrival = self._times(booking)[1]
        return None if arrival is None else _datetime.to_representation(arrival)

    @extend_schema_field(BookingPassengerSerializer(many=True))
    def get_passengers(self, booking: Booking) -> list[dict]:
        fare = passenger_fare_data(booking)
        return [
            {**passenger_data(booking.class_code, passenger), **fare, **passenger_status_data(passenger)}
            for passenger in booking.passenger_list
        ]


class HoldSerializer(WithClassField, serializers.ModelSerializer):
    run_date = serializers.DateField(source="run.run_date")
    train = serializers.SerializerMethodField()
    seat_numbers = serializers.ListField(child=serializers.IntegerField())
    berths = serializers.SerializerMethodField()
    passengers = serializers.SerializerMethodField()
    class_field_kwargs = {"read_only": True}
    class_field_after = "to_station"

    class Meta:
        model = Hold
        fields = [
            "id",
            "train",
            "travel_date",
            "run_date",
            "from_station",
            "to_station",
            "quota",
            "seat_numbers",
            "berths",
            "passengers",
            "expires_at",
        ]
        read_only_fields = fields

    @extend_schema_field(TrainSerializer)
    def get_train(self, hold: Hold) -> dict:
        return train_data(hold.run.train)

    def get_berths(self, hold: Hold) -> list[dict]:
        return [berth_of(hold.class_code, seat).as_dict() for seat in hold.seat_numbers]

    @extend_schema_field(PassengerSerializer(many=True))
    def get_passengers(self, hold: Hold) -> list[dict]:
        return [passenger_data(hold.class_code, passenger) for passenger in hold.passengers]


# --- Search and the seat map -------------------------------------------------------------------


class TrainSearchParamsSerializer(WithClassField, serializers.Serializer):
    source = StationOrCodeField(error_messages={"required": "Give the station to travel from."})
    destination = StationOrCodeField(error_messages={"required": "Give the station to travel to."})
    date = TravelDateField(required=False)
    quota = serializers.ChoiceField(choices=ALL_QUOTAS, required=False)

    def validate(self, attrs):
        if normalize_station(attrs["source"]) == normalize_station(attrs["destination"]):
            raise serializers.ValidationError({"destination": ["The destination must differ from the source."]})
        return attrs


def search_params(query) -> dict:
    """`TrainSearchParamsSerializer(data=query)`'s validated data, or its ValidationError.

    Search is the busiest request, and building the serializer (a deep copy of each field) and
    running it was a sizeable share of a search's CPU. A query made only of what the serializer would accept
    as it is (the common one) is read directly; anything else goes to the serializer, so every
    error, and every value it would change, comes from it (a test compares the two on generated
    queries).
    """
    plain = plain_search_params(query)
    if plain is not None:
        return plain
    serializer = TrainSearchParamsSerializer(data=query)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


def plain_search_params(query) -> dict | None:
    """What `search_params` gives for a query it reads without the serializer, else None."""
    source = _plain_station_name(query.get("source"))
    destination = None if source is None else _plain_station_name(query.get("destination"))
    if source is None or destination is None or normalize_station(source) == normalize_station(destination):
        return None
    params = {"source": source, "destination": destination}
    raw_date = query.get("date")
    if raw_date:  # absent or empty: no date, as the serializer reads a query string
        if not ISO_DATE_RE.fullmatch(raw_date):
            return None
        try:
            travel_date = date.fromisoformat(raw_date)
        except ValueError:
            return None
        today = timezone.localdate()
        if not today <= travel_date <= today + timedelta(days=settings.BOOKING_WINDOW_DAYS):
            return None
        params["date"] = travel_date
    class_code = query.get("class")
    if class_code:
        if class_code not in _CLASS_CODE_SET:
            return None
        params["class_code"] = class_code
    quota = query.get("quota")
    if quota is not None:
        if quota not in ALL_QUOTAS:
            return None
        params["quota"] = quota
    return params


_CLASS_CODE_SET = frozenset(CLASS_CODES)


def _plain_station_name(raw) -> str | None:
    """What StationOrCodeField gives for text that StationField would give back unchanged (a name
    or a code), else None."""
    if not isinstance(raw, str) or not raw or raw != " ".join(raw.split()):
        return None
    if len(raw) > STATION_MAX_LENGTH or len(normalize_station(raw)) > STATION_MAX_LENGTH:
        return None
    return station_name(raw) if _storable_text(raw) else None


def _storable_text(text: str) -> bool:
    """Whether DRF's CharField validators let `text` through: no NUL, no lone surrogate."""
    return "\x00" not in text and (text.isascii() or not any("\ud800" <= char <= "\udfff" for char in text))


class SeatMapParamsSerializer(WithClassField, serializers.Serializer):
    date = TravelDateField(error_messages={"required": "Give the travel date, YYYY-MM-DD."})
    to = StationOrCodeField(required=False)
    quota = serializers.ChoiceField(choices=ALL_QUOTAS, default=GENERAL_QUOTA)

    def get_fields(self):
        fields = super().get_fields()
        fields["from"] = StationOrCodeField(required=False)
        return fields


class ClassAvailabilitySerializer(WithClassField, serializers.Serializer):
    available_seats = serializers.IntegerField()
    fare = _fare_field()
    fare_breakdown = FareBreakdownSerializer(allow_null=True)
    quota = serializers.CharField()
    status = serializers.ChoiceField(choices=["AVAILABLE", "RAC", "WAITLIST", "REGRET", "NOT_OPEN", "CHART_PREPARED"])
    rac_available = serializers.IntegerField()
    waitlist_next = serializers.IntegerField(allow_null=True)
    # The run's chart is prepared: only the berths still free are sold, confirmed, no RAC or waitlist.
    charted = serializers.BooleanField()
    class_field_kwargs = {"read_only": True}


class TrainSearchResultSerializer(TrainSerializer):
    from_station = serializers.CharField(read_only=True)
    to_station = serializers.CharField(read_only=True)
    travel_date = serializers.DateField(read_only=True)
    run_date = serializers.DateField(read_only=True)
    departure = serializers.DateTimeField(read_only=True)
    arrival = serializers.DateTimeField(read_only=True)
    duration_minutes = serializers.IntegerField(read_only=True)
    distance_km = serializers.IntegerField(read_only=True, allow_null=True)
    available_seats = serializers.IntegerField(read_only=True)
    availability = ClassAvailabilitySerializer(many=True, read_only=True)


class SeatMapBerthSerializer(BerthSerializer):
    quota = serializers.CharField()
    rac = serializers.BooleanField()


class SeatMapSerializer(WithClassField, serializers.Serializer):
    train = TrainSerializer(read_only=True)
    travel_date = serializers.DateField(read_only=True)
    run_date = serializers.DateField(read_only=True)
    from_station = serializers.CharField(read_only=True)
    to_station = serializers.CharField(read_only=True)
    total_seats = serializers.IntegerField(read_only=True)
    available_seats = serializers.IntegerField(read_only=True)
    quota = serializers.CharField(read_only=True)
    charted = serializers.BooleanField(
        read_only=True, help_text="The run's chart is prepared: only these berths are sold."
    )
    free_seat_numbers = serializers.ListField(child=serializers.IntegerField(), read_only=True)
    free_berths = SeatMapBerthSerializer(many=True, read_only=True)
    class_field_kwargs = {"read_only": True}
    class_field_after = "to_station"


class PnrPassengerSerializer(SeatFieldsSerializer, PassengerStatusSerializer):
    number = serializers.IntegerField()
    status = serializers.CharField(help_text="The booking's status.")
    fare = _fare_field()
    fare_breakdown = FareBreakdownSerializer(allow_null=True)


class PnrTrainSerializer(serializers.Serializer):
    train_number = serializers.CharField()
    name = serializers.CharField()


class PnrStatusSerializer(WithClassField, serializers.Serializer):
    pnr = serializers.CharField()
    status = serializers.CharField()
    waitlist_position = serializers.IntegerField(allow_null=True)
    train = PnrTrainSerializer()
    travel_date = serializers.DateField()
    from_station = serializers.CharField()
    to_station = serializers.CharField()
    departure = serializers.DateTimeField(allow_null=True)
    quota = serializers.CharField()
    fare = _fare_field()
    passengers = PnrPassengerSerializer(many=True)
    class_field_kwargs = {"read_only": True}
    class_field_after = "departure"
