"""The passenger's way from a search to a held seat: search, seat map, passengers, hold."""

from datetime import date, datetime
from itertools import groupby
from operator import attrgetter

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from bookings import selectors as booking_selectors
from bookings import services, ticket_selectors
from bookings.inventory.quotas import (
    SENIOR_CITIZENS,
    SENIOR_MAX_PASSENGERS,
    TATKAL_MAX_PASSENGERS,
    tatkal_not_open_until,
)
from bookings.models import MAX_SEATS_PER_BOOKING, Hold
from bookings.search_page import search_page
from bookings.serializers import passenger_data
from irctc.db_router import read_from_replica
from irctc.errors import status_of
from irctc.exceptions import ApplicationError
from trains import selectors as train_selectors
from trains.errors import TrainNotFound
from trains.fares import FareBreakdown, booking_fare
from trains.layouts import BERTH_TYPE_NAMES, LAYOUTS, berth_of
from trains.models import Train
from trains.pools import ALL_QUOTAS, GENERAL_QUOTA, QUOTA_NAMES, TATKAL_QUOTA, Pools, pools_of_class
from web.forms import (
    JourneyForm,
    PassengerFormSet,
    SearchForm,
    SeatChoiceForm,
    WaitlistForm,
    show_passenger_refusal,
    show_refusal,
)
from web.statuses import availability_label, availability_tone, quota_rules

STATION_SUGGESTIONS = 8
# Seats of a class without coaches (GEN) are shown in blocks of this many.
GENERAL_BLOCK = 100
# How many seats the seat map lets one tick per quota: the booking's own limit, so a passenger
# isn't led to choose seats the hold would refuse (the service checks it again).
QUOTA_MAX_PASSENGERS = {TATKAL_QUOTA: TATKAL_MAX_PASSENGERS, SENIOR_CITIZENS: SENIOR_MAX_PASSENGERS}


@require_GET
def home(request):
    return TemplateResponse(request, "web/home.html", {"form": SearchForm()})


@require_GET
@read_from_replica
def station_suggestions(request):
    """htmx: the `<option>`s of a station box's datalist for what has been typed so far."""
    typed = request.GET.get("source") or request.GET.get("destination") or request.GET.get("q") or ""
    return TemplateResponse(
        request,
        "web/_station_options.html",
        {"stations": train_selectors.stations_matching(typed[:64], limit=STATION_SUGGESTIONS)},
    )


@require_GET
@read_from_replica
def search(request):
    form = SearchForm(request.GET)
    context = {"form": form, "searched": False}
    if form.is_valid():
        arguments = form.search_arguments()
        found = search_page(**arguments)
        context.update(
            searched=True,
            count=found.count,
            journeys=[_result(journey) for journey in found.journeys],
            found=found,
            quota=arguments["quota"],
            swap_url=_search_url(request, source=arguments["destination"], destination=arguments["source"]),
            previous_day_url=found.previous_day and _search_url(request, date=found.previous_day.isoformat()),
            next_day_url=found.next_day and _search_url(request, date=found.next_day.isoformat()),
            suggestion_urls=[
                (name, _search_url(request, **{field: name}))
                for field, names in found.suggestions.items()
                for name in names
            ],
        )
    response = TemplateResponse(request, "web/search.html", context, status=200 if form.is_valid() else 400)
    # The search-timing middleware logs this search as it logs the API's.
    response.search_result_count = context.get("count")
    return response


def _search_url(request, **changes) -> str:
    query = request.GET.copy()
    for name, value in changes.items():
        query[name] = value
    return f"{reverse('web:search')}?{query.urlencode()}"


@require_GET
@read_from_replica
def timetable(request, train_id: int):
    """A train's timetable: every stop with its times, the day of the journey and the distance."""
    try:
        return TemplateResponse(request, "web/timetable.html", train_selectors.timetable_of(train_id))
    except TrainNotFound as exc:
        raise Http404("No such train.") from exc


def _result(journey: dict) -> dict:
    """A search result as the API shows it, as the page shows it: its dates and times to format,
    a readable duration, per class its availability in words and a seat-map link."""
    minutes = journey["duration_minutes"]
    seat_map_path = reverse("web:seat_map", args=[journey["id"], journey["travel_date"]])
    availability = [
        {
            **option,
            "class_name": LAYOUTS[option["class"]].name,
            "label": availability_label(option),
            "tone": availability_tone(option),
            "seat_map_url": seat_map_path
            + "?"
            + journey_query(
                from_station=journey["from_station"],
                to_station=journey["to_station"],
                class_code=option["class"],
                quota=option["quota"],
            ),
        }
        for option in journey["availability"]
    ]
    return {
        **journey,
        "runs_on_text": "Daily"
        if len(journey["runs_on"]) == 7
        else " ".join(day.title() for day in journey["runs_on"]),
        "timetable_url": reverse("web:timetable", args=[journey["id"]]),
        "train": journey,  # the API's result is the train, with the journey's fields after it
        "travel_date": date.fromisoformat(journey["travel_date"]),
        "departure": datetime.fromisoformat(journey["departure"]),
        "arrival": datetime.fromisoformat(journey["arrival"]),
        "duration_text": f"{minutes // 60} h {minutes % 60:02d} min",
        "availability": availability,
    }


