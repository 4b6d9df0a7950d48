"""Every write to a train: create, update, retire, with its stops and its classes.

A change is resolved first into the whole proposed train (fields, stops, classes) and checked
as a whole, so that a PATCH of one field is judged against the route it changes. Rules that need
the inventory (sold seats, bookings on a weekday or a stretch of the route) are not known here:
the change is announced with `trains.signals.schedule_changing` and the bookings app refuses it
(`bookings/schedule_guards.py`), which keeps trains below bookings.

Each update opens a transaction and locks the train row before anything else. Lock order is
train first, then its runs (the booking engine locks the run row, the guards lock future runs):
every path takes them in that order, so a booking can't slip in between a check and the write,
and MariaDB never sees the two locks taken the other way round.
"""

from datetime import time

from django.db import IntegrityError, transaction

from trains import layouts, pools, search_cache, stations
from trains.errors import DuplicateTrainNumber, InvalidTrain, TrainNotFound
from trains.models import (
    EVERY_DAY_MASK,
    MAX_COACHES,
    MAX_DAY_OFFSET,
    MAX_STOPS,
    MAX_TOTAL_SEATS,
    MIN_STOPS,
    Stop,
    Train,
    TrainClass,
    index_classes,
    index_stops,
    normalize_station,
    quota_fields,
)
from trains.signals import schedule_changing, train_retiring

STOP_FIELDS = ("station", "arrival_time", "departure_time", "day_offset", "distance_km")
CLASS_FIELDS = ("code", "coaches", "seats", "fare_per_km", "quota_tq", "quota_ss", "quota_ld", "rac_berths")
# The version-1 fields that describe the ends of the route.
ROUTE_END_FIELDS = ("source", "destination", "departure_time", "arrival_time", "arrival_day_offset")
MINUTES_PER_DAY = 24 * 60


# --- checks, shared by the API and the admin ---------------------------------------------------


def _clock(moment: time) -> str:
    return moment.strftime("%H:%M")


def route_errors(stops: list[dict]) -> dict[str, list[str]]:
    """What is wrong with a route (`stops` in order), keyed `stops[i].field`; empty if nothing."""
    if not MIN_STOPS <= len(stops) <= MAX_STOPS:
        return {"stops": [f"A route has {MIN_STOPS} to {MAX_STOPS} stops; this one has {len(stops)}."]}
    errors: dict[str, list[str]] = {}

    def add(index: int, field: str, message: str) -> None:
        errors.setdefault(f"stops[{index}].{field}", []).append(message)

    last = len(stops) - 1
    seen: dict[str, int] = {}
    for index, stop in enumerate(stops):
        key = normalize_station(stop["station"])
        if key in seen:
            add(index, "station", f"{stop['station']} is already stops[{seen[key]}]: a train calls at a station once.")
        seen.setdefault(key, index)
        if index == 0 and stop["arrival_time"] is not None:
            add(index, "arrival_time", "The first stop has no arrival time (null): the train starts there.")
        if index > 0 and stop["arrival_time"] is None:
            add(index, "arrival_time", "Every stop after the first needs an arrival time (HH:MM).")
        if index == last and stop["departure_time"] is not None:
            add(index, "departure_time", "The last stop has no departure time (null): the train ends there.")
        if index < last and stop["departure_time"] is None:
            add(index, "departure_time", "Every stop before the last needs a departure time (HH:MM).")
        for field in ("arrival_time", "departure_time"):
            # The API takes HH:MM only; the admin's form would take seconds, which the timetable
            # rendered for search and booking (`stops_json`) has no room for.
            if stop[field] is not None and (stop[field].second or stop[field].microsecond):
                add(index, field, "Times are whole minutes (HH:MM), without seconds.")
        if not 0 <= stop["day_offset"] <= MAX_DAY_OFFSET:
            add(index, "day_offset", f"day_offset is 0 to {MAX_DAY_OFFSET} (days after the origin date).")
    distances = [stop["distance_km"] for stop in stops]
    if any(distance is not None for distance in distances):
        for index, distance in enumerate(distances):
            if distance is None:
                add(index, "distance_km", "Give distance_km on every stop or on none.")
            elif index == 0 and distance != 0:
                add(index, "distance_km", "The first stop is at distance_km 0.")
            elif index > 0 and distances[index - 1] is not None and distance <= distances[index - 1]:
                add(index, "distance_km", f"Must be more than the previous stop's {distances[index - 1]} km.")
    if not errors:
        _add_moment_errors(stops, add)
    return errors


