import json

from django.db import migrations, models


def render_quotas_into_classes_json(apps, schema_editor):
    # Every class so far sets nothing aside: its rendering (trains.rendering.class_data) gains
    # the new fields at their defaults, so search shows them without a re-render of each train.
    Train = apps.get_model("trains", "Train")
    changed = []
    for train in Train.objects.only("id", "classes_json").iterator():
        classes = json.loads(train.classes_json)
        for travel_class in classes:
            travel_class.setdefault("quotas", {"TQ": 0, "SS": 0, "LD": 0})
            travel_class.setdefault("rac_berths", 0)
        train.classes_json = json.dumps(classes, separators=(",", ":"), ensure_ascii=False)
        changed.append(train)
    Train.objects.bulk_update(changed, ["classes_json"], batch_size=500)


class Migration(migrations.Migration):
    dependencies = [
        ("trains", "0007_station_codes"),
    ]

    operations = [
        migrations.AddField(
            model_name="trainclass", name="quota_tq", field=models.PositiveIntegerField(default=0, verbose_name="TQ seats")
        ),
        migrations.AddField(
            model_name="trainclass", name="quota_ss", field=models.PositiveIntegerField(default=0, verbose_name="SS seats")
        ),
        migrations.AddField(
            model_name="trainclass", name="quota_ld", field=models.PositiveIntegerField(default=0, verbose_name="LD seats")
        ),
        migrations.AddField(
            model_name="trainclass",
            name="rac_berths",
            field=models.PositiveIntegerField(default=0, verbose_name="RAC berths"),
        ),
        migrations.RunPython(render_quotas_into_classes_json, migrations.RunPython.noop),
    ]
