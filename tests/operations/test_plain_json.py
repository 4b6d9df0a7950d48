"""`plain_json` gives what DRF's `request.data` gives for every body: the same values, or the same
error, whichever decoder read it."""

import pytest
from django.test import RequestFactory
from rest_framework.exceptions import APIException
from rest_framework.request import Request

from irctc.parsers import JSONParser, plain_json

BODIES = [
    b'{"train": 7, "travel_date": "2026-12-07", "passengers": [{"name": "Asha Rao", "age": 34, "gender": "F"}]}',
    '{"name": "Ä Ω 中文 \\u00e9 \\ud83d\\ude80 🚀"}'.encode(),
    b'{"a": 1, "a": 2}',  # a key twice: the last one
    b'{"big": 9223372036854775807, "small": -9223372036854775808, "float": 1.5e300, "exp": 1E2}',
    b'{"bigger": 18446744073709551616}',  # beyond 64 bits: orjson refuses, DRF takes it
    b'{"huge": 1e400}',
    b'{"nan": NaN}',
    b'{"lone": "\\ud800"}',
    b"[1, 2, 3]",
    b'"just a string"',
    b"null",
    b"{",
    b'{"a": 1} trailing',
    b"\xef\xbb\xbf{}",  # a byte-order mark
    b'{"bad utf-8": "\xff"}',
    b"[" * 5000 + b"]" * 5000,
    b"   ",
]


def drf_request(body: bytes, content_type: str = "application/json") -> Request:
    return Request(RequestFactory().post("/api/bookings/", body, content_type=content_type), parsers=[JSONParser()])


def outcome(read):
    try:
        return "value", read()
    except APIException as error:
        return "error", type(error).__name__, str(error.detail)


@pytest.mark.parametrize("body", BODIES)
def test_plain_json_reads_every_body_as_drf_does(body):
    assert outcome(lambda: plain_json(drf_request(body))) == outcome(lambda: drf_request(body).data)


@pytest.mark.parametrize(
    "content_type", ["application/json; charset=utf-8", "text/plain", "application/json-patch+json"]
)
def test_other_content_types_are_left_to_drf(content_type):
    body = b'{"a": 1}'
    assert outcome(lambda: plain_json(drf_request(body, content_type))) == outcome(
        lambda: drf_request(body, content_type).data
    )