def journey_query(*, from_station: str, to_station: str, class_code: str, quota: str = GENERAL_QUOTA) -> str:
    """The query string that names a journey on the seat map and the pages after it (the quota
    only when it is not the general one, so those links read as they always did)."""
    query = {"from": from_station, "to": to_station, "class": class_code}
    if quota != GENERAL_QUOTA:
        query["quota"] = quota
    return urlencode(query)


def _train(train_id: int) -> Train:
    try:
        return train_selectors.get_active_train(train_id)
    except TrainNotFound as exc:
        raise Http404("No such train.") from exc


def _journey_form(request, travel_date: str) -> JourneyForm:
    source = request.POST if request.method == "POST" else request.GET
    return JourneyForm(
        {"date": travel_date, **{name: source.get(name, "") for name in ("from", "to", "class", "quota")}}
    )


def _coaches(seats: dict, pools: Pools | None) -> list[dict]:
    """The class's seats by coach (blocks of seats without coaches): `{name, seats: [...]}`.

    With `pools` (a class split into quotas), a seat outside the quota's pool is shown as another
    quota's, and an RAC berth as RAC: neither can be chosen here, whether free or not.
    """
    free = set(seats["free_seat_numbers"])
    berths = [berth_of(seats["class_code"], number) for number in range(1, seats["total_seats"] + 1)]
    if LAYOUTS[seats["class_code"]].has_coaches:
        groups = [(f"Coach {coach}", list(group)) for coach, group in groupby(berths, key=attrgetter("coach"))]
    else:
        blocks = [berths[first : first + GENERAL_BLOCK] for first in range(0, len(berths), GENERAL_BLOCK)]
        groups = [(f"Seats {block[0].seat_number}–{block[-1].seat_number}", block) for block in blocks]
    pool = None if pools is None else set(pools.seats[seats["quota"]])
    coaches = [{"name": name, "seats": [_seat(berth, free, pool, pools) for berth in group]} for name, group in groups]
    for index, coach in enumerate(coaches):
        coach["id"] = f"coach-{index + 1}"
        coach["free"] = sum(seat["free"] for seat in coach["seats"])
    # The coach the page opens on: the first with a free seat.
    opening = next((coach for coach in coaches if coach["free"]), coaches[0] if coaches else None)
    if opening is not None:
        opening["opening"] = True
    return coaches


def _seat(berth, free: set[int], pool: set[int] | None, pools: Pools | None) -> dict:
    number = berth.seat_number
    if pools is not None and pools.is_rac(number):
        state = "rac"
    elif pool is not None and number not in pool:
        state = "quota"
    else:
        state = "free" if number in free else "taken"
    return {
        "number": number,
        "berth": berth.berth,
        "berth_type": berth.berth_type,
        "type_name": BERTH_TYPE_NAMES.get(berth.berth_type, ""),
        "free": state == "free",
        "state": state,
        "quota": pools.quota_of(number) if pools is not None else GENERAL_QUOTA,
    }


@require_GET
@read_from_replica
def seat_map(request, train_id: int, travel_date: str):
    train = _train(train_id)
    return _seat_map_page(
        request, train, _journey_form(request, travel_date), SeatChoiceForm(), again=request.GET.get("again")
    )


def _seat_map_page(request, train, journey_form, seat_form, *, refusal: ApplicationError | None = None, again=None):
    context = {
        "again": again,
        "train": train,
        "journey_form": journey_form,
        "seat_form": seat_form,
        "max_seats": MAX_SEATS_PER_BOOKING,
        "refusal": refusal,
    }
    if journey_form.is_valid():
        try:
            seats = booking_selectors.seat_map(train=train, **journey_form.service_arguments())
        except ApplicationError as exc:
            show_refusal(journey_form, exc)
        else:
            context.update(seats=seats, **_quota_context(train, seats))
    if refusal is not None:
        status = status_of(refusal)
    else:
        status = 200 if journey_form.is_valid() and not seat_form.errors else 400
    return TemplateResponse(request, "web/seat_map.html", context, status=status)


