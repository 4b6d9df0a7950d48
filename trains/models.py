from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q

WEEKDAYS = ["MON", "TUE", "WED", "THU", "FRI", "SAT", "SUN"]
EVERY_DAY_MASK = (1 << len(WEEKDAYS)) - 1
MAX_TOTAL_SEATS = 2000


def normalize_station(name: str) -> str:
    """The search key of a station: trimmed, inner spaces collapsed, case-folded."""
    return " ".join(name.split()).casefold()


def weekday_bit(weekday_index: int) -> int:
    """Bit of `runs_on_mask` for a `date.weekday()` (Monday is 0)."""
    return 1 << weekday_index


def mask_from_codes(codes) -> int:
    mask = 0
    for code in codes:
        mask |= weekday_bit(WEEKDAYS.index(code))
    return mask


def codes_from_mask(mask: int) -> list[str]:
    return [code for index, code in enumerate(WEEKDAYS) if mask & weekday_bit(index)]


class TrainQuerySet(models.QuerySet):
    def active(self):
        return self.filter(is_active=True)


class Train(models.Model):
    """A scheduled service. It runs on the weekdays of `runs_on_mask` with `total_seats` per run."""

    train_number = models.CharField(
        max_length=5, unique=True, validators=[RegexValidator(r"^\d{5}$", "A train number is exactly 5 digits.")]
    )
    name = models.CharField(max_length=100)
    source = models.CharField(max_length=64)
    destination = models.CharField(max_length=64)
    # Normalized copies of the stations, so search is an indexed equality on every database.
    source_key = models.CharField(max_length=64, editable=False)
    destination_key = models.CharField(max_length=64, editable=False)
    departure_time = models.TimeField()
    arrival_time = models.TimeField()
    arrival_day_offset = models.PositiveSmallIntegerField(default=0, validators=[MaxValueValidator(3)])
    total_seats = models.PositiveIntegerField(validators=[MinValueValidator(1), MaxValueValidator(MAX_TOTAL_SEATS)])
    runs_on_mask = models.PositiveSmallIntegerField(default=EVERY_DAY_MASK)
    # Retired trains keep their history (past bookings point at them) but leave search and listings.
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = TrainQuerySet.as_manager()

    class Meta:
        ordering = ["departure_time", "train_number"]
        indexes = [
            models.Index(
                fields=["source_key", "destination_key", "is_active", "departure_time"], name="train_route_idx"
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(source_key=models.F("destination_key")), name="train_distinct_stations"
            ),
            models.CheckConstraint(
                condition=Q(total_seats__gte=1, total_seats__lte=MAX_TOTAL_SEATS), name="train_total_seats_range"
            ),
            models.CheckConstraint(condition=Q(arrival_day_offset__lte=3), name="train_arrival_day_offset_range"),
            models.CheckConstraint(
                condition=Q(runs_on_mask__gte=1, runs_on_mask__lte=EVERY_DAY_MASK), name="train_runs_on_mask_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.train_number} {self.name}"

    @property
    def runs_on(self) -> list[str]:
        return codes_from_mask(self.runs_on_mask)

    def runs_on_date(self, travel_date) -> bool:
        return bool(self.runs_on_mask & weekday_bit(travel_date.weekday()))

    def save(self, *args, **kwargs):
        self.source_key = normalize_station(self.source)
        self.destination_key = normalize_station(self.destination)
        super().save(*args, **kwargs)
