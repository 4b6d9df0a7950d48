"""Tickets: the passenger's bookings, one ticket, its cancellation, and the public PNR status."""

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.views.decorators.http import require_GET, require_http_methods

from bookings import cancellation, selectors, services, ticket_selectors, tickets
from bookings.serializers import passenger_data
from irctc.db_router import read_from_replica
from irctc.errors import status_of
from irctc.exceptions import ApplicationError, NotFound
from web.forms import PnrForm

MY_BOOKINGS_PAGE = 50


def _own_booking(request, booking_id: int):
    booking = selectors.visible_booking(booking_id=booking_id, user=request.user)
    if booking is None or booking.user_id != request.user.pk:
        raise Http404("No such booking.")
    return booking


@login_required
@require_GET
@read_from_replica
def my_bookings(request):
    bookings = selectors.bookings_by_journey(request.user, limit=MY_BOOKINGS_PAGE)
    return TemplateResponse(request, "web/my_bookings.html", bookings)


def _ticket_context(booking) -> dict:
    """The ticket as the pages show it: journey times and each traveller's coach and berth (the
    shared one while RAC) and status, as booked and now."""
    departure, arrival = selectors.journey_times(booking)
    travellers = [
        {**passenger_data(booking.class_code, passenger), **selectors.passenger_status_data(passenger)}
        for passenger in booking.passenger_list
    ]
    return {
        "booking": booking,
        "departure": departure,
        "arrival": arrival,
        "travellers": travellers,
        "fare": booking.fare_breakdown,
        "fare_total": booking.fare,
        "fare_passengers": booking.seats,
    }


@login_required
@require_GET
def ticket(request, booking_id: int):
    return TemplateResponse(request, "web/ticket.html", _ticket_context(_own_booking(request, booking_id)))


@login_required
@require_GET
@read_from_replica
def ticket_pdf(request, booking_id: int):
    """The e-ticket to keep, for the booking's owner or an ADMIN."""
    ticket = ticket_selectors.e_ticket(booking_id=booking_id, user=request.user)
    if ticket is None:
        raise Http404("No such booking.")
    return tickets.ticket_response(ticket)


@login_required
@require_http_methods(["GET", "POST"])
def cancel(request, booking_id: int):
    """GET: are you sure? POST: cancel, then back to the ticket, which now says CANCELLED."""
    booking = _own_booking(request, booking_id)
    if request.method == "POST":
        try:
            services.cancel_booking(booking_id=booking.pk, by=request.user)
        except ApplicationError as refusal:
            context = {**_ticket_context(booking), "refusal": refusal}
            return TemplateResponse(request, "web/cancel.html", context, status=status_of(refusal))
        return redirect("web:ticket", booking_id=booking.pk)
    context = _ticket_context(booking)
    if booking.status != "CANCELLED":
        try:
            context["refund"] = cancellation.refund_quote(booking_id=booking.pk, by=request.user)
        except ApplicationError as refusal:
            context["refusal"] = refusal
    return TemplateResponse(request, "web/cancel.html", context)


@require_GET
@read_from_replica
def pnr_status(request):
    form = PnrForm(request.GET if "pnr" in request.GET else None)
    context, status = {"form": form}, 200
    if form.is_bound and not form.is_valid():
        status = 400
    elif form.is_bound:
        try:
            context["status"] = ticket_selectors.pnr_status(form.cleaned_data["pnr"])
        except NotFound:
            form.add_error("pnr", "No ticket has this PNR.")
            status = 404
    return TemplateResponse(request, "web/pnr_status.html", context, status=status)
