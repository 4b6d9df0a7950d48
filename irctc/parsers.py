"""The one request parser of the API: JSON, with every malformed body answered by a 400."""

from rest_framework import parsers
from rest_framework.exceptions import ParseError

from irctc import fast_json


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser, also refusing bodies nested too deeply to decode.

    The standard library raises RecursionError (not ValueError) for something like 30 000 opening
    brackets, which fits well under `MAX_BODY_BYTES`; DRF would let that escape as a 500.
    """

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            return super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError("JSON parse error - the document is nested too deeply.") from None


def plain_json(request):
    """`request.data` for a body sent as `application/json` that decodes cleanly, read without DRF's
    parsing machinery (its media-type negotiation and stream wrapping cost a booking request more
    than decoding the body does); anything else goes to `request.data`, which gives DRF's answer
    or error for it. The result is the same either way: orjson and the standard library decode
    every document both accept to the same values, and whatever orjson refuses (a lone surrogate,
    an integer beyond 64 bits, NaN) is decoded by DRF, which accepts or refuses it as before."""
    body = plain_json_body(request)
    return request.data if body is None else body


def plain_json_body(request):
    """What `plain_json` decodes without DRF; None for a body it leaves to DRF (and for `null`).
    Never reads `request.data`, so a view may read the body early with it and leave what is wrong
    with the body to DRF's parsing, later."""
    django_request = getattr(request, "_request", request)
    if django_request.META.get("CONTENT_TYPE", "") == "application/json":
        body = django_request.body
        if body:
            try:
                return fast_json.loads(body)
            except ValueError:
                pass
    return None
