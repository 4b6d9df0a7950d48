"""The search page is rendered without DRF's serializer; it must still say exactly what the serializer says."""

from datetime import time, timedelta
from types import SimpleNamespace

import pytest
from django.utils import timezone
from rest_framework.renderers import JSONRenderer

from bookings import services
from bookings.selectors import search_journeys, search_results_data
from bookings.serializers import TrainSearchResultSerializer
from irctc import fast_json
from tests.factories import make_train, make_user, route
from trains import services as trains_services
from trains.models import Train

pytestmark = pytest.mark.django_db


def shown(journeys: list[dict]) -> list[dict]:
    """The results as a client reads them."""
    return fast_json.loads(fast_json.render(search_results_data(journeys)))


def _as_serializer_input(journey: dict):
    """The train object plus the journey's fields, the way the documented serializer reads them."""
    train = Train.objects.prefetch_related("stops", "classes").get(pk=journey["train_id"])
    fields = {key: value for key, value in journey.items() if not key.startswith("train_")}
    fields["availability"] = [
        SimpleNamespace(class_code=option.pop("class"), **option) for option in map(dict, journey["availability"])
    ]
    for key, value in fields.items():
        setattr(train, key, value)
    return train


def test_rendered_rows_equal_the_serializers_output():
    stations = ("Ünïcode   Halt", "Middle Road", "Far End")
    make_train(stops=route(*stations, start=time(23, 30)), runs_on_mask=0b1010101)
    rated = make_train(
        stops=route(*stations, start=time(6, 5)),
        classes=[{"code": "SL", "coaches": 2, "fare_per_km": "0.45"}, {"code": "3A", "coaches": 1}],
    )
    travel_date = timezone.localdate() + timedelta(days=3)
    services.book_seats(
        user=make_user("rider"),
        train=rated,
        travel_date=travel_date,
        seats=2,
        from_station="Middle Road",
        to_station="Far End",
        class_code="SL",
    )

    for day in (travel_date, travel_date + timedelta(days=1), None):
        _count, journeys = search_journeys(
            source="ünïcode halt", destination="far end", travel_date=day, offset=0, limit=20
        )
        assert journeys
        trains = [_as_serializer_input(journey) for journey in journeys]

        # Compared as the bytes a client receives: same values, same types, same key order.
        expected = JSONRenderer().render(TrainSearchResultSerializer(trains, many=True).data)
        assert fast_json.render(search_results_data(journeys)) == expected


def test_a_changed_train_is_rendered_anew():
    train = make_train(name="Old Name")
    travel_date = timezone.localdate() + timedelta(days=2)
    search = {"source": train.source, "destination": train.destination, "travel_date": travel_date}
    assert search_results_data(search_journeys(**search, offset=0, limit=5)[1])[0]["name"] == "Old Name"

    train.name = "New Name"
    train.save()

    assert search_results_data(search_journeys(**search, offset=0, limit=5)[1])[0]["name"] == "New Name"


def test_changed_stops_are_shown_by_the_next_search():
    # Search shows the stops as rendered when they were written (`Train.stops_json`): every way
    # of writing them must render them again.
    train = make_train(stops=route("Alpha", "Beta", "Gamma", start=time(6, 0)))
    travel_date = timezone.localdate() + timedelta(days=2)
    search = {"source": "Alpha", "destination": "Gamma", "travel_date": travel_date, "offset": 0, "limit": 5}
    assert [s["station"] for s in shown(search_journeys(**search)[1])[0]["stops"]] == [
        "Alpha",
        "Beta",
        "Gamma",
    ]

    trains_services.update_train(train_id=train.pk, stops=route("Alpha", "Delta", "Beta", "Gamma", start=time(7, 15)))

    (after,) = shown(search_journeys(**search)[1])
    assert [(s["station"], s["departure_time"]) for s in after["stops"]] == [
        ("Alpha", "07:15"),
        ("Delta", "08:20"),
        ("Beta", "09:20"),
        ("Gamma", None),
    ]


def test_changed_classes_are_shown_by_the_next_search():
    train = make_train(classes=[{"code": "SL", "coaches": 2, "fare_per_km": "0.45"}])
    travel_date = timezone.localdate() + timedelta(days=2)
    search = {"source": train.source, "destination": train.destination, "travel_date": travel_date}
    (before,) = search_results_data(search_journeys(**search, offset=0, limit=5)[1])
    assert [c["code"] for c in before["classes"]] == ["SL"]

    trains_services.update_train(
        train_id=train.pk, classes=[{"code": "3A", "coaches": 1, "fare_per_km": "1.20"}, {"code": "SL", "coaches": 3}]
    )

    (after,) = search_results_data(search_journeys(**search, offset=0, limit=5)[1])
    # In the classes' order (`layouts.CLASS_ORDER`), as the train's own page shows them.
    assert [(c["code"], c["coaches"], c["fare_per_km"]) for c in after["classes"]] == [
        ("3A", 1, "1.20"),
        ("SL", 3, None),
    ]
    assert [option["class"] for option in after["availability"]] == ["3A", "SL"]
