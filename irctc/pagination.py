from rest_framework.exceptions import ValidationError
from rest_framework.pagination import LimitOffsetPagination as DRFLimitOffsetPagination


def _non_negative_int(raw: str, name: str, *, minimum: int) -> int:
    try:
        value = int(raw)
    except (TypeError, ValueError):
        raise ValidationError({name: [f"Must be a whole number, at least {minimum}."]}) from None
    if value < minimum:
        raise ValidationError({name: [f"Must be at least {minimum}."]})
    return value


class LimitOffsetPagination(DRFLimitOffsetPagination):
    """`{count, next, previous, results}`; `limit` defaults to 20 and is capped at 100.

    DRF silently falls back to the default on a malformed `limit`; a client that typed
    `limit=abc` is better told so, with a 400, than shown a page it did not ask for.
    """

    default_limit = 20
    max_limit = 100

    def get_limit(self, request):
        raw = request.query_params.get(self.limit_query_param)
        if raw is None or raw == "":
            return self.default_limit
        return min(_non_negative_int(raw, self.limit_query_param, minimum=1), self.max_limit)

    def get_offset(self, request):
        raw = request.query_params.get(self.offset_query_param)
        if raw is None or raw == "":
            return 0
        return _non_negative_int(raw, self.offset_query_param, minimum=0)
