"""Station codes (NDLS, BCT, KOTA): what a code names, and the codes stops bring.

A code is 2 to 5 capital letters and names one station on every train (`trains.models.Station`).
Stops name their station by name, so wherever a station is asked for (search, the seat map,
bookings and holds) a code is first turned into its station's name (`station_name`), and the
rest works on names as before.

Search is the busiest request and must not read the database to do that: the codes are few (one
per station), so a process keeps all of them (`irctc.process_memory.station_codes`), read whole at
their first use. Codes change only with a train (a stop bringing a new one) or in the admin, and
every such change bumps the timetable counter (`trains.search_cache`), which every search reads
with its cached answer: a search that sees the counter move makes its process read the codes
again (`timetable_generation_seen`), and a process forgets them itself when it writes one. The
search that first sees the counter move was already parsed with the codes as they were: a code
created meanwhile by another process is known to this one from its next request on.

A typed text that looks like a code (any case) names the station of that code when there is one:
codes come first, so a new code may not spell another station's name.
"""

import re

from django.db import IntegrityError, transaction
from django.db.models import Q

from irctc import process_memory
from trains.errors import InvalidTrain
from trains.models import Station, Stop, normalize_station

CODE_RE = re.compile(r"[A-Z]{2,5}")
_TYPED_CODE_RE = re.compile(r"[A-Za-z]{2,5}")


def station_name(text: str) -> str:
    """The station `text` names: its station's name when `text` is a code (any case), else `text`."""
    if not _TYPED_CODE_RE.fullmatch(text):
        return text
    return station_codes().get(text.upper(), text)


def station_codes() -> dict[str, str]:
    """{code: station name}, as this process keeps them."""
    codes = process_memory.station_codes.get()
    if codes is None:
        codes = dict(Station.objects.values_list("code", "name"))
        process_memory.station_codes.put(codes)
    return codes


def timetable_generation_seen(generation) -> None:
    """A search read the timetable counter: codes read under another value are read again."""
    process_memory.station_codes.note(generation)


def codes_of(stops: list[dict] | None) -> dict[int, tuple[str, str]]:
    """{stop index: (station, code)} of the stops that bring a `station_code`."""
    return {
        index: (stop["station"], stop["station_code"])
        for index, stop in enumerate(stops or ())
        if stop.get("station_code")
    }


def claim_codes(codes: dict[int, tuple[str, str]]) -> int:
    """Record the codes of `codes_of`, inside the transaction that writes the train; how many are new.

    A code already naming another station, a station that already has another code, or a new code
    that spells another station's name is refused as `stops[i].station_code`.
    """
    if not codes:
        return 0
    keys = {index: normalize_station(station) for index, (station, _code) in codes.items()}
    wanted = {code for _station, code in codes.values()}
    known = list(Station.objects.filter(Q(code__in=wanted) | Q(key__in=set(keys.values()))))
    by_code, by_key = {s.code: s for s in known}, {s.key: s for s in known}
    errors: dict[str, list[str]] = {}
    new: dict[str, tuple[int, str, str]] = {}
    for index, (station, code) in sorted(codes.items()):
        key, field = keys[index], f"stops[{index}].station_code"
        named = by_code.get(code)
        if named is not None and named.key != key:
            errors[field] = [f"{code} is the code of {named.name}."]
        elif key in by_key and by_key[key].code != code:
            errors[field] = [f"{station}'s code is {by_key[key].code}."]
        elif named is None:
            new[code] = (index, station, key)
    spelled = set(
        Stop.objects.filter(station_key__in=[code.casefold() for code in new]).values_list("station_key", flat=True)
    )
    for code, (index, _station, key) in new.items():
        if code.casefold() in spelled and code.casefold() != key:
            errors[f"stops[{index}].station_code"] = [f"{code} is another station's name."]
    if errors:
        raise InvalidTrain(errors)
    if not new:
        return 0
    try:
        with transaction.atomic():
            Station.objects.bulk_create(
                [Station(code=code, name=station, key=key) for code, (_i, station, key) in new.items()]
            )
    except IntegrityError as exc:
        first = min(index for index, _station, _key in new.values())
        raise InvalidTrain(
            {f"stops[{first}].station_code": ["Another change gave this code meanwhile; try again."]}
        ) from exc
    transaction.on_commit(process_memory.station_codes.clear)
    process_memory.station_codes.clear()
    return len(new)
