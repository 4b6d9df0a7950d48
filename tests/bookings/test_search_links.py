"""Search wraps its rendered results in `{count, next, previous, results}` itself
(`bookings.apis.SearchPagination.page_body`), reading a plain query once for both links; the links
must be exactly those DRF's LimitOffsetPagination gives, for every query, plain or not."""

from django.test import RequestFactory
from hypothesis import example, given, settings
from hypothesis import strategies as st
from rest_framework.pagination import LimitOffsetPagination
from rest_framework.request import Request

from bookings.apis import SearchPagination
from irctc import fast_json

NAMES = st.one_of(
    st.sampled_from(["source", "destination", "date", "class", "limit", "offset", "", "limit+", "a+b", "a-b", "A"]),
    st.text(st.sampled_from("aZ09_.~-+% é;=#/?"), max_size=8),
)
VALUES = st.one_of(
    st.sampled_from(["New+Delhi", "Mumbai+Central", "2026-12-09", "3A", "5", "", "New%20Delhi", "%41", "%zz", "é"]),
    st.text(st.sampled_from("aZ09_.~-+% é;=&#/?"), max_size=8),
)


# What the plain-query reading takes: letters, digits, "_.~-" and "+".
PLAIN_NAMES = st.one_of(
    st.sampled_from(["source", "destination", "date", "limit", "offset", "limit+", "a+b", "a-b", "A", "_"]),
    st.text(st.sampled_from("aZ09_.~-+"), max_size=6),
)
PLAIN_VALUES = st.text(st.sampled_from("aZ09_.~-+"), max_size=8)


@st.composite
def query_strings(draw, names=NAMES, values=VALUES):
    pairs = draw(st.lists(st.tuples(names, values), max_size=6))
    parts = [name if draw(st.integers(0, 9)) == 0 else f"{name}={value}" for name, value in pairs]
    return "&".join(parts)


def drf_links(request, offset, limit, count):
    pagination = LimitOffsetPagination()
    pagination.request, pagination.offset, pagination.limit, pagination.count = request, offset, limit, count
    return pagination.get_next_link(), pagination.get_previous_link()


@settings(max_examples=600, deadline=None)
@given(
    st.one_of(query_strings(), query_strings(PLAIN_NAMES, PLAIN_VALUES)),
    st.integers(0, 40),
    st.integers(1, 30),
    st.integers(0, 80),
)
@example("source=New+Delhi&destination=Mumbai+Central&date=2026-12-09", 0, 20, 25)
@example("source=New+Delhi&destination=Mumbai+Central&limit=5&offset=10", 10, 5, 25)
@example("source=New+Delhi&destination=Mumbai+Central&offset=3&limit=5&offset=4", 3, 5, 25)
@example("source=a+b&source=a-b&a+b=1&a-b=2", 7, 5, 10)
def test_the_links_are_drfs(query, offset, limit, count):
    request = Request(RequestFactory().get("/api/trains/search/"))
    request._request.META["QUERY_STRING"] = query
    body = SearchPagination().page_body(request, offset=offset, limit=limit, count=count, results=b"[]")
    page = fast_json.loads(body)
    assert (page["next"], page["previous"]) == drf_links(request, offset, limit, count)
    assert page["count"] == count and page["results"] == []


def test_a_plain_query_is_read_once_for_both_links(monkeypatch):
    def per_link(*args, **kwargs):
        raise AssertionError("read the query again for a link")

    monkeypatch.setattr(LimitOffsetPagination, "get_next_link", per_link)
    monkeypatch.setattr(LimitOffsetPagination, "get_previous_link", per_link)
    request = Request(RequestFactory().get("/api/trains/search/?source=New+Delhi&destination=Kota+Jn&offset=5"))
    page = fast_json.loads(SearchPagination().page_body(request, offset=5, limit=5, count=25, results=b"[]"))
    assert page["next"] == "http://testserver/api/trains/search/?destination=Kota+Jn&limit=5&offset=10&source=New+Delhi"
    assert page["previous"] == "http://testserver/api/trains/search/?destination=Kota+Jn&limit=5&source=New+Delhi"
