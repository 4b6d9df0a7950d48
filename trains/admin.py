from django import forms
from django.contrib import admin, messages

from irctc.errors import DomainError
from trains import services
from trains.models import WEEKDAYS, Train, codes_from_mask, mask_from_codes
from trains.serializers import TRAIN_NUMBER_RE


class TrainAdminForm(forms.ModelForm):
    """Edits `runs_on_mask` as weekday checkboxes and checks the same rules as the API."""

    runs_on = forms.MultipleChoiceField(
        choices=[(code, code) for code in WEEKDAYS], widget=forms.CheckboxSelectMultiple, initial=WEEKDAYS
    )

    class Meta:
        model = Train
        fields = [
            "train_number",
            "name",
            "source",
            "destination",
            "departure_time",
            "arrival_time",
            "arrival_day_offset",
            "total_seats",
            "runs_on",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial["runs_on"] = codes_from_mask(self.instance.runs_on_mask)

    def clean_train_number(self):
        train_number = self.cleaned_data["train_number"]
        if not TRAIN_NUMBER_RE.fullmatch(train_number):
            raise forms.ValidationError("A train number is exactly 5 digits, e.g. 12951.")
        return train_number

    def _tidy(self, field: str) -> str:
        return " ".join(self.cleaned_data[field].split())

    def clean_name(self):
        return self._tidy("name")

    def clean_source(self):
        return self._tidy("source")

    def clean_destination(self):
        return self._tidy("destination")

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        cleaned["runs_on_mask"] = mask_from_codes(cleaned["runs_on"])
        candidate = Train(pk=self.instance.pk, **{field: cleaned[field] for field in self.train_fields()})
        try:
            services.check_schedule(candidate)
            if self.instance.pk and candidate.total_seats < self.instance.total_seats:
                services.check_seats_not_below_sold(self.instance, total_seats=candidate.total_seats)
        except DomainError as exc:
            raise forms.ValidationError(exc.extra.get("fields") or str(exc.detail)) from None
        return cleaned

    @staticmethod
    def train_fields() -> list[str]:
        return [*TrainAdminForm.Meta.fields[:-1], "runs_on_mask"]


@admin.register(Train)
class TrainAdmin(admin.ModelAdmin):
    form = TrainAdminForm
    list_display = [
        "train_number",
        "name",
        "source",
        "destination",
        "departure_time",
        "arrival_time",
        "arrival_day_offset",
        "total_seats",
        "running_days",
        "is_active",
    ]
    list_filter = ["is_active", "source", "destination"]
    search_fields = ["train_number", "name", "source", "destination"]
    ordering = ["train_number"]
    readonly_fields = ["is_active", "created_at", "updated_at"]
    actions = ["retire_trains"]

    @admin.display(description="Runs on")
    def running_days(self, train: Train) -> str:
        return " ".join(train.runs_on)

    def save_model(self, request, train, form, change):
        # Through the services, so an edit takes the same lock and the same sold-seat check as the API.
        fields = {field: form.cleaned_data[field] for field in TrainAdminForm.train_fields()}
        try:
            if change:
                saved = services.update_train(train_id=train.pk, **fields)
            else:
                saved = services.create_train(**fields)
        except DomainError as exc:
            self.message_user(request, f"Not saved: {exc.detail}", level=messages.ERROR)
            return
        train.pk = saved.pk

    @admin.action(description="Retire selected trains (refused while they have future bookings)")
    def retire_trains(self, request, queryset):
        retired = 0
        for train in queryset.filter(is_active=True):
            try:
                services.retire_train(train_id=train.pk)
            except DomainError as exc:
                self.message_user(request, f"{train}: {exc.detail}", level=messages.ERROR)
            else:
                retired += 1
        if retired:
            self.message_user(request, f"Retired {retired} train(s).", level=messages.SUCCESS)
