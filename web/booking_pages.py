"""Tickets: the passenger's bookings, one ticket, its cancellation, and the public PNR status."""

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.views.decorators.http import require_GET, require_http_methods

from bookings import selectors, services
from irctc.errors import DomainError
from web.forms import PnrForm

MY_BOOKINGS_PAGE = 50


def _own_booking(request, booking_id: int):
    booking = selectors.visible_booking(booking_id=booking_id, user=request.user)
    if booking is None or booking.user_id != request.user.pk:
        raise Http404("No such booking.")
    return booking


@login_required
@require_GET
def my_bookings(request):
    bookings = selectors.bookings_of(request.user)[:MY_BOOKINGS_PAGE]
    return TemplateResponse(request, "web/my_bookings.html", {"bookings": bookings})


@login_required
@require_GET
def ticket(request, booking_id: int):
    return TemplateResponse(request, "web/ticket.html", {"booking": _own_booking(request, booking_id)})


@login_required
@require_http_methods(["GET", "POST"])
def cancel(request, booking_id: int):
    """GET: are you sure? POST: cancel, then back to the ticket, which now says CANCELLED."""
    booking = _own_booking(request, booking_id)
    if request.method == "POST":
        try:
            services.cancel_booking(booking_id=booking.pk, by=request.user)
        except DomainError as exc:
            context = {"booking": booking, "refusal": exc}
            return TemplateResponse(request, "web/cancel.html", context, status=exc.status_code)
        return redirect("web:ticket", booking_id=booking.pk)
    return TemplateResponse(request, "web/cancel.html", {"booking": booking})


@require_GET
def pnr_status(request):
    form = PnrForm(request.GET if "pnr" in request.GET else None)
    context, status = {"form": form}, 200
    if form.is_bound and not form.is_valid():
        status = 400
    elif form.is_bound:
        context["booking"] = selectors.pnr_status(form.cleaned_data["pnr"])
        if context["booking"] is None:
            form.add_error("pnr", "No ticket has this PNR.")
            status = 404
    return TemplateResponse(request, "web/pnr_status.html", context, status=status)
