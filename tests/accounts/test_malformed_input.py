"""No input to the auth endpoints, however malformed, gets anything but a clear 4xx JSON error."""

import json

import pytest
from django.contrib.auth import get_user_model

from tests.conftest import client_for
from tests.factories import PASSWORD, make_user
from tests.operations.helpers import assert_json_error

User = get_user_model()
JSON = "application/json"

FIELDS = {
    "/api/auth/register/": {"username": "asha", "email": "asha@example.com", "password": PASSWORD},
    "/api/auth/login/": {"username": "passenger", "password": "Wrong-pass-phrase"},
    "/api/auth/token/refresh/": {"refresh": "not-a-token"},
    "/api/auth/logout/": {"refresh": "not-a-token"},
}

RAW_BODIES = {
    "deeply nested arrays": b"[" * 30_000,
    "deeply nested objects": b'{"a":' * 20_000,
    "a 5000-digit number as the body": b"9" * 5_000,
    "a float too large for a double": b'{"username": 1e999999, "password": 1e999999}',
    "NaN": b'{"username": NaN, "password": "x"}',
    "Infinity": b'{"username": -Infinity}',
    "invalid UTF-8": b'{"username": "\xff\xfe\xfd", "password": "x"}',
    "a lone UTF-16 surrogate": b'{"username": "\\ud800", "email": "\\udfff@x.io", "password": "\\ud800"}',
    "truncated JSON": b'{"username": "asha", "pass',
    "trailing garbage": b'{"username": "asha"} {}',
    "a bare list": b'["asha", "secret"]',
    "a bare number": b"42",
    "a bare string": b'"asha"',
    "true": b"true",
    "null": b"null",
    "an empty object": b"{}",
    "an empty body": b"",
    "whitespace only": b"   \n ",
    "a NUL byte outside strings": b'{"username"\x00: "asha"}',
    "a UTF-8 BOM": b'\xef\xbb\xbf{"username": "asha"}',
}


def _typed_variants():
    """Each field of each endpoint given a wrong type, an overlong value or a NUL byte."""
    wrong_values = {
        "a list": ["asha"],
        "an object": {"$ne": None},
        "a boolean": True,
        "null": None,
        "a 5000-digit integer": "int:" + "9" * 5_000,
        "a 10 KB string": "x" * 10_240,
        "a NUL byte": "as\x00ha",
        "control characters": "\x01\x02\x1b[31m",
        "right-to-left override": "\u202eahsa",
    }
    for path, fields in FIELDS.items():
        for field in fields:
            for label, value in wrong_values.items():
                yield pytest.param(path, {**fields, field: value}, id=f"{path}-{field}-{label}")


def _encode(body: dict) -> bytes:
    # json.dumps can't write an integer past Python's digit limit, so splice it in as text.
    text = json.dumps(body)
    for value in body.values():
        if isinstance(value, str) and value.startswith("int:"):
            text = text.replace(json.dumps(value), value[4:])
    return text.encode()


@pytest.fixture
def passenger_client(db):
    # No usable password: hashing one per test would make this long list slow for nothing.
    return client_for(make_user("passenger", password=None))


def _assert_refused_and_nothing_changed(response, users_before: int):
    assert 400 <= response.status_code < 500, (response.status_code, response.content[:300])
    assert_json_error(response, response.status_code)
    assert User.objects.count() == users_before


@pytest.mark.parametrize("path", FIELDS)
@pytest.mark.parametrize("label", RAW_BODIES)
def test_malformed_bodies_get_a_4xx_json_error(passenger_client, path, label):
    response = passenger_client.generic("POST", path, RAW_BODIES[label], content_type=JSON)

    _assert_refused_and_nothing_changed(response, users_before=1)


@pytest.mark.parametrize(("path", "body"), list(_typed_variants()))
def test_wrong_types_and_hostile_strings_get_a_4xx_json_error(passenger_client, path, body):
    response = passenger_client.generic("POST", path, _encode(body), content_type=JSON)

    _assert_refused_and_nothing_changed(response, users_before=1)


@pytest.mark.parametrize("path", FIELDS)
@pytest.mark.parametrize(
    "content_type",
    ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "application/xml", ""],
)
def test_a_body_that_is_not_json_is_415(passenger_client, path, content_type):
    response = passenger_client.generic("POST", path, b"username=asha&password=x", content_type=content_type)

    assert_json_error(response, 415, "unsupported_media_type")
    assert User.objects.count() == 1


@pytest.mark.django_db
def test_a_strange_charset_parameter_is_not_a_500(anon):
    body = json.dumps(FIELDS["/api/auth/register/"]).encode("utf-16")

    response = anon.generic("POST", "/api/auth/register/", body, content_type="application/json; charset=no-such")

    assert_json_error(response, 400)
    assert not User.objects.exists()
