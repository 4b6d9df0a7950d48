"""Refusals of the analytics: plain exceptions, free of HTTP (`irctc.exceptions`)."""

from irctc.exceptions import Unavailable


class SearchLogsUnavailable(Unavailable):
    """MongoDB, which keeps the search logs, can't be reached: the answer names it (`mongo`)."""

    default_message = "MongoDB, which keeps the search logs, is unreachable."

    def __init__(self):
        super().__init__(mongo="down")