def _add_moment_errors(stops: list[dict], add) -> None:
    """Arrivals and departures, as minutes from midnight of the origin date, strictly increase."""
    previous = None  # (minutes, description) of the last moment seen
    for index, stop in enumerate(stops):
        arrival, departure, day = stop["arrival_time"], stop["departure_time"], stop["day_offset"]
        if arrival is not None:
            # A halt over midnight: reached the evening before the day it is left.
            arrival_day = day - 1 if departure is not None and arrival > departure else day
            if arrival_day < 0:
                add(
                    index,
                    "day_offset",
                    f"Arriving at {_clock(arrival)} and leaving at {_clock(departure)} is a halt over midnight,"
                    " so the train leaves on day 1 or later.",
                )
                return
            minutes = arrival_day * MINUTES_PER_DAY + arrival.hour * 60 + arrival.minute
            if previous is not None and minutes <= previous[0]:
                add(
                    index,
                    "arrival_time",
                    f"Arrives {_clock(arrival)} on day {arrival_day}, not after {previous[1]}; "
                    "moments strictly increase along the route (set day_offset for the next day).",
                )
                return
            previous = (minutes, f"stops[{index - 1}]'s departure" if index else "")
        if departure is not None:
            minutes = day * MINUTES_PER_DAY + departure.hour * 60 + departure.minute
            if previous is not None and minutes <= previous[0]:
                add(index, "departure_time", "The train leaves when it arrives: a halt lasts at least a minute.")
                return
            previous = (minutes, f"the departure from {stop['station']} ({_clock(departure)} on day {day})")


def classes_with_seats(classes: list[dict], *, general_seats: int | None) -> tuple[list[dict], dict]:
    """The classes with their `seats` (from the coaches, or `general_seats` for GEN), and errors."""
    errors: dict[str, list[str]] = {}
    if not classes:
        return [], {"classes": ["A train has at least one class."]}
    resolved, seen = [], {}
    for index, travel_class in enumerate(classes):
        code, coaches = travel_class["code"], travel_class.get("coaches")
        field = f"classes[{index}]"
        layout = layouts.LAYOUTS.get(code)
        if layout is None:
            errors[f"{field}.code"] = [f"Unknown class {code!r}; use one of {', '.join(layouts.LAYOUTS)}."]
            continue
        if code in seen:
            errors[f"{field}.code"] = [f"{code} is already classes[{seen[code]}]: each class appears once."]
            continue
        seen[code] = index
        if not layout.has_coaches:
            if len(classes) > 1:
                errors[f"{field}.code"] = ["GEN (general, no coaches) can only be a train's one class."]
            elif coaches is not None:
                errors[f"{field}.coaches"] = ["GEN has no coaches: leave coaches null and give total_seats."]
            elif general_seats is None:
                errors["total_seats"] = ["Give total_seats: the seats of the GEN class."]
            seats = general_seats
        elif coaches is None:
            errors[f"{field}.coaches"] = [f"Give the number of {code} coaches (1 to {MAX_COACHES})."]
            continue
        elif not 1 <= coaches <= MAX_COACHES:
            errors[f"{field}.coaches"] = [f"A class has 1 to {MAX_COACHES} coaches."]
            continue
        else:
            seats = layouts.seats_of(code, coaches)
        set_aside = quota_fields(travel_class.get("quotas"), travel_class.get("rac_berths"))
        if seats is not None:
            quotas = {quota: set_aside[f"quota_{quota.lower()}"] for quota in pools.QUOTAS}
            errors.update(pools.config_errors(code, seats, quotas, set_aside["rac_berths"], field))
        resolved.append(
            {
                "code": code,
                "coaches": coaches,
                "seats": seats,
                "fare_per_km": travel_class.get("fare_per_km"),
                **set_aside,
            }
        )
    if not errors:
        total = sum(travel_class["seats"] for travel_class in resolved)
        if total > MAX_TOTAL_SEATS:
            errors["classes"] = [f"The classes add up to {total} seats; a train has at most {MAX_TOTAL_SEATS:,}."]
    return resolved, errors


# --- the proposal: a request resolved into the whole train it asks for --------------------------


def _ends_of(stops: list[dict]) -> dict:
    return {
        "source": stops[0]["station"],
        "destination": stops[-1]["station"],
        "departure_time": stops[0]["departure_time"],
        "arrival_time": stops[-1]["arrival_time"],
        "arrival_day_offset": stops[-1]["day_offset"],
    }


def _with_ends(stops: list[dict], ends: dict) -> list[dict]:
    """`stops` with the version-1 end fields applied to its first and last stop."""
    stops = [dict(stop) for stop in stops]
    first, last = stops[0], stops[-1]
    first["station"] = ends.get("source", first["station"])
    first["departure_time"] = ends.get("departure_time", first["departure_time"])
    last["station"] = ends.get("destination", last["station"])
    last["arrival_time"] = ends.get("arrival_time", last["arrival_time"])
    last["day_offset"] = ends.get("arrival_day_offset", last["day_offset"])
    return stops


