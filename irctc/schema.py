"""The OpenAPI schema says what the server enforces: the errors it answers with, the input it takes.

Clients and the schema-driven fuzzing (tests/fuzz) check each response against the schema, so an
error the schema doesn't mention looks like a defect. `document_error_responses` adds the errors
that follow from how a view is built (needs a token, needs a role, takes a body, has an `{id}`, is
throttled); errors that follow from business rules (409, 410, 422, 503) are declared by the view
itself with `extend_schema(responses={..., **error_responses(409)})`.

The fuzzing also sends requests the schema allows and expects them accepted, so a rule the server
checks and the schema leaves out looks like a defect too. Field rules are declared on the fields
(drf-spectacular reads `min_value`, `max_length`, ...; `extend_schema_field` where it can't);
what drf-spectacular misses is filled in here: the length of a `many=True` list
(`ListLengthExtension`), rules across fields (`request_rules`), and how query parameters are
read (`describe_query_parameters`).
"""

from django.http import HttpRequest
from drf_spectacular.extensions import OpenApiSerializerExtension, OpenApiSerializerFieldExtension
from drf_spectacular.plumbing import get_class
from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers
from rest_framework.permissions import SAFE_METHODS, AllowAny, IsAuthenticated, IsAuthenticatedOrReadOnly
from rest_framework.request import Request

from accounts.permissions import IsAdminRoleOrReadOnly
from irctc.pagination import LimitOffsetPagination

ERROR_COMPONENT = "Error"
ERROR_REF = {"$ref": f"#/components/schemas/{ERROR_COMPONENT}"}

DESCRIPTIONS = {
    400: "Bad input: malformed JSON or a field failed validation (`fields` says which).",
    401: "No token, or a bad or expired one (or wrong credentials when signing in).",
    403: "Signed in, but this needs another role.",
    404: "No such resource, or not yours.",
    405: "This method is not allowed here.",
    409: "Conflicts with the current state.",
    410: "Gone: it has expired.",
    411: "A chunked body without Content-Length.",
    413: "The request body is larger than the server accepts.",
    415: "The body is not JSON.",
    422: "The Idempotency-Key was reused with a different request.",
    429: "Too many requests; retry after `Retry-After` seconds.",
    503: "A dependency is down (`database_unavailable`: the database); retry after `Retry-After` seconds.",
}

RETRY_AFTER_HEADER = {"Retry-After": {"schema": {"type": "integer"}, "description": "Seconds to wait."}}

# Not refused by any permission class, or only refused for writes.
_PERMISSIONS_WITHOUT_403 = (AllowAny, IsAuthenticated)
_READ_ONLY_FRIENDLY = (IsAuthenticatedOrReadOnly, IsAdminRoleOrReadOnly)


class ErrorSerializer(serializers.Serializer):
    """The error format (docs/api.md, "Errors"). Some errors add keys of their own (say, the seats still free)."""

    code = serializers.CharField(help_text="Stable, machine-readable, e.g. `validation_error`, `not_found`.")
    detail = serializers.CharField(help_text="For humans.")
    fields = serializers.DictField(
        required=False, help_text="Validation errors only: the messages for each field that failed."
    )

    class Meta:
        ref_name = ERROR_COMPONENT


def error_responses(*status_codes: int) -> dict:
    """`extend_schema(responses=...)` entries for errors a view raises by its own rules."""
    return {code: OpenApiResponse(response=ErrorSerializer, description=DESCRIPTIONS[code]) for code in status_codes}


def _error_response(status_code: int) -> dict:
    response = {"description": DESCRIPTIONS[status_code], "content": {"application/json": {"schema": ERROR_REF}}}
    if status_code == 401:
        response["headers"] = {"WWW-Authenticate": {"schema": {"type": "string"}, "description": "`Bearer`."}}
    if status_code in {429, 503}:
        response["headers"] = dict(RETRY_AFTER_HEADER)
    return response


def _permissions(view) -> list:
    try:
        return view.get_permissions()
    except Exception:  # noqa: BLE001 - a view's own logic must not break the whole schema
        return [permission() for permission in view.permission_classes]


def _refuses_by_role(view, method: str) -> bool:
    for permission in _permissions(view):
        if isinstance(permission, _PERMISSIONS_WITHOUT_403):
            continue
        if isinstance(permission, _READ_ONLY_FRIENDLY) and method in SAFE_METHODS:
            continue
        return True
    return False


def _generic_error_codes(view, path: str, method: str, operation: dict) -> set[int]:
    codes = {405}
    takes_body = "requestBody" in operation
    if takes_body:
        codes |= {400, 411, 413, 415}
    # Query parameters and headers (Idempotency-Key) are validated like a body.
    if any(parameter.get("in") in {"query", "header"} for parameter in operation.get("parameters", [])):
        codes.add(400)
    if "{" in path:
        codes.add(404)
    # A bad Bearer token is refused wherever a view authenticates, even on views open to anyone.
    if any(requirement for requirement in operation.get("security", [])):
        codes.add(401)
    if _refuses_by_role(view, method):
        codes.add(403)
    if view.get_throttles():
        codes.add(429)
    if not type(view).__module__.startswith("drf_spectacular"):
        # Every view but the schema's own reads the database (at least the JWT user lookup), and
        # answers 503 `database_unavailable` when it can't (irctc/database_unavailable.py).
        codes.add(503)
    return codes


