"""A passenger's status in the words of an Indian Railways ticket: "CNF S3/22", "RAC 4", "WL 12",
"CAN", and as booked and now, "WL 12 → RAC 2". Shared by the pages and the PDF e-ticket; which
status applies is the inventory's call (`booking_status`, `current_status`), this only says it.
"""


def passenger_status_label(status: dict | None, *, coach: str | None = None, berth: int | None = None) -> str:
    """One passenger status (`{status, position}`) in words: "CNF S3/22" (with the coach and berth
    of a confirmed passenger), "RAC 4" and "WL 12" (the place in the queue), "CAN"."""
    if not status:
        return ""
    kind, position = status.get("status"), status.get("position")
    if kind == "CANCELLED":
        return "CAN"
    if kind == "CNF":
        if coach and berth is not None:
            return f"CNF {coach}/{berth}"
        if berth is not None:
            return f"CNF {berth}"
        return "CNF"
    return f"{kind} {position}" if position is not None else str(kind)


def status_change_label(booked: dict | None, current: dict | None, **berth) -> str:
    """As booked and as now, IRCTC's way: "WL 12 → RAC 2"; one status when nothing moved."""
    now = passenger_status_label(current, **berth)
    then = passenger_status_label(booked) if booked else ""
    if not then or _same(booked, current):
        return now
    return f"{then} → {now}"


def _same(booked: dict | None, current: dict | None) -> bool:
    return bool(booked and current) and (booked.get("status"), booked.get("position")) == (
        current.get("status"),
        current.get("position"),
    )