def _quota_context(train: Train, seats: dict) -> dict:
    """What the seat map shows of the train's classes and the class's quotas: a tab per class, one
    per quota the class sets seats aside for,
    the berths of the quota chosen, how many passengers one booking of it may carry, and, for
    Tatkal, when it opens."""
    pools_by_class = {travel_class.code: pools_of_class(travel_class) for travel_class in train.class_list()}
    pools = pools_by_class[seats["class_code"]]
    quota = seats["quota"]

    def query(quota: str, class_code: str = seats["class_code"]) -> str:
        return journey_query(
            from_station=seats["from_station"], to_station=seats["to_station"], class_code=class_code, quota=quota
        )

    return {
        # Another class keeps the quota chosen where it has one.
        "class_tabs": [
            {
                "code": code,
                "query": query(quota if other.seats[quota] else GENERAL_QUOTA, code),
                "current": code == seats["class_code"],
            }
            for code, other in pools_by_class.items()
        ],
        "coaches": _coaches(seats, None if pools.plain else pools),
        "journey_query": query(quota),
        "quota_name": QUOTA_NAMES[quota],
        "quota_rules": quota_rules(quota),
        "quota_tabs": [
            {"quota": code, "name": QUOTA_NAMES[code], "query": query(code), "current": code == quota}
            for code in ALL_QUOTAS
            if code == GENERAL_QUOTA or pools.seats[code]
        ],
        "rac_berths": len(pools.rac_berths),
        "max_seats": QUOTA_MAX_PASSENGERS.get(quota, MAX_SEATS_PER_BOOKING),
        "tatkal_opens_at": tatkal_not_open_until(seats["run_date"], seats["class_code"], quota),
    }


@login_required
@require_http_methods(["GET", "POST"])
def passengers(request, train_id: int, travel_date: str):
    """GET: a passenger form per seat ticked on the seat map. POST: hold those seats for them."""
    train = _train(train_id)
    journey_form = _journey_form(request, travel_date)
    seat_form = SeatChoiceForm(request.POST if request.method == "POST" else request.GET)
    if not (journey_form.is_valid() and seat_form.is_valid()):
        return _seat_map_page(request, train, journey_form, seat_form)
    seat_numbers = seat_form.cleaned_data["seat"]
    formset = _passenger_formset(request, journey_form, seat_numbers)
    code = journey_form.cleaned_data.get("class_code") or "GEN"
    context = {
        "train": train,
        "journey_form": journey_form,
        "seat_numbers": seat_numbers,
        "berths": [berth_of(code, number) for number in sorted(seat_numbers)],
        "formset": formset,
        "quota_name": QUOTA_NAMES[journey_form.cleaned_data["quota"]],
        "quota_rules": quota_rules(journey_form.cleaned_data["quota"]),
        "back_query": journey_query(
            from_station=journey_form.cleaned_data["from"],
            to_station=journey_form.cleaned_data["to"],
            class_code=journey_form.cleaned_data["class_code"],
            quota=journey_form.cleaned_data["quota"],
        ),
    }
    context.update(_fare(train_selectors.fare_quote(train=train, **journey_form.service_arguments()), seat_numbers))
    if request.method == "POST" and formset.is_valid() and formset.total_form_count() == len(seat_numbers):
        try:
            hold = services.hold_seats(
                user=request.user,
                train=train,
                seat_numbers=seat_numbers,
                passengers=[form.cleaned_data for form in formset],
                **journey_form.service_arguments(),
            )
        except ApplicationError as exc:
            if show_passenger_refusal(formset, exc):
                # A passenger the quota doesn't take (SS, LD): said next to that passenger.
                return TemplateResponse(request, "web/passengers.html", context, status=status_of(exc))
            # Someone took a seat meanwhile, or the journey can no longer be booked: the seat
            # map, as it is now, says so.
            return _seat_map_page(request, train, journey_form, SeatChoiceForm(), refusal=exc)
        return redirect("web:hold", hold_id=hold.pk)
    status = 400 if formset.is_bound else 200
    return TemplateResponse(request, "web/passengers.html", context, status=status)


def _fare(breakdown: FareBreakdown | None, seats: list) -> dict:
    """What `_fare.html` shows: each passenger's fare and what all of them pay."""
    return {"fare": breakdown, "fare_total": booking_fare(breakdown, len(seats)), "fare_passengers": len(seats)}