def _two_stop_route(ends: dict) -> list[dict]:
    return [
        {"station": ends["source"], "arrival_time": None, "departure_time": ends["departure_time"], "day_offset": 0},
        {
            "station": ends["destination"],
            "arrival_time": ends["arrival_time"],
            "departure_time": None,
            "day_offset": ends.get("arrival_day_offset", 0),
        },
    ]


def _disagreements(stops: list[dict], ends: dict) -> dict[str, list[str]]:
    derived = _ends_of(stops)
    errors = {}
    for field, value in ends.items():
        same = (
            normalize_station(value) == normalize_station(derived[field])
            if field in ("source", "destination")
            else value == derived[field]
        )
        if not same:
            shown = _clock(derived[field]) if isinstance(derived[field], time) else derived[field]
            errors[field] = [f"Disagrees with stops, which give {shown!r}; leave it out or make them agree."]
    return errors


def _version_1_names(stops: list[dict]) -> dict[str, str]:
    """Errors of a route given by the version-1 fields are named by those fields."""
    last = len(stops) - 1
    return {
        "stops[0].station": "source",
        "stops[0].departure_time": "departure_time",
        f"stops[{last}].station": "destination",
        f"stops[{last}].arrival_time": "arrival_time",
        f"stops[{last}].day_offset": "arrival_day_offset",
    }


def _general_only(classes: list[dict] | None) -> bool:
    return classes is not None and [travel_class["code"] for travel_class in classes] == [layouts.GENERAL]


def _propose(changes: dict, *, partial: bool, stored_stops=None, stored_classes=None) -> tuple[dict, list, list]:
    """(train fields, stops, classes) of the train that `changes` asks for, or InvalidTrain.

    Without `stops`, a PUT or a create is the two-stop route of the version-1 fields, and a PATCH
    of those fields edits the ends of the stored route. Without `classes`, a train gets one GEN
    class of `total_seats`, except that a PATCH keeps the classes it has.
    """
    changes = dict(changes)
    stops, classes = changes.pop("stops", None), changes.pop("classes", None)
    ends = {field: changes.pop(field) for field in ROUTE_END_FIELDS if field in changes}
    total_seats = changes.pop("total_seats", None)
    errors: dict[str, list[str]] = {}

    if stops is not None:
        stops = [
            {field: stop.get(field, None if field != "day_offset" else 0) for field in STOP_FIELDS} for stop in stops
        ]
        route = route_errors(stops)
        errors.update(route or (_disagreements(stops, ends) if stops else {}))
    else:
        if partial and stored_stops is not None:
            stops = _with_ends(stored_stops, ends)
        else:
            missing = [field for field in ROUTE_END_FIELDS[:4] if field not in ends]
            if missing:
                raise InvalidTrain({field: ["This field is required (or give stops)."] for field in missing})
            stops = [{**stop, "distance_km": None} for stop in _two_stop_route(ends)]
        names = _version_1_names(stops)
        errors.update({names.get(key, key): messages for key, messages in route_errors(stops).items()})

    if classes is None and partial and not _general_only(stored_classes):
        classes = stored_classes
        stored_total = sum(travel_class["seats"] for travel_class in classes)
        if total_seats is not None and total_seats != stored_total:
            errors["total_seats"] = [
                f"This train's seats are those of its classes ({stored_total}); change classes instead."
            ]
    else:
        if total_seats is None and partial and _general_only(stored_classes):
            total_seats = stored_classes[0]["seats"]
        if classes is None:
            classes = [{"code": layouts.GENERAL, "coaches": None}]
            if total_seats is None:
                errors["total_seats"] = ["This field is required (or give classes)."]
        explicit_total = total_seats if any(c.get("code") != layouts.GENERAL for c in classes) else None
        classes, class_errors = classes_with_seats(classes, general_seats=total_seats)
        errors.update(class_errors)
        if not class_errors and explicit_total is not None:
            total = sum(travel_class["seats"] for travel_class in classes)
            if explicit_total != total:
                errors["total_seats"] = [f"Must be the classes' seats, {total} (or leave it out)."]
    if errors:
        raise InvalidTrain(errors)

    train_fields = {
        **changes,
        **_ends_of(stops),
        "total_seats": sum(travel_class["seats"] for travel_class in classes),
    }
    return train_fields, stops, classes


# --- writes -------------------------------------------------------------------------------------


def _stop_dicts(train: Train) -> list[dict]:
    return [{field: getattr(stop, field) for field in STOP_FIELDS} for stop in train.stops.order_by("index")]


def _class_dicts(train: Train) -> list[dict]:
    return [{field: getattr(travel_class, field) for field in CLASS_FIELDS} for travel_class in train.classes.all()]


