"""The operator dashboard (ADMIN only): charts from the analytics selectors and the search logs."""

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.template.response import TemplateResponse
from django.views.decorators.http import require_GET

from analytics import selectors
from analytics.errors import SearchLogsUnavailable
from irctc.db_router import read_from_replica
from web.forms import SearchLogFilterForm

TOP_ROUTES = 10


def operator_required(view):
    """Signed-in ADMINs only: others are sent to sign in, signed-in passengers get a 403 page."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not request.user.is_admin_role:
            raise PermissionDenied("The dashboard is for operators.")
        return view(request, *args, **kwargs)

    return wrapper


def _chart_data(figures: dict) -> dict:
    """Everything the charts draw, as JSON-ready lists (the page embeds it with json_script)."""
    bookings = selectors.bookings_by_day()
    data = {
        "by_class": figures["by_class"],
        "bookings_by_day": [
            {"date": day["date"].isoformat(), "bookings": day["bookings"], "seats_sold": day["seats_sold"]}
            for day in bookings
        ],
    }
    try:
        data["top_routes"] = selectors.top_routes(limit=TOP_ROUTES, days=selectors.DASHBOARD_DAYS)
        data["latency_by_day"] = [{**day, "date": day["date"].isoformat()} for day in selectors.search_latency_by_day()]
    except SearchLogsUnavailable:
        data["top_routes"] = data["latency_by_day"] = None
    return data


@operator_required
@require_GET
@read_from_replica
def dashboard(request):
    figures = selectors.dashboard_figures()
    context = {
        "charts": _chart_data(figures),
        "figures": figures,
        "next_runs": selectors.occupancy_of_next_runs(),
        "log_filter": SearchLogFilterForm(),
    }
    return TemplateResponse(request, "web/dashboard.html", context)


def _page_query(request, page: int) -> str:
    query = request.GET.copy()
    query["page"] = str(page)
    return query.urlencode()


@operator_required
@require_GET
def search_logs(request):
    """The latest search logs, filtered and paged; htmx swaps in just the table."""
    form = SearchLogFilterForm(request.GET)
    context = {"log_filter": form, "logs": []}
    if form.is_valid():
        page = form.cleaned_data["page"] or 1
        try:
            logs, has_next = selectors.search_log_page(
                source=form.cleaned_data["source"],
                destination=form.cleaned_data["destination"],
                user_id=form.cleaned_data["user"],
                status_code=form.cleaned_data["status"],
                offset=(page - 1) * selectors.SEARCH_LOG_PAGE,
            )
            context.update(
                logs=logs,
                page=page,
                newer_query=_page_query(request, page - 1) if page > 1 else None,
                older_query=_page_query(request, page + 1) if has_next else None,
            )
        except SearchLogsUnavailable as exc:
            context["unavailable"] = exc
    template = "web/_search_logs.html" if request.htmx else "web/search_logs.html"
    return TemplateResponse(request, template, context, status=200 if form.is_valid() else 400)
