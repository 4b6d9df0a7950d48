"""Version 2: runs by origin date, journeys between stops, classes, passengers, fares.

Every existing booking and hold was for a two-stop train's whole route in its one pool of seats:
it becomes the journey from stop 0 to stop 1 in class `GEN`, travelling on its run's date, and
each seat allocation becomes that seat on segment 0.
"""

import django.db.models.deletion
from django.db import migrations, models


def whole_route_journeys(apps, schema_editor):
    Stop = apps.get_model("trains", "Stop")
    names = {(stop.train_id, stop.index): stop.station for stop in Stop.objects.filter(index__lte=1)}
    for model_name in ("Booking", "Hold"):
        model = apps.get_model("bookings", model_name)
        for row in model.objects.select_related("run").iterator():
            train_id = row.run.train_id
            model.objects.filter(pk=row.pk).update(
                travel_date=row.run.run_date,
                from_station=names[(train_id, 0)],
                to_station=names[(train_id, 1)],
            )


journey_fields = [
    ("class_code", models.CharField(default="GEN", max_length=3, verbose_name="class")),
    ("from_index", models.PositiveSmallIntegerField(default=0)),
    ("to_index", models.PositiveSmallIntegerField(default=1)),
    ("from_station", models.CharField(default="", max_length=64)),
    ("to_station", models.CharField(default="", max_length=64)),
    ("travel_date", models.DateField(null=True)),
]


class Migration(migrations.Migration):
    dependencies = [
        ("bookings", "0004_drop_run_version"),
        ("trains", "0002_stops_and_classes"),
    ]

    operations = [
        # Runs are keyed by origin date.
        migrations.RemoveIndex(model_name="trainrun", name="run_travel_date_idx"),
        migrations.RemoveConstraint(model_name="trainrun", name="run_train_date_unique"),
        migrations.RenameField(model_name="trainrun", old_name="travel_date", new_name="run_date"),
        migrations.AlterModelOptions(name="trainrun", options={"ordering": ["run_date", "train_id"]}),
        migrations.AddIndex(model_name="trainrun", index=models.Index(fields=["run_date"], name="run_date_idx")),
        migrations.AddConstraint(
            model_name="trainrun",
            constraint=models.UniqueConstraint(fields=("train", "run_date"), name="run_train_date_unique"),
        ),
        # Journeys on bookings and holds.
        *[
            migrations.AddField(model_name=model_name, name=name, field=field.clone())
            for model_name in ("booking", "hold")
            for name, field in journey_fields
        ],
        migrations.AddField(
            model_name="booking",
            name="fare",
            field=models.DecimalField(blank=True, decimal_places=0, max_digits=10, null=True),
        ),
        migrations.AddField(model_name="hold", name="passengers", field=models.JSONField(blank=True, default=list)),
        migrations.RunPython(whole_route_journeys, migrations.RunPython.noop),
        *[
            operation
            for model_name in ("booking", "hold")
            for operation in (
                migrations.AlterField(model_name=model_name, name="travel_date", field=models.DateField()),
                migrations.AlterField(
                    model_name=model_name, name="from_station", field=models.CharField(max_length=64)
                ),
                migrations.AlterField(model_name=model_name, name="to_station", field=models.CharField(max_length=64)),
            )
        ],
        migrations.RemoveIndex(model_name="booking", name="booking_run_queue_idx"),
        migrations.AddIndex(
            model_name="booking",
            index=models.Index(fields=["run", "class_code", "status", "created_at"], name="booking_run_queue_idx"),
        ),
        migrations.AddConstraint(
            model_name="booking",
            constraint=models.CheckConstraint(
                condition=models.Q(("to_index__gt", models.F("from_index"))), name="booking_journey_forward"
            ),
        ),
        # Seats per class and segment.
        migrations.RemoveConstraint(model_name="seatallocation", name="allocation_run_seat_unique"),
        migrations.AddField(
            model_name="seatallocation", name="class_code", field=models.CharField(default="GEN", max_length=3)
        ),
        migrations.AddField(
            model_name="seatallocation", name="segment", field=models.PositiveSmallIntegerField(default=0)
        ),
        migrations.AlterModelOptions(
            name="seatallocation", options={"ordering": ["run_id", "class_code", "seat_number", "segment"]}
        ),
        migrations.AddConstraint(
            model_name="seatallocation",
            constraint=models.UniqueConstraint(
                fields=("run", "class_code", "segment", "seat_number"), name="allocation_run_seat_unique"
            ),
        ),
        migrations.CreateModel(
            name="Passenger",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("position", models.PositiveSmallIntegerField()),
                ("name", models.CharField(max_length=50)),
                ("age", models.PositiveSmallIntegerField()),
                (
                    "gender",
                    models.CharField(
                        choices=[("M", "Male"), ("F", "Female"), ("T", "Transgender")], max_length=1
                    ),
                ),
                ("berth_preference", models.CharField(blank=True, max_length=2, null=True)),
                ("seat_number", models.PositiveIntegerField(blank=True, null=True)),
                (
                    "booking",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE, related_name="passengers", to="bookings.booking"
                    ),
                ),
            ],
            options={
                "ordering": ["booking_id", "position"],
                "constraints": [
                    models.UniqueConstraint(fields=("booking", "position"), name="passenger_position_unique")
                ],
            },
        ),
    ]
