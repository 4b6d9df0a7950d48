"""The `train` representation (docs/api.md, Trains), and the fields that search and the seat map share with it.

Serializers check the shape of each field on its own; rules that look at several fields or at
the database (distinct stations, arrival after departure, sold seats) live in `trains/services.py`
so that a PATCH is checked against the row it changes, under its lock.
"""

import re
from collections.abc import Mapping
from datetime import time, timedelta
from decimal import Decimal

from django.conf import settings
from django.utils import timezone
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.settings import api_settings

from irctc.schema import request_rules
from trains.layouts import LAYOUTS
from trains.models import (
    MAX_COACHES,
    MAX_DAY_OFFSET,
    MAX_STOPS,
    MAX_TOTAL_SEATS,
    MIN_STOPS,
    STATION_CODE_PATTERN,
    WEEKDAYS,
    codes_from_mask,
    mask_from_codes,
    normalize_station,
)
from trains.pools import QUOTAS
from trains.rendering import class_data, clock_text, stop_data
from trains.stations import station_name

# `[0-9]`, not `\d`: Python's `\d` also matches Devanagari and other Unicode digits.
TRAIN_NUMBER_RE = re.compile(r"[0-9]{5}")
CLOCK_TIME_RE = re.compile(r"([01][0-9]|2[0-3]):([0-5][0-9])")
# strptime alone would take "2026-1-5"; the contract says YYYY-MM-DD.
ISO_DATE_RE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
NAME_MAX_LENGTH = 100
STATION_MAX_LENGTH = 64
# Longer than any railway journey on Earth; keeps a typo from overflowing the column.
MAX_DISTANCE_KM = 20_000


@extend_schema_field({"type": "string", "pattern": f"^{CLOCK_TIME_RE.pattern}$", "example": "06:05"})
class ClockTimeField(serializers.Field):
    """A time of day as `HH:MM`, 24-hour, in and out. Seconds are refused, not silently dropped."""

    default_error_messages = {"invalid": "Use HH:MM on a 24-hour clock, e.g. 06:05 or 23:40 (no seconds)."}

    def to_internal_value(self, data):
        match = CLOCK_TIME_RE.fullmatch(data) if isinstance(data, str) else None
        if match is None:
            self.fail("invalid")
        return time(int(match.group(1)), int(match.group(2)))

    def to_representation(self, value):
        return value.strftime("%H:%M")


class StrictBooleanField(serializers.BooleanField):
    """A JSON `true` or `false`, nothing else: DRF's own would also take "yes", "on", 1 or "0",
    and a train's stored flag should not depend on how a client spells it."""

    default_error_messages = {"invalid": "Must be true or false."}

    def to_internal_value(self, data):
        if data is True or data is False:
            return data
        self.fail("invalid")


class TidyTextField(serializers.CharField):
    """Text with surrounding spaces trimmed and inner runs of whitespace collapsed to one space."""

    def to_internal_value(self, data):
        return " ".join(super().to_internal_value(data).split())


class StationField(TidyTextField):
    def __init__(self, **kwargs):
        super().__init__(max_length=STATION_MAX_LENGTH, **kwargs)

    def to_internal_value(self, data):
        station = super().to_internal_value(data)
        # Case-folding can lengthen a name ("ß" -> "ss"); the search key column has the same limit.
        if len(normalize_station(station)) > STATION_MAX_LENGTH:
            raise serializers.ValidationError(f"Ensure this field has no more than {STATION_MAX_LENGTH} characters.")
        return station


@extend_schema_field({"type": "string", "pattern": f"^{TRAIN_NUMBER_RE.pattern}$", "example": "12951"})
class TrainNumberField(serializers.CharField):
    """Five digits: `TrainSerializer.validate_train_number` refuses anything else, and says why."""


class StationOrCodeField(StationField):
    """A station asked for by its name or its code (NDLS): given back as the station's name."""

    def to_internal_value(self, data):
        return station_name(super().to_internal_value(data))


@extend_schema_field(
    {"type": "array", "items": {"type": "string", "enum": list(WEEKDAYS)}, "minItems": 1, "uniqueItems": True}
)
class WeekdaysField(serializers.Field):
    """`runs_on` as a list of `MON`..`SUN` on the wire, `runs_on_mask` in the database."""

    default_error_messages = {
        "not_a_list": 'Give a list of weekday codes, e.g. ["MON", "THU"].',
        "empty": "A train must run on at least one weekday.",
        "unknown": "Unknown weekday code(s) {codes}; use " + ", ".join(WEEKDAYS) + ".",
        "duplicate": "Each weekday may appear only once; repeated: {codes}.",
    }

    def to_internal_value(self, data):
        if not isinstance(data, list):
            self.fail("not_a_list")
        if not data:
            self.fail("empty")
        unknown = [code for code in data if not isinstance(code, str) or code not in WEEKDAYS]
        if unknown:
            self.fail("unknown", codes=", ".join(repr(code) for code in unknown))
        repeated = sorted({code for code in data if data.count(code) > 1}, key=WEEKDAYS.index)
        if repeated:
            self.fail("duplicate", codes=", ".join(repeated))
        return mask_from_codes(data)

    def to_representation(self, value):
        return codes_from_mask(value)


