"""The one request parser of the API: JSON, with every malformed body answered by a 400."""

from rest_framework import parsers
from rest_framework.exceptions import ParseError


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