def _write_stops(train: Train, stops: list[dict]) -> None:
    """Update the stored stops in place by index; a stop whose station changed is replaced.

    Replaced and surplus rows go first, so that no insert or update ever meets the unique
    (train, station) of a row that is about to change.
    """
    stored = {stop.index: stop for stop in train.stops.all()}
    stale = [
        row.pk
        for index, row in stored.items()
        if index >= len(stops) or row.station_key != normalize_station(stops[index]["station"])
    ]
    Stop.objects.filter(pk__in=stale).delete()
    new_rows = []
    for index, stop in enumerate(stops):
        row = stored.get(index)
        if row is not None and row.pk not in stale:
            if any(getattr(row, field) != stop[field] for field in STOP_FIELDS):
                for field in STOP_FIELDS:
                    setattr(row, field, stop[field])
                row.save()
        else:
            # bulk_create skips Stop.save(), so the search key is filled in here.
            new_rows.append(Stop(train=train, index=index, station_key=normalize_station(stop["station"]), **stop))
    Stop.objects.bulk_create(new_rows)
    index_stops([train.pk])


def _write_classes(train: Train, classes: list[dict]) -> None:
    """Update the stored classes in place by code; classes no longer offered go."""
    stored = {travel_class.code: travel_class for travel_class in train.classes.all()}
    wanted = {travel_class["code"] for travel_class in classes}
    TrainClass.objects.filter(train=train).exclude(code__in=wanted).delete()
    new_rows = []
    for travel_class in classes:
        row = stored.get(travel_class["code"])
        rank = layouts.CLASS_ORDER[travel_class["code"]]
        if row is None:
            new_rows.append(TrainClass(train=train, rank=rank, **travel_class))
        elif any(getattr(row, field) != travel_class[field] for field in CLASS_FIELDS):
            for field in CLASS_FIELDS:
                setattr(row, field, travel_class[field])
            row.save()
    TrainClass.objects.bulk_create(new_rows)
    index_classes([train.pk])


def _lock_active_train(train_id: int) -> Train:
    train = Train.objects.select_for_update().filter(pk=train_id, is_active=True).first()
    if train is None:
        raise TrainNotFound()
    return train


def _save(train: Train, **save_kwargs) -> None:
    """Save, turning a unique-number race (the pre-check passed in both requests) into a 409."""
    try:
        with transaction.atomic():
            search_cache.timetable_changed()
            train.save(**save_kwargs)
    except IntegrityError as exc:
        if Train.objects.filter(train_number=train.train_number).exclude(pk=train.pk).exists():
            raise DuplicateTrainNumber(train.train_number) from exc
        raise


def create_train(*, train_number: str, name: str, runs_on_mask: int = EVERY_DAY_MASK, **route) -> Train:
    """A new train from `stops` or the version-1 route fields, and `classes` or `total_seats`."""
    fields, stops, classes = _propose(route, partial=False)
    # Retired trains keep their number: past tickets still print it.
    if Train.objects.filter(train_number=train_number).exists():
        raise DuplicateTrainNumber(train_number)
    train = Train(train_number=train_number, name=name, runs_on_mask=runs_on_mask, **fields)
    with transaction.atomic():
        _save(train)
        _write_stops(train, stops)
        _write_classes(train, classes)
        stations.claim_codes(stations.codes_of(route.get("stops")))
    return train


def update_train(*, train_id: int, partial: bool = True, **changes) -> Train:
    """Change an active train: PUT (`partial=False`) passes a whole train, PATCH only some fields."""
    with transaction.atomic():
        train = _lock_active_train(train_id)
        stored_stops, stored_classes = _stop_dicts(train), _class_dicts(train)
        fields, stops, classes = _propose(
            changes, partial=partial, stored_stops=stored_stops, stored_classes=stored_classes
        )
        if "train_number" in fields and (
            Train.objects.filter(train_number=fields["train_number"]).exclude(pk=train.pk).exists()
        ):
            raise DuplicateTrainNumber(fields["train_number"])
        schedule_changing.send(
            sender=Train,
            train=train,
            stops=stops,
            classes=classes,
            runs_on_mask=fields.get("runs_on_mask", train.runs_on_mask),
            previous_stops=stored_stops,
            previous_classes=stored_classes,
        )
        for field, value in fields.items():
            setattr(train, field, value)
        # Saved even when only stops or classes changed: updated_at tells clients the train moved.
        _save(train)
        _write_stops(train, stops)
        _write_classes(train, classes)
        stations.claim_codes(stations.codes_of(changes.get("stops")))
    return train


def retire_train(*, train_id: int) -> Train:
    """Take a train out of service. The row stays, because past bookings point at it."""
    with transaction.atomic():
        train = _lock_active_train(train_id)
        train_retiring.send(sender=Train, train=train)
        train.is_active = False
        search_cache.timetable_changed()
        train.save(update_fields=["is_active", "updated_at"])
    return train
