"""Read-mostly admin for runs, bookings and holds.

Seats only change through `bookings.services`, which takes the run lock; the admin therefore adds
and edits nothing, and cancelling is an action that goes through the same service as the API.
"""

from django.contrib import admin, messages
from django.db.models import Count

from bookings import services
from bookings.models import FARE_COLUMNS, Booking, Hold, Passenger, SeatAllocation, TrainRun
from irctc.exceptions import ApplicationError
from trains.layouts import berth_of


class ReadOnlyAdmin(admin.ModelAdmin):
    # Operators (role ADMIN) see the inventory without needing per-model Django permissions.
    def has_module_permission(self, request):
        return getattr(request.user, "is_admin_role", False) or super().has_module_permission(request)

    def has_view_permission(self, request, obj=None):
        return getattr(request.user, "is_admin_role", False) or super().has_view_permission(request, obj)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    # As the pages they sit in: without it an operator's booking page showed no passengers or seats.
    def has_view_permission(self, request, obj=None):
        return getattr(request.user, "is_admin_role", False) or super().has_view_permission(request, obj)

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class SeatAllocationInline(ReadOnlyInline):
    model = SeatAllocation
    fields = ["class_code", "seat_number", "segment", "booking", "hold"]
    readonly_fields = fields


class PassengerInline(ReadOnlyInline):
    model = Passenger
    fields = ["position", "name", "age", "gender", "berth_preference", "seat_number", "berth", "booked_as", "status"]
    readonly_fields = fields

    @admin.display(description="booked as")
    def booked_as(self, passenger):
        return f"{passenger.booking_status} {passenger.booking_position or ''}".strip()

    @admin.display(description="coach / berth")
    def berth(self, passenger):
        if passenger.seat_number is None:
            return "-"
        berth = berth_of(passenger.booking.class_code, passenger.seat_number)
        return " ".join(str(part) for part in (berth.coach, berth.berth, berth.berth_type) if part is not None)


@admin.register(TrainRun)
class TrainRunAdmin(ReadOnlyAdmin):
    list_display = ["train", "run_date", "bookings_count", "created_at"]
    list_filter = ["run_date"]
    search_fields = ["train__train_number", "train__name"]
    list_select_related = ["train"]
    date_hierarchy = "run_date"

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(bookings_count=Count("bookings"))

    @admin.display(description="bookings", ordering="bookings_count")
    def bookings_count(self, run):
        return run.bookings_count


@admin.register(Booking)
class BookingAdmin(ReadOnlyAdmin):
    list_display = [
        "pnr",
        "user",
        "train_number",
        "class_code",
        "quota",
        "from_station",
        "to_station",
        "travel_date",
        "status",
        "seats",
        "fare",
        "created_at",
        "cancelled_at",
    ]
    list_filter = ["status", "class_code", "quota", "travel_date", "created_at"]
    search_fields = ["pnr", "user__username", "user__email", "passengers__name"]
    list_select_related = ["user", "run__train"]
    readonly_fields = [
        "pnr",
        "user",
        "run",
        "status",
        "class_code",
        "quota",
        "from_station",
        "to_station",
        "travel_date",
        "seats",
        "fare",
        *FARE_COLUMNS,
        "created_at",
        "cancelled_at",
    ]
    inlines = [PassengerInline, SeatAllocationInline]
    actions = ["cancel_bookings"]

    @admin.display(description="train", ordering="run__train__train_number")
    def train_number(self, booking):
        return booking.run.train.train_number

    def get_search_results(self, request, queryset, search_term):
        queryset, _ = super().get_search_results(request, queryset, search_term)
        return queryset.distinct(), False  # a passenger search may match several of one booking

    @admin.action(description="Cancel the selected bookings (frees seats, promotes the waitlist)")
    def cancel_bookings(self, request, queryset):
        cancelled = 0
        for booking in queryset:
            try:
                services.cancel_booking(booking_id=booking.pk, by=request.user)
                cancelled += 1
            except ApplicationError as exc:
                self.message_user(request, f"PNR {booking.pnr}: {exc.message}", messages.WARNING)
        if cancelled:
            self.message_user(request, f"Cancelled {cancelled} booking(s).", messages.SUCCESS)


@admin.register(Hold)
class HoldAdmin(ReadOnlyAdmin):
    list_display = [
        "id",
        "user",
        "run",
        "class_code",
        "from_station",
        "to_station",
        "seat_numbers",
        "expires_at",
        "is_live",
        "booking",
    ]
    list_filter = ["expires_at", "class_code", "travel_date"]
    search_fields = ["user__username", "booking__pnr"]
    list_select_related = ["user", "run__train", "booking"]
    readonly_fields = [
        "user",
        "run",
        "class_code",
        "from_station",
        "to_station",
        "travel_date",
        "seat_numbers",
        "passengers",
        "created_at",
        "expires_at",
        "booking",
    ]

    @admin.display(boolean=True, description="live")
    def is_live(self, hold):
        return hold.is_live
