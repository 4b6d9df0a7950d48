"""The passenger's way from a search to a held seat: search, seat map, passengers, hold."""

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from rest_framework.exceptions import APIException

from bookings import selectors as booking_selectors
from bookings import services
from bookings.models import Hold
from trains import selectors as train_selectors
from web.forms import (
    MAX_PASSENGERS,
    JourneyDateForm,
    PassengerFormSet,
    SearchForm,
    SeatChoiceForm,
    WaitlistForm,
    show_refusal,
)

SEARCH_PAGE = 20


@require_GET
def home(request):
    return TemplateResponse(request, "web/home.html", {"form": SearchForm()})


@require_GET
def station_suggestions(request):
    """htmx: the `<option>`s of a station box's datalist for what has been typed so far."""
    typed = request.GET.get("source") or request.GET.get("destination") or request.GET.get("q") or ""
    return TemplateResponse(
        request, "web/_station_options.html", {"stations": train_selectors.stations_matching(typed[:64])}
    )


@require_GET
def search(request):
    form = SearchForm(request.GET)
    context = {"form": form, "searched": False}
    if form.is_valid():
        count, trains = train_selectors.search_page(
            source=form.cleaned_data["source"],
            destination=form.cleaned_data["destination"],
            travel_date=form.cleaned_data.get("date"),
            offset=0,
            limit=SEARCH_PAGE,
        )
        context.update(searched=True, count=count, trains=[{**train, "duration": _duration(train)} for train in trains])
    response = TemplateResponse(request, "web/search.html", context, status=200 if form.is_valid() else 400)
    # The search-timing middleware logs this search as it logs the API's.
    response.search_result_count = context.get("count")
    return response


def _duration(train: dict) -> str:
    """`16 h 40 min` from departure to arrival, across `arrival_day_offset` midnights."""
    departs, arrives = train["departure_time"], train["arrival_time"]
    minutes = (
        train["arrival_day_offset"] * 24 * 60 + (arrives.hour - departs.hour) * 60 + arrives.minute - departs.minute
    )
    return f"{minutes // 60} h {minutes % 60:02d} min"


SEAT_BLOCK = 72


def _seat_blocks(seats: dict) -> list[dict]:
    """The seat map in blocks of `SEAT_BLOCK` seats, each `{first, last, seats: [(number, free)]}`."""
    free = set(seats["free_seat_numbers"])
    blocks = []
    for first in range(1, seats["total_seats"] + 1, SEAT_BLOCK):
        last = min(first + SEAT_BLOCK - 1, seats["total_seats"])
        numbers = range(first, last + 1)
        blocks.append({"first": first, "last": last, "seats": [(number, number in free) for number in numbers]})
    return blocks


def _journey(train_id: int, travel_date: str):
    """The train and a valid travel date from the URL, or the refusal to show in place of a seat map."""
    try:
        train = train_selectors.get_active_train(train_id)
    except APIException as exc:
        raise Http404("No such train.") from exc
    form = JourneyDateForm({"date": travel_date})
    return train, form


@require_GET
def seat_map(request, train_id: int, travel_date: str):
    train, date_form = _journey(train_id, travel_date)
    return _seat_map_page(request, train, date_form, SeatChoiceForm(total_seats=train.total_seats))


