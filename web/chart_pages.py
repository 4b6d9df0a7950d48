"""The operator's reservation chart of a run (ADMIN): coach by coach, printable, the vacant berths."""

from datetime import date
from itertools import groupby

from django.contrib import messages
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.views.decorators.http import require_http_methods

from bookings import chart_selectors, charting
from irctc.exceptions import ApplicationError, NotFound
from web.dashboard_pages import operator_required


def _by_coach(rows: list[dict]) -> list[dict]:
    """Rows grouped as the printed chart shows them: class, then coach."""
    ordered = sorted(rows, key=lambda row: (row["class"], row["coach"] or "", row["berth"], row["from_station"]))
    return [
        {"class": code, "coach": coach, "rows": list(group)}
        for (code, coach), group in groupby(ordered, key=lambda row: (row["class"], row["coach"]))
    ]


@operator_required
@require_http_methods(["GET", "POST"])
def run_chart(request, train_id: int, run_date: str):
    day = date.fromisoformat(run_date)
    if request.method == "POST":
        try:
            charting.prepare_chart(train_id=train_id, run_date=day)
        except ApplicationError as refusal:
            messages.error(request, refusal.message)
        return redirect("web:run_chart", train_id=train_id, run_date=run_date)
    try:
        chart = chart_selectors.reservation_chart(train_id=train_id, run_date=day)
    except NotFound:
        context = {"train_id": train_id, "run_date": day, "chart": None}
        return TemplateResponse(request, "web/run_chart.html", context, status=404)
    context = {
        "train_id": train_id,
        "run_date": day,
        "chart": chart,
        "coaches": _by_coach(chart["passengers"]),
        "vacant_coaches": _by_coach(chart["vacant"]),
    }
    return TemplateResponse(request, "web/run_chart.html", context)
