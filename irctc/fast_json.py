"""JSON in and out for the busiest read (search), with orjson: the standard library's encoder was
the largest single item of a search's CPU profile once the query was one statement.

`render` writes exactly the bytes DRF's JSONRenderer writes (compact, UTF-8, U+2028 and U+2029
escaped) for data made of dicts, lists, strings, integers, booleans and None, as search's is. Any
other type (a datetime, a Decimal, a lazy string: each of which DRF renders its own way) is
handed to DRF's renderer instead, so the output never differs. Floats would (orjson writes 1e16
where json writes 1e+16): don't pass them. A `fragment` (JSON text already rendered, such as a
train's stored stops) goes into the output unchanged; DRF's renderer can't take one.
"""

import orjson
from rest_framework.renderers import JSONRenderer

_OPTIONS = orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_SUBCLASS | orjson.OPT_PASSTHROUGH_DATACLASS
_LINE_SEPARATORS = ((b"\xe2\x80\xa8", b"\\u2028"), (b"\xe2\x80\xa9", b"\\u2029"))

loads = orjson.loads
# JSON text that `render` writes into its output as it is (not parsed and written again).
fragment = orjson.Fragment


def render(data) -> bytes:
    try:
        body = orjson.dumps(data, option=_OPTIONS)
    except TypeError:
        return JSONRenderer().render(data)
    for raw, escaped in _LINE_SEPARATORS:
        if raw in body:
            body = body.replace(raw, escaped)
    return body