def _seat_map_page(request, train, date_form, seat_form, *, refusal: APIException | None = None):
    context = {"train": train, "date_form": date_form, "seat_form": seat_form, "max_seats": MAX_PASSENGERS}
    if date_form.is_valid():
        try:
            context["seats"] = train_selectors.seat_map_for(train=train, travel_date=date_form.cleaned_data["date"])
            context["seat_blocks"] = _seat_blocks(context["seats"])
        except APIException as exc:
            show_refusal(date_form, exc)
    context["refusal"] = refusal
    if refusal is not None:
        status = refusal.status_code
    else:
        status = 200 if date_form.is_valid() and not seat_form.errors else 400
    return TemplateResponse(request, "web/seat_map.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def passengers(request, train_id: int, travel_date: str):
    """GET: a passenger form per seat ticked on the seat map. POST: hold those seats for them."""
    train, date_form = _journey(train_id, travel_date)
    seat_form = SeatChoiceForm(request.POST if request.method == "POST" else request.GET, total_seats=train.total_seats)
    if not (date_form.is_valid() and seat_form.is_valid()):
        return _seat_map_page(request, train, date_form, seat_form)
    seat_numbers = seat_form.cleaned_data["seat"]
    if request.method == "GET":
        formset = PassengerFormSet(initial=[{}] * len(seat_numbers))
    else:
        formset = PassengerFormSet(request.POST)
    context = {"train": train, "travel_date": date_form.cleaned_data["date"], "seat_numbers": seat_numbers}
    if request.method == "POST" and formset.is_valid() and formset.total_form_count() == len(seat_numbers):
        try:
            hold = services.hold_seats(
                user=request.user, train=train, travel_date=date_form.cleaned_data["date"], seat_numbers=seat_numbers
            )
        except APIException as exc:
            # Someone took a seat meanwhile, or the journey can no longer be booked: the seat
            # map, as it is now, says so.
            return _seat_map_page(request, train, date_form, SeatChoiceForm(total_seats=train.total_seats), refusal=exc)
        return redirect("web:hold", hold_id=hold.pk)
    status = 400 if formset.is_bound else 200
    return TemplateResponse(request, "web/passengers.html", {**context, "formset": formset}, status=status)


@login_required
@require_POST
def join_waitlist(request, train_id: int, travel_date: str):
    """A sold-out run: book `seats` seats on its waitlist, if it has room."""
    train, date_form = _journey(train_id, travel_date)
    seat_count = WaitlistForm(request.POST)
    if not (date_form.is_valid() and seat_count.is_valid()):
        return _seat_map_page(request, train, date_form, SeatChoiceForm(total_seats=train.total_seats))
    try:
        booking = services.book_seats(
            user=request.user,
            train=train,
            travel_date=date_form.cleaned_data["date"],
            seats=seat_count.cleaned_data["seats"],
            allow_waitlist=True,
        )
    except APIException as exc:
        return _seat_map_page(request, train, date_form, SeatChoiceForm(total_seats=train.total_seats), refusal=exc)
    return redirect("web:ticket", booking_id=booking.pk)


def _own_hold(request, hold_id: int) -> Hold:
    try:
        hold = booking_selectors.hold_for_display(hold_id)
    except Hold.DoesNotExist as exc:
        raise Http404("No such hold.") from exc
    if hold.user_id != request.user.pk or hold.released_at is not None:
        raise Http404("No such hold.")
    return hold


@login_required
@require_GET
def hold(request, hold_id: int):
    hold = _own_hold(request, hold_id)
    if hold.booking_id is not None:
        return redirect("web:ticket", booking_id=hold.booking_id)
    return TemplateResponse(request, "web/hold.html", {"hold": hold})


@login_required
@require_POST
def confirm_hold(request, hold_id: int):
    hold = _own_hold(request, hold_id)
    try:
        booking = services.confirm_hold(hold_id=hold.pk, by=request.user)
    except APIException as exc:
        return TemplateResponse(request, "web/hold.html", {"hold": hold, "refusal": exc}, status=exc.status_code)
    return redirect("web:ticket", booking_id=booking.pk)


@login_required
@require_POST
def release_hold(request, hold_id: int):
    hold = _own_hold(request, hold_id)
    try:
        services.release_hold(hold_id=hold.pk, by=request.user)
    except APIException as exc:
        return TemplateResponse(request, "web/hold.html", {"hold": hold, "refusal": exc}, status=exc.status_code)
    return redirect("web:seat_map", train_id=hold.run.train_id, travel_date=hold.run.travel_date.isoformat())