@login_required
@require_POST
def seating(request, train_id: int, travel_date: str):
    """htmx, as the passengers are typed in: who would sit where, before anything is held."""
    journey_form, seat_form = _journey_form(request, travel_date), SeatChoiceForm(request.POST)
    travellers = None
    if journey_form.is_valid() and seat_form.is_valid():
        seats = seat_form.cleaned_data["seat"]
        formset = _passenger_formset(request, journey_form, seats)
        if formset.is_valid() and formset.total_form_count() == len(seats):
            travellers = ticket_selectors.seating(
                class_code=journey_form.cleaned_data.get("class_code") or "GEN",
                seat_numbers=seats,
                passengers=[form.cleaned_data for form in formset],
            )
    return TemplateResponse(request, "web/_seating.html", {"travellers": travellers})


def _passenger_formset(request, journey_form: JourneyForm, seat_numbers: list[int]):
    """A form per seat: blank on GET, as sent on POST; berth types offered are the class's."""
    form_kwargs = {"class_code": journey_form.cleaned_data.get("class_code") or "GEN"}
    if request.method == "GET":
        # Back from a hold ("choose seats again"): its travellers, as they were typed.
        typed = booking_selectors.travellers_of_hold(hold_id=request.GET.get("again"), user=request.user)
        initial = [*typed[: len(seat_numbers)], *[{}] * (len(seat_numbers) - len(typed))]
        return PassengerFormSet(initial=initial, form_kwargs=form_kwargs)
    return PassengerFormSet(request.POST, form_kwargs=form_kwargs)


@login_required
@require_POST
def join_waitlist(request, train_id: int, travel_date: str):
    """A sold-out journey: book `seats` seats on its class's waitlist, if it has room."""
    train = _train(train_id)
    journey_form = _journey_form(request, travel_date)
    seat_count = WaitlistForm(request.POST)
    if not (journey_form.is_valid() and seat_count.is_valid()):
        return _seat_map_page(request, train, journey_form, SeatChoiceForm())
    try:
        booking = services.book_seats(
            user=request.user,
            train=train,
            seats=seat_count.cleaned_data["seats"],
            allow_waitlist=True,
            **journey_form.service_arguments(),
        )
    except ApplicationError as exc:
        return _seat_map_page(request, train, journey_form, SeatChoiceForm(), refusal=exc)
    return redirect("web:ticket", booking_id=booking.pk)


def _own_hold(request, hold_id: int) -> Hold:
    try:
        hold = booking_selectors.hold_for_display(hold_id)
    except Hold.DoesNotExist as exc:
        raise Http404("No such hold.") from exc
    if hold.user_id != request.user.pk or hold.released_at is not None:
        raise Http404("No such hold.")
    return hold


def _hold_page(request, hold: Hold, *, refusal: ApplicationError | None = None):
    context = {
        "hold": hold,
        "travellers": [passenger_data(hold.class_code, passenger) for passenger in hold.passengers],
        "seat_map_url": _seat_map_url(hold) + "&" + urlencode({"again": hold.pk}),
        "confirmable": refusal is None and hold.is_live,
        "refusal": refusal,
    }
    # Confirming charges the fare of the held journey on the train as it is then: as shown here.
    quote = train_selectors.fare_quote(
        train=hold.run.train,
        travel_date=hold.travel_date,
        from_station=hold.from_station,
        to_station=hold.to_station,
        class_code=hold.class_code,
        quota=hold.quota,
    )
    context.update(_fare(quote, hold.seat_numbers))
    return TemplateResponse(request, "web/hold.html", context, status=status_of(refusal) if refusal else 200)


def _seat_map_url(hold: Hold) -> str:
    path = reverse("web:seat_map", args=[hold.run.train_id, hold.travel_date.isoformat()])
    query = journey_query(
        from_station=hold.from_station, to_station=hold.to_station, class_code=hold.class_code, quota=hold.quota
    )
    return f"{path}?{query}"


@login_required
@require_GET
def hold(request, hold_id: int):
    hold = _own_hold(request, hold_id)
    if hold.booking_id is not None:
        return redirect("web:ticket", booking_id=hold.booking_id)
    return _hold_page(request, hold)


@login_required
@require_POST
def confirm_hold(request, hold_id: int):
    hold = _own_hold(request, hold_id)
    try:
        booking = services.confirm_hold(hold_id=hold.pk, by=request.user)
    except ApplicationError as exc:
        return _hold_page(request, hold, refusal=exc)
    return redirect("web:ticket", booking_id=booking.pk)


@login_required
@require_POST
def release_hold(request, hold_id: int):
    hold = _own_hold(request, hold_id)
    try:
        services.release_hold(hold_id=hold.pk, by=request.user)
    except ApplicationError as exc:
        return _hold_page(request, hold, refusal=exc)
    return redirect(_seat_map_url(hold))
