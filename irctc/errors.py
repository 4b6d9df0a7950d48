"""One error format for the whole API: `{code, detail}` plus `fields` for validation errors.

Services raise domain errors (`irctc.exceptions`); DRF raises its own. `exception_handler` turns both
into the error format of docs/api.md (Errors), and the `handler*` views do the same for errors Django raises before DRF runs
(unknown URLs, a crash that would otherwise render an HTML 500 page).
"""

import logging
import sys

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import HttpResponse, JsonResponse
from rest_framework import exceptions, status
from rest_framework.renderers import JSONRenderer
from rest_framework.serializers import as_serializer_error
from rest_framework.views import exception_handler as drf_exception_handler

from irctc import database_unavailable, fast_json
from irctc.exceptions import ApplicationError

logger = logging.getLogger(__name__)


def _first_message(detail) -> str:
    if isinstance(detail, dict):
        for value in detail.values():
            return _first_message(value)
        return "Invalid input."
    if isinstance(detail, list):
        return _first_message(detail[0]) if detail else "Invalid input."
    return str(detail)


def _code_of(exc: exceptions.APIException) -> str:
    if isinstance(exc.detail, dict) and "code" in exc.detail:
        # simplejwt's errors carry their own {detail, code, messages}: keep its precise code
        # (`user_inactive`, `token_not_valid`) rather than the class's generic one.
        return str(exc.detail["code"])
    codes = exc.get_codes()
    if isinstance(codes, str):
        return codes
    return exc.default_code


# Every 401 names the scheme to use, as HTTP asks, including those raised by the public sign-in
# views (which authenticate nobody, so DRF has no authenticator to take the header from).
WWW_AUTHENTICATE = 'Bearer realm="api"'


def _render_as_json(request) -> None:
    """Errors are JSON even from views whose negotiated format is another (the schema's YAML)."""
    if request is not None and not isinstance(getattr(request, "accepted_renderer", None), JSONRenderer):
        request.accepted_renderer, request.accepted_media_type = JSONRenderer(), "application/json"


# The status of each kind of domain refusal (`irctc.exceptions`): the one place that knows it.
STATUS_OF_KIND = {
    "invalid": status.HTTP_400_BAD_REQUEST,
    "unauthenticated": status.HTTP_401_UNAUTHORIZED,
    "not_found": status.HTTP_404_NOT_FOUND,
    "conflict": status.HTTP_409_CONFLICT,
    "gone": status.HTTP_410_GONE,
    "unprocessable": status.HTTP_422_UNPROCESSABLE_ENTITY,
    "unavailable": status.HTTP_503_SERVICE_UNAVAILABLE,
}


def status_of(exc: ApplicationError) -> int:
    """The HTTP status the API answers a domain refusal with (the pages answer with it too)."""
    return STATUS_OF_KIND[exc.kind]


def application_error_response(exc: ApplicationError) -> HttpResponse:
    """The error format for a domain refusal: `{code, detail}` and its extra keys (`fields`, ...).

    Rendered here, as DRF's JSONRenderer would (`fast_json`), rather than as a DRF `Response`
    negotiated and rendered after the view: a refusal is most of what a Tatkal opening answers.
    `data` is kept on it as on a `Response` (the idempotency store records it).
    """
    body = {"code": exc.code, "detail": exc.message, **exc.extra}
    response = HttpResponse(fast_json.render(body), status=status_of(exc), content_type="application/json")
    response.data = body
    if getattr(exc, "wait", None):  # a refusal that says when to try again, as DRF's `wait`
        response["Retry-After"] = str(exc.wait)
    if response.status_code == status.HTTP_401_UNAUTHORIZED:
        response["WWW-Authenticate"] = WWW_AUTHENTICATE
    return response


def exception_handler(exc, context):
    if isinstance(exc, ApplicationError):
        return application_error_response(exc)
    cause = database_unavailable.unavailability_cause(exc)
    if cause is not None and not isinstance(exc, database_unavailable.DatabaseUnavailable):
        # DRF runs authentication (the JWT user lookup) and throttling inside the view's dispatch,
        # so a database that is down surfaces here wherever it was first touched.
        exc = database_unavailable.database_unavailable(cause, context.get("request"))
    if isinstance(exc, DjangoValidationError):
        # A model's own validation (full_clean, a validator) is bad input too, never a 500.
        exc = exceptions.ValidationError(as_serializer_error(exc))
    response = drf_exception_handler(exc, context)
    if response is None:
        # Not an API exception: let Django log it and render handler500.
        return None
    if isinstance(exc, exceptions.ValidationError):
        detail = exc.detail
        fields = detail if isinstance(detail, dict) else {"non_field_errors": detail}
        body = {"code": "validation_error", "detail": _first_message(detail), "fields": fields}
    else:
        detail = exc.detail
        if isinstance(detail, dict) and "detail" in detail:
            detail = detail["detail"]
        body = {"code": _code_of(exc), "detail": _first_message(detail)}
    response.data = body
    if isinstance(exc, database_unavailable.DatabaseUnavailable):
        response._has_been_logged = True  # one line, by `database_unavailable`, is enough
    _render_as_json(context.get("request"))
    if response.status_code == status.HTTP_401_UNAUTHORIZED and not response.has_header("WWW-Authenticate"):
        response["WWW-Authenticate"] = WWW_AUTHENTICATE
    return response


def json_error(status_code: int, code: str, detail: str, **extra) -> JsonResponse:
    """The error format, for the few answers given outside DRF (middleware, Django's handlers)."""
    return JsonResponse({"code": code, "detail": detail, **extra}, status=status_code)


def handler400(request, exception=None):
    return json_error(400, "bad_request", "The request could not be understood.")


def handler403(request, exception=None):
    return json_error(403, "permission_denied", "You do not have permission to do this.")


def handler404(request, exception=None):
    return json_error(404, "not_found", "No such resource.")


def database_unavailable_response(cause: str, request) -> JsonResponse:
    """The 503 for a database failure that happened outside DRF (a middleware, a plain view)."""
    error = database_unavailable.database_unavailable(cause, request)
    response = json_error(error.status_code, error.default_code, str(error.detail))
    response["Retry-After"] = str(error.wait)
    # Logged once, by `database_unavailable`: Django would add the traceback of a 5xx.
    response._has_been_logged = True
    return response


def handler500(request):
    # Django calls this while handling the exception, so it is still the current one. Middleware
    # that touches the database (sessions, the admin's user) fails outside every view and lands
    # here rather than in `irctc.middleware.DatabaseUnavailableMiddleware`.
    cause = database_unavailable.unavailability_cause(sys.exc_info()[1] or Exception())
    if cause is not None:
        return database_unavailable_response(cause, request)
    return json_error(500, "server_error", "Internal server error. This is a defect; it has been logged.")
