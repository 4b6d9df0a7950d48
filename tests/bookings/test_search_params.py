"""Search reads a plain query without building its serializer (`bookings.serializers.search_params`);
whatever it reads that way must be exactly what the serializer would have given, and every query it
doesn't read that way must get the serializer's answer, error included."""

from datetime import timedelta

import pytest
from django.http import QueryDict
from django.utils import timezone
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from rest_framework.exceptions import ValidationError

from bookings import serializers
from bookings.serializers import TrainSearchParamsSerializer, search_params

STATIONS = ["New Delhi", "Kota Jn", "Mumbai Central", "new delhi", " New Delhi", "Kota  Jn", "Straße", "STRASSE"]
STATIONS += ["Ko\x00ta", "Ko\ud800ta", "Kota\u2028Jn", "Kota\tJn"]
PLAIN = st.sampled_from(["New Delhi", "Kota Jn", "Mumbai Central"])
NAMES = st.one_of(
    PLAIN,
    PLAIN,
    st.sampled_from(STATIONS),
    st.text(st.sampled_from("aZ ß\t\x00\u2028\ud800é-"), max_size=70),
    st.sampled_from(["", " ", "x" * 64, "x" * 65, "ß" * 33, "ß" * 32]),
)


def dates():
    today = timezone.localdate()
    ahead = st.one_of(st.integers(min_value=-3, max_value=65), st.sampled_from([-1, 0, 60, 61]))  # the window's ends
    days = ahead.map(lambda n: (today + timedelta(days=n)).isoformat())
    return st.one_of(days, st.sampled_from(["", "2026-02-30", "2026-1-05", "tomorrow", "20261205", " 2027-01-01"]))


def classes():
    return st.sampled_from(["", "SL", "3A", "2A", "1A", "GEN", "sl", "XX", " SL"])


@st.composite
def queries(draw, names=NAMES):
    pairs = []
    for name, values in (("source", names), ("destination", names), ("date", dates()), ("class", classes())):
        # Absent, once, or repeated (a query string may name a parameter twice: the last one counts).
        for _ in range(draw(st.sampled_from([0, 1, 1, 1, 2]))):
            pairs.append((name, draw(values)))
    if draw(st.booleans()):
        pairs.append(("limit", "5"))
    query = QueryDict(mutable=True)
    for name, value in pairs:
        query.appendlist(name, value)
    return query


def answer(read, query):
    try:
        return "valid", dict(read(query))
    except ValidationError as error:
        return "invalid", error.detail


def by_serializer(query):
    serializer = TrainSearchParamsSerializer(data=query)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


# The database: a station of two to five letters may be a code, which the serializer looks up.
@pytest.mark.django_db
@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.one_of(queries(), queries(names=PLAIN)))  # the second: mostly queries read directly
@example(QueryDict("source=New+Delhi&destination=Kota+Jn"))
@example(QueryDict("source=New+Delhi&destination=new+delhi"))
@example(QueryDict("source=New+Delhi&destination=Kota+Jn&date=&class="))
def test_search_reads_every_query_as_its_serializer_does(query):
    assert answer(search_params, query) == answer(by_serializer, query)


def test_the_booking_window_ends_where_the_serializer_says():
    today = timezone.localdate()
    for ahead in (-1, 0, 60, 61):
        query = QueryDict(f"source=New+Delhi&destination=Kota+Jn&date={(today + timedelta(days=ahead)).isoformat()}")
        assert answer(search_params, query) == answer(by_serializer, query)


def test_the_common_query_is_read_without_the_serializer(monkeypatch):
    def no_serializer(*args, **kwargs):
        raise AssertionError("built the serializer")

    monkeypatch.setattr(serializers, "TrainSearchParamsSerializer", no_serializer)
    day = timezone.localdate() + timedelta(days=3)
    query = QueryDict(f"source=New+Delhi&destination=Kota+Jn&date={day.isoformat()}&class=3A")
    assert search_params(query) == {"source": "New Delhi", "destination": "Kota Jn", "date": day, "class_code": "3A"}
