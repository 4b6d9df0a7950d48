"""What the bookings domain refuses, each with the stable `code` clients read.

Plain exceptions (`irctc.exceptions`), free of HTTP: the API's handler gives each kind its
status, and the pages show `message`. The message is the default one unless the raiser says more
(how many seats are free, which weekdays are booked); extra keyword arguments go into the answer
as they are (`available_seats`, `pnr`, `seat_numbers`, ...).
"""

from irctc.exceptions import Conflict, Gone, InvalidInput, Unprocessable

# --- Booking and holding ------------------------------------------------------------------------


class SoldOut(Conflict):
    default_code = "sold_out"
    default_message = "Not enough free seats for this journey."


class WaitlistFull(Conflict):
    default_code = "waitlist_full"
    default_message = "The waitlist of this class on this run is full."


class SeatsUnavailable(Conflict):
    default_code = "seats_unavailable"
    default_message = "Some of these seats are already held or booked."


class SeatClash(Conflict):
    """The run's free-seat read called a seat free that the insert found taken (`bookings.seat_clash`).

    Told to the client as `seats_unavailable`, once `bookings.retry` has run the transaction again
    on a new connection and it clashed there too.
    """

    default_code = "seats_unavailable"
    default_message = "Another request took these seats at the same moment; try again."

    def __init__(self, *, run_id: int, seat_numbers: list[int]):
        super().__init__(seat_numbers=sorted(seat_numbers))
        self.run_id = run_id
        self.seat_numbers = sorted(seat_numbers)


class PnrBusy(Conflict):
    default_code = "pnr_busy"
    default_message = "Could not issue a PNR; try again."


class NoSuchTrain(InvalidInput):
    """The train a booking names is gone (deleted meanwhile, or never was)."""

    def __init__(self, train_id: int):
        super().__init__({"train": [f"No train with id {train_id}."]})


# --- Quotas -------------------------------------------------------------------------------------


class QuotaNotAvailable(InvalidInput):
    """The class sets no seats aside for this quota on this train."""

    default_code = "quota_not_available"

    def __init__(self, quota: str, class_code: str):
        super().__init__({"quota": [f"Class {class_code} of this train has no {quota} quota."]}, code=self.default_code)


class TatkalNotOpen(InvalidInput):
    """Tatkal opens for a run the day before it, at a time that depends on the class."""

    default_code = "tatkal_not_open"

    def __init__(self, opens_at):
        super().__init__(
            {"quota": [f"Tatkal booking for this run opens at {opens_at:%Y-%m-%d %H:%M} (India time)."]},
            code=self.default_code,
            opens_at=opens_at.isoformat(),
        )


class QuotaNotEligible(InvalidInput):
    """A passenger (or the booking as a whole) doesn't meet the quota's rule."""

    default_code = "quota_not_eligible"

    def __init__(self, fields: dict):
        super().__init__(fields, code=self.default_code)


# --- Cancelling ---------------------------------------------------------------------------------


class AlreadyCancelled(Conflict):
    default_code = "already_cancelled"
    default_message = "This booking is already cancelled."


class JourneyPast(Conflict):
    default_code = "journey_past"
    default_message = "The journey date of this booking has passed."


# --- Holds --------------------------------------------------------------------------------------


class HoldExpired(Gone):
    default_code = "hold_expired"
    default_message = "This hold has expired; its seats were released."


class HoldAlreadyConfirmed(Conflict):
    default_code = "hold_already_confirmed"
    default_message = "This hold has already been turned into a booking."


class HoldOutdated(Conflict):
    default_code = "hold_outdated"
    default_message = "The train's route or classes changed since these seats were held; hold them again."


# --- Idempotency-Key ----------------------------------------------------------------------------


class IdempotencyKeyReused(Unprocessable):
    default_code = "idempotency_key_reused"
    default_message = "This Idempotency-Key was already used with a different request."


class IdempotencyInProgress(Conflict):
    default_code = "idempotency_in_progress"
    default_message = "A request with this Idempotency-Key is still being processed; retry shortly."
    wait = 1  # seconds, sent as Retry-After


# --- Train changes that would strand a sold seat (`bookings.schedule_guards`) ----------------------


class StopsHaveBookings(Conflict):
    default_code = "stops_have_bookings"


class ClassHasBookings(Conflict):
    default_code = "class_has_bookings"


class SeatsAlreadySold(Conflict):
    default_code = "seats_already_sold"


class RunsOnHasBookings(Conflict):
    default_code = "runs_on_has_bookings"


class TrainHasBookings(Conflict):
    default_code = "train_has_bookings"


# --- Charting and refunds (`bookings.refund_rules`) -----------------------------------------------


class ChartPrepared(Conflict):
    """The run's chart is final: its confirmed berths can't be given back, nor the chart redone."""

    default_code = "chart_prepared"
    default_message = "The chart of this run has been prepared; confirmed berths can no longer be cancelled."


class TooLate(Conflict):
    default_code = "too_late"
    default_message = "It is too late to cancel: the train leaves in less than 30 minutes."
