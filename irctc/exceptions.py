"""Domain errors: a business rule said no. Plain exceptions, free of HTTP.

Services, selectors and the inventory raise these; nothing below the API and the pages knows how
they are shown. `irctc.errors.exception_handler` turns them into the API's error format (its HTTP
status comes from `kind`), and the pages put `message` (and `fields`, next to each field) on the
form they were filling in (`web.forms.show_refusal`).

Modelled on the HackSoft Django Styleguide's `ApplicationError`: a stable `code` for programs,
a `message` for people, and `extra` keys that go into the answer as they are (the seats still
free, the PNR, the fields at fault).
"""


class ApplicationError(Exception):
    """A refusal of the domain. Subclasses set `kind`, `default_code` and `default_message`.

    `kind` says what sort of refusal it is (not which status: the API handler decides that):
    invalid, unauthenticated, not_found, conflict, gone, unprocessable or unavailable.
    """

    kind = "conflict"
    default_code = "conflict"
    default_message = "The request conflicts with the current state."

    def __init__(self, message: str | None = None, *, code: str | None = None, **extra):
        self.message = message or self.default_message
        self.code = code or self.default_code
        self.extra = extra
        super().__init__(self.message)

    @property
    def fields(self) -> dict:
        """{field: [messages]} where the refusal is about given fields, else empty."""
        return self.extra.get("fields") or {}


class InvalidInput(ApplicationError):
    """Input that is well-formed but breaks a rule, field by field: `InvalidInput({"seats": ["..."]})`."""

    kind = "invalid"
    default_code = "validation_error"
    default_message = "Invalid input."

    def __init__(self, fields: dict, message: str | None = None, *, code: str | None = None, **extra):
        super().__init__(message or first_message(fields), code=code, fields=fields, **extra)


class Unauthenticated(ApplicationError):
    kind = "unauthenticated"
    default_code = "not_authenticated"
    default_message = "Authentication failed."


class NotFound(ApplicationError):
    kind = "not_found"
    default_code = "not_found"
    default_message = "No such resource."


class Conflict(ApplicationError):
    kind = "conflict"
    default_code = "conflict"


class Gone(ApplicationError):
    kind = "gone"
    default_code = "gone"
    default_message = "This resource has expired."


class Unprocessable(ApplicationError):
    kind = "unprocessable"
    default_code = "unprocessable"
    default_message = "The request cannot be processed."


class Unavailable(ApplicationError):
    """A dependency the answer needs is down: worth retrying later."""

    kind = "unavailable"
    default_code = "service_unavailable"
    default_message = "A dependency is down."


def first_message(detail) -> str:
    """The first message of a `{field: [messages]}` tree (or a list, or a message)."""
    if isinstance(detail, dict):
        for value in detail.values():
            return first_message(value)
        return "Invalid input."
    if isinstance(detail, list | tuple):
        return first_message(detail[0]) if detail else "Invalid input."
    return str(detail)
