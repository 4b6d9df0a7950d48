"""Version 2: a train's route is its stops, and its seats are its classes.

Every existing train was a two-stop route with one pool of seats: it becomes stops 0 (its source)
and 1 (its destination), without distances, and one `GEN` class of `total_seats` seats.
"""

import django.core.validators
import django.db.models.deletion
from django.db import migrations, models


def two_stop_routes_and_general_class(apps, schema_editor):
    Train, Stop, TrainClass = (apps.get_model("trains", name) for name in ("Train", "Stop", "TrainClass"))
    stops, classes = [], []
    for train in Train.objects.all().iterator():
        stops.append(
            Stop(
                train=train,
                index=0,
                station=train.source,
                station_key=train.source_key,
                departure_time=train.departure_time,
                day_offset=0,
            )
        )
        stops.append(
            Stop(
                train=train,
                index=1,
                station=train.destination,
                station_key=train.destination_key,
                arrival_time=train.arrival_time,
                day_offset=train.arrival_day_offset,
            )
        )
        classes.append(TrainClass(train=train, code="GEN", rank=6, seats=train.total_seats))
    Stop.objects.bulk_create(stops, batch_size=1000)
    TrainClass.objects.bulk_create(classes, batch_size=1000)


class Migration(migrations.Migration):
    dependencies = [
        ("trains", "0001_initial"),
    ]

    operations = [
        migrations.RemoveConstraint(model_name="train", name="train_total_seats_range"),
        migrations.AlterField(
            model_name="train",
            name="total_seats",
            field=models.PositiveIntegerField(
                validators=[
                    django.core.validators.MinValueValidator(1),
                    django.core.validators.MaxValueValidator(5000),
                ]
            ),
        ),
        migrations.AddConstraint(
            model_name="train",
            constraint=models.CheckConstraint(
                condition=models.Q(("total_seats__gte", 1), ("total_seats__lte", 5000)), name="train_total_seats_range"
            ),
        ),
        migrations.CreateModel(
            name="Stop",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("index", models.PositiveSmallIntegerField()),
                ("station", models.CharField(max_length=64)),
                ("station_key", models.CharField(editable=False, max_length=64)),
                ("arrival_time", models.TimeField(blank=True, null=True)),
                ("departure_time", models.TimeField(blank=True, null=True)),
                (
                    "day_offset",
                    models.PositiveSmallIntegerField(
                        default=0, validators=[django.core.validators.MaxValueValidator(3)]
                    ),
                ),
                ("distance_km", models.PositiveIntegerField(blank=True, null=True)),
                (
                    "train",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE, related_name="stops", to="trains.train"
                    ),
                ),
            ],
            options={
                "ordering": ["train_id", "index"],
                "indexes": [models.Index(fields=["station_key", "train", "index"], name="stop_station_idx")],
                "constraints": [
                    models.UniqueConstraint(fields=("train", "index"), name="stop_train_index_unique"),
                    models.UniqueConstraint(fields=("train", "station_key"), name="stop_train_station_unique"),
                    models.CheckConstraint(condition=models.Q(("day_offset__lte", 3)), name="stop_day_offset_range"),
                ],
            },
        ),
        migrations.CreateModel(
            name="TrainClass",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("code", models.CharField(max_length=3)),
                ("rank", models.PositiveSmallIntegerField(default=0)),
                ("coaches", models.PositiveSmallIntegerField(blank=True, null=True)),
                ("seats", models.PositiveIntegerField()),
                ("fare_per_km", models.DecimalField(blank=True, decimal_places=2, max_digits=7, null=True)),
                (
                    "train",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE, related_name="classes", to="trains.train"
                    ),
                ),
            ],
            options={
                "ordering": ["train_id", "rank"],
                "verbose_name_plural": "classes",
                "constraints": [
                    models.UniqueConstraint(fields=("train", "code"), name="class_train_code_unique"),
                    models.CheckConstraint(
                        condition=models.Q(("seats__gte", 1), ("seats__lte", 5000)), name="class_seats_range"
                    ),
                ],
            },
        ),
        migrations.RunPython(two_stop_routes_and_general_class, migrations.RunPython.noop),
    ]
