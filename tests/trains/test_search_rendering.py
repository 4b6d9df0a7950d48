"""The search page is rendered without DRF's serializer; it must still say exactly what the serializer says."""

from datetime import time, timedelta

import pytest
from django.utils import timezone
from rest_framework.renderers import JSONRenderer

from tests.factories import make_train
from trains.models import Train
from trains.selectors import search_page
from trains.serializers import TrainSearchResultSerializer, search_results_data

pytestmark = pytest.mark.django_db


def test_rendered_rows_equal_the_serializers_output():
    make_train(departure_time="06:05", arrival_time="23:40", arrival_day_offset=2, runs_on_mask=0b1010101)
    make_train(name="Ünïcode   Mail", departure_time=time(0, 0), total_seats=1)
    travel_date = timezone.localdate() + timedelta(days=3)

    for day in (travel_date, None):
        source, destination = Train.objects.values_list("source", "destination").first()
        _count, rows = search_page(source=source, destination=destination, travel_date=day, offset=0, limit=20)
        assert rows
        trains = []
        for row in rows:
            train = Train.objects.get(pk=row["id"])
            train.travel_date, train.available_seats = row["travel_date"], row["available_seats"]
            trains.append(train)

        # Compared as the bytes a client receives: same values, same types, same key order.
        render = JSONRenderer().render
        assert render(search_results_data(rows)) == render(TrainSearchResultSerializer(trains, many=True).data)
