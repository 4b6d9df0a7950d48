from datetime import UTC, datetime
from decimal import Decimal

import pytest
from django.utils.translation import gettext_lazy
from rest_framework.renderers import JSONRenderer

from irctc import fast_json

PLAIN = [
    {"count": 2, "next": None, "results": [{"name": "Kota Jn", "ok": True, "stops": [1, 2, 3]}]},
    {"station": "Bengaluru \u2028 Cantt\u2029", "quote": 'say "hi" \\ bye', "hindi": "नई दिल्ली", "control": "\x01\t\n"},
    [],
    {"big": 2**62, "negative": -7, "empty": ""},
]


@pytest.mark.parametrize("data", PLAIN)
def test_plain_data_renders_exactly_as_drf_does(data):
    assert fast_json.render(data) == JSONRenderer().render(data)


@pytest.mark.parametrize(
    "value", [datetime(2026, 12, 1, 10, 30, 15, 123456, tzinfo=UTC), Decimal("1.20"), gettext_lazy("Kota"), 2**70]
)
def test_other_types_are_rendered_by_drf(value):
    data = {"value": value, "list": [value]}

    assert fast_json.render(data) == JSONRenderer().render(data)