class StopSerializer(serializers.Serializer):
    """One entry of a route; how the stops fit together is `trains.services.route_errors`."""

    station = StationField()
    # Optional, written only: the station's code, recorded once for every train (`trains.stations`).
    station_code = serializers.RegexField(
        STATION_CODE_PATTERN,
        required=False,
        write_only=True,
        error_messages={"invalid": "A station code is 2 to 5 capital letters, e.g. NDLS."},
    )
    arrival_time = ClockTimeField(allow_null=True, default=None)
    departure_time = ClockTimeField(allow_null=True, default=None)
    day_offset = serializers.IntegerField(min_value=0, max_value=MAX_DAY_OFFSET, default=0)
    distance_km = serializers.IntegerField(min_value=0, max_value=MAX_DISTANCE_KM, allow_null=True, default=None)


@extend_schema_field(
    {"type": "string", "format": "decimal", "pattern": r"^([0-9]{1,5}(\.[0-9]{0,2})?|\.[0-9]{1,2})$", "example": "1.25"}
)
class FarePerKmField(serializers.DecimalField):
    """Rupees a kilometre as a string: 0 to 99999.99, as `max_digits`, `decimal_places` and `min_value` say."""


# Keys other than the quotas are refused (`to_internal_value`), so the schema says so too.
@extend_schema_field(
    {
        "type": "object",
        "properties": {quota: {"type": "integer", "minimum": 0, "maximum": MAX_TOTAL_SEATS} for quota in QUOTAS},
        "additionalProperties": False,
    }
)
class QuotasSerializer(serializers.Serializer):
    """Seats a class sets aside per quota; how many fit the class is `trains.pools.config_errors`."""

    TQ = serializers.IntegerField(min_value=0, max_value=MAX_TOTAL_SEATS, default=0)
    SS = serializers.IntegerField(min_value=0, max_value=MAX_TOTAL_SEATS, default=0)
    LD = serializers.IntegerField(min_value=0, max_value=MAX_TOTAL_SEATS, default=0)

    def to_internal_value(self, data):
        if isinstance(data, Mapping):
            unknown = sorted(str(key) for key in data if key not in self.fields)
            if unknown:
                raise serializers.ValidationError(
                    {key: [f"Unknown quota; a class sets seats aside for {', '.join(QUOTAS)} only."] for key in unknown}
                )
        return super().to_internal_value(data)


class TrainClassSerializer(serializers.Serializer):
    code = serializers.ChoiceField(choices=list(LAYOUTS))
    coaches = serializers.IntegerField(min_value=1, max_value=MAX_COACHES, allow_null=True, default=None)
    seats = serializers.IntegerField(read_only=True)
    fare_per_km = FarePerKmField(max_digits=7, decimal_places=2, min_value=Decimal("0"), allow_null=True, default=None)
    quotas = QuotasSerializer(required=False)
    rac_berths = serializers.IntegerField(min_value=0, max_value=MAX_TOTAL_SEATS, default=0)


def _flat_errors(detail, prefix: str = "") -> dict:
    """Nested errors as `{"stops[2].departure_time": [...]}`: one level, as every other error."""
    if isinstance(detail, dict):
        flat = {}
        for key, value in detail.items():
            if isinstance(key, int) or str(key).isdigit():  # an entry of a list
                name = f"{prefix}[{key}]"
            elif key == api_settings.NON_FIELD_ERRORS_KEY and prefix:  # the list itself
                name = prefix
            else:
                name = f"{prefix}.{key}" if prefix else str(key)
            flat.update(_flat_errors(value, name))
        return flat
    if isinstance(detail, list) and any(isinstance(item, (dict, list)) for item in detail):
        flat = {}
        for index, item in enumerate(detail):
            if item:
                flat.update(_flat_errors(item, f"{prefix}[{index}]"))
        return flat
    return {prefix: detail}


