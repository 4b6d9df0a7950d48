"""How the API shows a train's stops and classes, as plain dicts.

Below the models and the serializers, which both use it: the models store each train's stops and
classes rendered this way with the train (`Train.stops_json`, `Train.classes_json`), so search
returns them as they are; the serializers render a train with them. Built directly, not through
DRF's field-by-field rendering: `trains.serializers.train_data` says why.
"""

from decimal import Decimal

_CENTS = Decimal("0.01")


def clock_text(value) -> str | None:
    """A time of day as the API shows it ("HH:MM")."""
    return None if value is None else value.strftime("%H:%M")


def stop_data(stop) -> dict:
    """`StopSerializer(stop).data`, built directly."""
    return {
        "station": stop.station,
        "arrival_time": clock_text(stop.arrival_time),
        "departure_time": clock_text(stop.departure_time),
        "day_offset": stop.day_offset,
        "distance_km": stop.distance_km,
    }


def class_data(travel_class) -> dict:
    """`TrainClassSerializer(travel_class).data`, built directly."""
    return {
        "code": travel_class.code,
        "coaches": travel_class.coaches,
        "seats": travel_class.seats,
        "fare_per_km": None if travel_class.fare_per_km is None else str(travel_class.fare_per_km.quantize(_CENTS)),
        "quotas": {"TQ": travel_class.quota_tq, "SS": travel_class.quota_ss, "LD": travel_class.quota_ld},
        "rac_berths": travel_class.rac_berths,
    }
