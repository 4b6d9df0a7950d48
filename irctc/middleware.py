import json

from django.conf import settings
from django.http import HttpResponsePermanentRedirect
from django.middleware.common import CommonMiddleware as DjangoCommonMiddleware
from django.utils.http import escape_leading_slashes

from irctc import database_unavailable
from irctc.errors import database_unavailable_response, json_error


class DatabaseUnavailableMiddleware:
    """A view outside DRF (the admin, Django's own) that loses the database answers 503, not 500.

    DRF views answer through `irctc.errors.exception_handler`; what fails in another middleware
    never reaches a view and is answered by `irctc.errors.handler500` the same way.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        cause = database_unavailable.unavailability_cause(exception)
        if cause is None:
            return None
        return database_unavailable_response(cause, request)


class BodySizeLimitMiddleware:
    """Refuse bodies over `MAX_BODY_BYTES` with a 413 JSON error before anything reads them.

    Django itself only notices an oversized body when a view reads it, and then answers 400.

    A chunked body (`Transfer-Encoding: chunked`, no `Content-Length`) is refused with 411: under
    WSGI Django reads exactly `Content-Length` bytes, so it would silently see an empty body and
    answer with a confusing "field required" instead. Refusing it also means no request body is
    ever read without its size being known and checked first.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        raw_length = request.META.get("CONTENT_LENGTH") or ""
        if not raw_length and "chunked" in request.META.get("HTTP_TRANSFER_ENCODING", "").lower():
            return json_error(
                411, "length_required", "Send the body with a Content-Length header; chunked bodies are not accepted."
            )
        try:
            length = int(raw_length or 0)
        except ValueError:
            length = -1
        if length < 0:
            return json_error(400, "bad_request", "Content-Length is not a whole number of bytes.")
        if length > settings.MAX_BODY_BYTES:
            return json_error(
                413, "payload_too_large", f"The request body is larger than {settings.MAX_BODY_BYTES} bytes."
            )
        return self.get_response(request)


class CommonMiddleware(DjangoCommonMiddleware):
    """Django's, except that a path missing its trailing slash gets a 308 with a JSON body.

    Django answers 301 with an empty HTML body, which clients follow as a GET, so a POST to
    `/api/auth/login` would end in a baffling 405 (and under DEBUG Django raises instead). A 308
    tells the client to repeat the same method with the same body at the path with the slash.
    """

    def process_response(self, request, response):
        if response.status_code == 404 and self.should_redirect_with_slash(request):
            location = escape_leading_slashes(request.get_full_path(force_append_slash=True))
            body = {
                "code": "trailing_slash_required",
                "detail": f"API paths end with '/': send this request to {location}",
            }
            return HttpResponsePermanentRedirect(
                location, preserve_request=True, content=json.dumps(body), content_type="application/json"
            )
        return super().process_response(request, response)
