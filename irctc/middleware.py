from django.conf import settings

from irctc.errors import json_error


class BodySizeLimitMiddleware:
    """Refuse bodies over `MAX_BODY_BYTES` with a 413 JSON error before anything reads them.

    Django itself only notices an oversized body when a view reads it, and then answers 400.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return json_error(400, "bad_request", "Content-Length is not a number.")
        if length > settings.MAX_BODY_BYTES:
            return json_error(
                413, "payload_too_large", f"The request body is larger than {settings.MAX_BODY_BYTES} bytes."
            )
        return self.get_response(request)
