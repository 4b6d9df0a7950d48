"""Version 3: a status per passenger, and a passenger row for every traveller.

Before, a booking was confirmed, waitlisted or cancelled as a whole, and a booking of `seats`
alone had no passenger rows. Every booking now gets its passengers (unnamed ones up to `seats`),
each with the booking's status as theirs, both as booked and now: `CNF` with the seat it
occupies (from the allocations, in seat order, where a row had none), `WL` with its place in its
queue (bookings of the same run, class and quota, in the order they were made, counted in
passengers), `CANCELLED`. What a cancelled booking was when booked is not recorded anywhere; its
passengers are taken to have been `CNF` then.
"""

from collections import defaultdict

from django.db import migrations, models

STATUS_OF_BOOKING = {"CONFIRMED": "CNF", "WAITLISTED": "WL", "CANCELLED": "CANCELLED"}


def give_every_booking_its_passengers(apps, schema_editor):
    Booking = apps.get_model("bookings", "Booking")
    Passenger = apps.get_model("bookings", "Passenger")
    SeatAllocation = apps.get_model("bookings", "SeatAllocation")
    passengers_of = defaultdict(list)
    for passenger in Passenger.objects.order_by("booking_id", "position"):
        passengers_of[passenger.booking_id].append(passenger)
    seats_of = defaultdict(list)
    first_segment_rows = SeatAllocation.objects.filter(booking__isnull=False, segment=models.F("booking__from_index"))
    for booking_id, seat in first_segment_rows.order_by("booking_id", "seat_number").values_list(
        "booking_id", "seat_number"
    ):
        seats_of[booking_id].append(seat)
    waiting = defaultdict(int)  # passengers ahead in each queue
    new, changed = [], []
    for booking in Booking.objects.order_by("created_at", "id").iterator():
        status = STATUS_OF_BOOKING[booking.status]
        existing = passengers_of[booking.id]
        rows = existing + [
            Passenger(booking_id=booking.id, position=position)
            for position in range(len(existing) + 1, booking.seats + 1)
        ]
        seats = seats_of[booking.id]
        queue = (booking.run_id, booking.class_code, booking.quota)
        for index, passenger in enumerate(rows):
            passenger.status = status
            passenger.booking_status = "CNF" if status == "CANCELLED" else status
            passenger.rac_place = None
            if status == "CNF" and passenger.seat_number is None and index < len(seats):
                passenger.seat_number = seats[index]
            if status == "WL":
                waiting[queue] += 1
                passenger.booking_position = waiting[queue]
            else:
                passenger.booking_position = None
        new += rows[len(existing) :]
        changed += existing
    Passenger.objects.bulk_create(new, batch_size=500)
    fields = ["status", "booking_status", "booking_position", "rac_place", "seat_number"]
    Passenger.objects.bulk_update(changed, fields, batch_size=500)


def forget_unnamed_passengers(apps, schema_editor):
    """Back to bookings of `seats` without passenger rows (whose names can't be null)."""
    apps.get_model("bookings", "Passenger").objects.filter(name__isnull=True).delete()


class Migration(migrations.Migration):

    dependencies = [
        ('bookings', '0007_booking_and_hold_quota'),
    ]

    operations = [
        migrations.AddField(
            model_name='passenger',
            name='booking_position',
            field=models.PositiveSmallIntegerField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name='passenger',
            name='booking_status',
            field=models.CharField(choices=[('CNF', 'Confirmed'), ('RAC', 'RAC'), ('WL', 'Waitlisted')], default='CNF', max_length=3),
        ),
        migrations.AddField(
            model_name='passenger',
            name='rac_place',
            field=models.PositiveSmallIntegerField(blank=True, null=True, verbose_name='RAC place'),
        ),
        migrations.AddField(
            model_name='passenger',
            name='status',
            field=models.CharField(choices=[('CNF', 'Confirmed'), ('RAC', 'RAC'), ('WL', 'Waitlisted'), ('CANCELLED', 'Cancelled')], default='CNF', max_length=9),
        ),
        migrations.AlterField(
            model_name='booking',
            name='status',
            field=models.CharField(choices=[('CONFIRMED', 'Confirmed'), ('RAC', 'RAC'), ('WAITLISTED', 'Waitlisted'), ('CANCELLED', 'Cancelled')], max_length=10),
        ),
        migrations.AlterField(
            model_name='passenger',
            name='age',
            field=models.PositiveSmallIntegerField(blank=True, null=True),
        ),
        migrations.AlterField(
            model_name='passenger',
            name='gender',
            field=models.CharField(blank=True, choices=[('M', 'Male'), ('F', 'Female'), ('T', 'Transgender')], max_length=1, null=True),
        ),
        migrations.AlterField(
            model_name='passenger',
            name='name',
            field=models.CharField(blank=True, max_length=50, null=True),
        ),
        migrations.RunPython(give_every_booking_its_passengers, forget_unnamed_passengers),
    ]
