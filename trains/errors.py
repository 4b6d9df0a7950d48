"""Refusals of the schedule: plain exceptions, free of HTTP (`irctc.exceptions`)."""

from irctc.exceptions import Conflict, InvalidInput, NotFound


class InvalidTrain(InvalidInput):
    """Fields that are fine one by one but not together; shown like any invalid input."""

    default_message = "Invalid train."


class TrainNotFound(NotFound):
    default_message = "No such train."


class DuplicateTrainNumber(Conflict):
    """Another train, in service or retired, has the number: past tickets still print it."""

    default_code = "duplicate_train_number"

    def __init__(self, train_number: str):
        message = f"Train number {train_number} is already in use."
        super().__init__(message, fields={"train_number": [message]})


class JourneyDeparted(InvalidInput):
    """The train has left the boarding station on that date: the field at fault is the date."""

    default_code = "journey_departed"
    default_message = "This train has already left the boarding station on that date."