def _error_component() -> dict:
    """The same shape `ErrorSerializer` produces, for a schema in which no view references it."""
    return {
        "type": "object",
        "properties": {
            "code": {"type": "string"},
            "detail": {"type": "string"},
            "fields": {"type": "object", "additionalProperties": {}},
        },
        "required": ["code", "detail"],
    }


def _operations(result, generator, request):
    """Each operation of the schema with its path, method and a view set up as for a request."""
    for path, _regex, method, callback in generator.endpoints:
        operation = result["paths"].get(path, {}).get(method.lower())
        if operation is None:
            continue
        view = generator.create_view(callback, method, request)
        if view.request is None:
            # `manage.py spectacular` has no request, but views may pick permissions by method.
            http_request = HttpRequest()
            http_request.method, http_request.path = method, path
            view.request = Request(http_request)
        yield path, method, operation, view


def document_error_responses(result, generator, request, public):
    """drf-spectacular postprocessing hook: add the generic error responses to every operation."""
    for path, method, operation, view in _operations(result, generator, request):
        responses = operation.setdefault("responses", {})
        for status_code in sorted(_generic_error_codes(view, path, method, operation)):
            responses.setdefault(str(status_code), _error_response(status_code))
        if "503" in responses:  # also a view's own 503 (health's names what is down)
            responses["503"].setdefault("headers", dict(RETRY_AFTER_HEADER))
        operation["responses"] = dict(sorted(responses.items()))
    result.setdefault("components", {}).setdefault("schemas", {}).setdefault(ERROR_COMPONENT, _error_component())
    return result


# --- What the server accepts ---------------------------------------------------------------------

# The bounds irctc.pagination.LimitOffsetPagination refuses past (a larger `limit` is capped, not
# refused, so it has no maximum).
PAGINATION_MINIMUMS = {"limit": 1, "offset": 0}


def describe_query_parameters(result, generator, request, public):
    """drf-spectacular postprocessing hook: query parameters as the server reads them.

    - An optional query parameter sent empty (`?days=`) counts as not sent: DRF's fields, our
      paginator and django-filter's filters all read it so. `allowEmptyValue` says so.
    - `limit` and `offset` of the paginated lists have minimums: DRF describes them as any
      integer, our paginator answers 400 below these.
    """
    for _path, _method, operation, view in _operations(result, generator, request):
        paginator = getattr(view, "pagination_class", None)
        paginated = paginator is not None and issubclass(paginator, LimitOffsetPagination)
        for parameter in operation.get("parameters", []):
            if parameter["in"] != "query":
                continue
            if not parameter.get("required"):
                parameter["allowEmptyValue"] = True
            if paginated and parameter["name"] in PAGINATION_MINIMUMS:
                parameter["schema"]["minimum"] = PAGINATION_MINIMUMS[parameter["name"]]
    return result


class ListLengthExtension(OpenApiSerializerFieldExtension):
    """`Serializer(many=True, min_length=, max_length=)` as an array with `minItems` and `maxItems`.

    DRF enforces both; drf-spectacular reads them from a `ListField` but not from a nested list.
    """

    target_class = "rest_framework.serializers.ListSerializer"
    match_subclasses = True

    def map_serializer_field(self, auto_schema, direction):
        schema = auto_schema._map_serializer_field(self.target, direction, bypass_extensions=True)
        if schema is None:  # a list of a serializer without fields
            return None
        if self.target.min_length is not None:
            schema["minItems"] = self.target.min_length
        if self.target.max_length is not None:
            schema["maxItems"] = self.target.max_length
        return schema


_REQUEST_RULES: dict[type, dict] = {}


def request_rules(rules: dict):
    """Class decorator: JSON Schema keywords for what a serializer's input must satisfy across fields.

    A serializer's `validate` (or its service) may need one of several fields, or refuse two
    together; a field can't say that, so the rule is declared next to the serializer, e.g.
    `@request_rules({"anyOf": [{"required": ["email"]}, {"required": ["username"]}]})`, and added
    to its request component; `properties` adds keywords to single fields (`uniqueItems`). A PATCH
    (a partial serializer) requires nothing, so there the rules are left out.
    """

    def declare(serializer_class):
        _REQUEST_RULES[serializer_class] = rules
        return serializer_class

    return declare


class RequestRulesExtension(OpenApiSerializerExtension):
    """Adds the keywords declared with `request_rules` to the serializer's request component."""

    target_class = "rest_framework.serializers.Serializer"
    match_subclasses = True

    @classmethod
    def _matches(cls, target) -> bool:
        return get_class(target) in _REQUEST_RULES

    def map_serializer(self, auto_schema, direction):
        schema = auto_schema._map_serializer(self.target, direction, bypass_extensions=True)
        if direction == "request" and not getattr(self.target, "partial", False):
            rules = dict(_REQUEST_RULES[get_class(self.target)])
            for name, keywords in rules.pop("properties", {}).items():
                schema["properties"][name].update(keywords)
            schema.update(rules)
        return schema