# What `to_internal_value` requires of a whole train (a PATCH needs neither): a route, and seats.
@request_rules(
    {
        "allOf": [
            {
                "anyOf": [
                    {"required": ["stops"]},
                    {"required": ["source", "destination", "departure_time", "arrival_time"]},
                ]
            },
            {"anyOf": [{"required": ["classes"]}, {"required": ["total_seats"]}]},
        ]
    }
)
class TrainSerializer(serializers.Serializer):
    """`train` of docs/api.md (Trains). `validated_data` holds model field names, ready for the services.

    A route comes either as `stops` or as the version-1 fields (`source` ... `arrival_day_offset`);
    seats either as `classes` or as `total_seats`. Each field is checked here on its own; whether
    they fit together (and agree when both are sent) is `trains.services`' to say.
    """

    id = serializers.IntegerField(read_only=True)
    train_number = TrainNumberField(max_length=5)
    name = TidyTextField(max_length=NAME_MAX_LENGTH)
    source = StationField(required=False)
    destination = StationField(required=False)
    departure_time = ClockTimeField(required=False)
    arrival_time = ClockTimeField(required=False)
    arrival_day_offset = serializers.IntegerField(min_value=0, max_value=MAX_DAY_OFFSET, required=False)
    total_seats = serializers.IntegerField(min_value=1, max_value=MAX_TOTAL_SEATS, required=False)
    runs_on = WeekdaysField(source="runs_on_mask", default=mask_from_codes(WEEKDAYS))
    superfast = StrictBooleanField(default=False)
    stops = StopSerializer(many=True, required=False, min_length=MIN_STOPS, max_length=MAX_STOPS)
    classes = TrainClassSerializer(many=True, required=False, min_length=1, max_length=len(LAYOUTS))

    def validate_train_number(self, value: str) -> str:
        if not TRAIN_NUMBER_RE.fullmatch(value):
            raise serializers.ValidationError("A train number is exactly 5 digits, e.g. 12951.")
        return value

    def to_internal_value(self, data):
        errors, validated = {}, None
        try:
            validated = super().to_internal_value(data)
        except serializers.ValidationError as exc:
            errors = exc.detail if isinstance(exc.detail, dict) else {"non_field_errors": exc.detail}
        if not self.partial and isinstance(data, Mapping):
            required = [] if "stops" in data else ["source", "destination", "departure_time", "arrival_time"]
            if "classes" not in data:
                required.append("total_seats")
            for field in required:
                if field not in data and field not in errors:
                    errors[field] = [self.fields[field].error_messages["required"]]
        if validated is not None:
            # A PATCH makes DRF skip required fields inside the lists too; an entry still needs them.
            for field, key in (("stops", "station"), ("classes", "code")):
                for index, entry in enumerate(validated.get(field) or ()):
                    if key not in entry:
                        errors[f"{field}[{index}].{key}"] = ["This field is required."]
        if errors:
            raise serializers.ValidationError(_flat_errors(errors))
        return validated


def train_data(train) -> dict:
    """`TrainSerializer(train).data`, built directly, for a train with its stops and classes read
    (prefetched, or rendered with the row: `Train.stop_list`).

    Search renders many trains at once, and DRF renders field by field (a deep copy of every
    field, then a `to_representation` call per value), which for a train with its stops and
    classes cost more than the whole search statement (docs/performance.md). The serializer stays the documented shape and
    the schema is built from it; tests/bookings/test_search_rendering.py checks that both give the
    same JSON.
    """
    return {
        "id": train.id,
        "train_number": train.train_number,
        "name": train.name,
        "source": train.source,
        "destination": train.destination,
        "departure_time": clock_text(train.departure_time),
        "arrival_time": clock_text(train.arrival_time),
        "arrival_day_offset": train.arrival_day_offset,
        "total_seats": train.total_seats,
        "runs_on": codes_from_mask(train.runs_on_mask),
        "superfast": train.superfast,
        "stops": [stop_data(stop) for stop in train.stop_list()],
        "classes": [class_data(travel_class) for travel_class in train.class_list()],
    }


class StationsParamsSerializer(serializers.Serializer):
    q = serializers.CharField(max_length=STATION_MAX_LENGTH, required=False, default="", allow_blank=True)


class StationSerializer(serializers.Serializer):
    code = serializers.CharField(allow_null=True)
    name = serializers.CharField()
    trains = serializers.IntegerField()


class TravelDateField(serializers.DateField):
    """A journey date: `YYYY-MM-DD`, from today (India time) up to the booking window."""

    def __init__(self, **kwargs):
        super().__init__(input_formats=["%Y-%m-%d"], **kwargs)

    def to_internal_value(self, data):
        if not isinstance(data, str) or not ISO_DATE_RE.fullmatch(data):
            self.fail("invalid", format="YYYY-MM-DD")
        travel_date = super().to_internal_value(data)
        today = timezone.localdate()
        if travel_date < today:
            raise serializers.ValidationError(f"{travel_date} is in the past; today is {today}.")
        last = today + timedelta(days=settings.BOOKING_WINDOW_DAYS)
        if travel_date > last:
            raise serializers.ValidationError(
                f"Journeys can be planned up to {settings.BOOKING_WINDOW_DAYS} days ahead (until {last})."
            )
        return travel_date
