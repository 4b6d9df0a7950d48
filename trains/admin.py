"""Trains in the Django admin: the train with its stops and classes inline, saved through the services.

The forms check each field; the whole train (route rules, class rules, and the 409s of a change
that would strand sold seats) is checked by `trains.services` itself: the last inline runs the
service on the proposed train in a savepoint that is rolled back, so its refusal is shown on the
form like any other error, and saving runs the same service for real.
"""

from django import forms
from django.contrib import admin, messages
from django.db import transaction

from irctc.exceptions import ApplicationError
from trains import services
from trains.layouts import GENERAL
from trains.models import WEEKDAYS, Station, Stop, Train, TrainClass, codes_from_mask, mask_from_codes
from trains.pools import ALL_QUOTAS, QUOTAS, pools_of_class
from trains.serializers import TRAIN_NUMBER_RE


class TrainAdminForm(forms.ModelForm):
    """Edits `runs_on_mask` as weekday checkboxes; the route and seats come from the inlines."""

    runs_on = forms.MultipleChoiceField(
        choices=[(code, code) for code in WEEKDAYS], widget=forms.CheckboxSelectMultiple, initial=WEEKDAYS
    )

    class Meta:
        model = Train
        fields = ["train_number", "name", "superfast", "total_seats", "runs_on"]
        help_texts = {"total_seats": "Seats of a GEN (general) train; a train with coach classes adds them up."}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["total_seats"].required = False
        if self.instance.pk:
            self.initial["runs_on"] = codes_from_mask(self.instance.runs_on_mask)

    def clean_train_number(self):
        train_number = self.cleaned_data["train_number"]
        if not TRAIN_NUMBER_RE.fullmatch(train_number):
            raise forms.ValidationError("A train number is exactly 5 digits, e.g. 12951.")
        return train_number

    def clean_name(self):
        return " ".join(self.cleaned_data["name"].split())

    def clean(self):
        cleaned = super().clean()
        if "runs_on" in cleaned:
            cleaned["runs_on_mask"] = mask_from_codes(cleaned["runs_on"])
            # The inlines' check of the whole train reads it from the instance they share.
            self.instance.runs_on_mask = cleaned["runs_on_mask"]
        return cleaned

    def _get_validation_exclusions(self):
        # total_seats may be blank (the classes give it); the services check what it must be.
        return {*super()._get_validation_exclusions(), "total_seats"}


class StopForm(forms.ModelForm):
    position = forms.IntegerField(
        required=False, min_value=1, help_text="Order on the route (1 = first); blank keeps the order shown."
    )

    class Meta:
        model = Stop
        fields = ["position", "station", "arrival_time", "departure_time", "day_offset", "distance_km"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial["position"] = self.instance.index + 1


def _messages(errors: dict[str, list[str]]) -> list[str]:
    return [f"{field}: {message}" for field, messages_ in errors.items() for message in messages_]


def _kept_forms(formset) -> list[forms.Form]:
    """Rows not marked for deletion: the stored ones, and the blank extras someone filled in."""
    return [
        form
        for form in formset.forms
        if not form.cleaned_data.get("DELETE") and (form.instance.pk or form.has_changed())
    ]


class StopFormSet(forms.BaseInlineFormSet):
    def clean(self):
        super().clean()
        if any(self.errors):
            return
        kept = sorted(
            enumerate(_kept_forms(self)),
            key=lambda item: (item[1].cleaned_data.get("position") or 10**6, item[0]),
        )
        stops = [
            {field: form.cleaned_data.get(field) for field in services.STOP_FIELDS}
            | {"day_offset": form.cleaned_data.get("day_offset") or 0}
            for _, form in kept
        ]
        errors = services.route_errors(stops)
        if errors:
            raise forms.ValidationError(_messages(errors))
        # Both inlines share the train being edited: the classes' check reads the route from it.
        self.instance.proposed_stops = stops


class TrainClassFormSet(forms.BaseInlineFormSet):
    """The last inline: once the classes are read, the whole train goes through the service."""

    def clean(self):
        super().clean()
        train = self.instance
        if any(self.errors) or not hasattr(train, "proposed_stops"):
            return
        train.proposed_classes = [
            {
                **{field: form.cleaned_data.get(field) for field in ("code", "coaches", "fare_per_km")},
                "rac_berths": form.cleaned_data.get("rac_berths") or 0,
                "quotas": {quota: form.cleaned_data.get(f"quota_{quota.lower()}") or 0 for quota in QUOTAS},
            }
            for form in _kept_forms(self)
        ]
        try:
            with transaction.atomic():
                save_through_services(train)
                transaction.set_rollback(True)  # only asking: the real save comes after validation
        except ApplicationError as refusal:
            raise forms.ValidationError(_messages(refusal.fields) if refusal.fields else [refusal.message]) from None


def save_through_services(train: Train) -> Train:
    """Create or update `train` (the admin form's instance, with the inlines' proposal on it)."""
    fields = dict(
        train_number=train.train_number,
        name=train.name,
        superfast=train.superfast,
        runs_on_mask=train.runs_on_mask,
        stops=train.proposed_stops,
        classes=train.proposed_classes,
    )
    # The form shows total_seats on every train, but only a GEN train's seats are set by it.
    if train.total_seats is not None and [c["code"] for c in train.proposed_classes] == [GENERAL]:
        fields["total_seats"] = train.total_seats
    if train.pk:
        return services.update_train(train_id=train.pk, partial=False, **fields)
    return services.create_train(**fields)


class StopInline(admin.TabularInline):
    model = Stop
    form = StopForm
    formset = StopFormSet
    extra = 0
    min_num = 2


class TrainClassForm(forms.ModelForm):
    """A class's row; the quota and RAC counts may be left blank (none set aside)."""

    class Meta:
        model = TrainClass
        fields = ["code", "coaches", "fare_per_km", "quota_tq", "quota_ss", "quota_ld", "rac_berths"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in ("quota_tq", "quota_ss", "quota_ld", "rac_berths"):
            self.fields[field].required = False


class TrainClassInline(admin.TabularInline):
    model = TrainClass
    form = TrainClassForm
    formset = TrainClassFormSet
    fields = [
        "code",
        "coaches",
        "seats",
        "fare_per_km",
        "quota_tq",
        "quota_ss",
        "quota_ld",
        "rac_berths",
        "pool_sizes",
        "pools",
    ]
    readonly_fields = ["seats", "pool_sizes", "pools"]
    extra = 0
    min_num = 1

    @admin.display(description="Seats per pool")
    def pool_sizes(self, travel_class: TrainClass) -> str:
        return "-" if travel_class.pk is None else _pool_counts(pools_of_class(travel_class))

    @admin.display(description="Pools (seat numbers)")
    def pools(self, travel_class: TrainClass) -> str:
        """Which seats each quota holds and which berths are RAC, as every run of the class has them."""
        if travel_class.pk is None:
            return "-"
        pools = pools_of_class(travel_class)
        parts = [f"{quota}: {_seat_ranges(pools.seats[quota])}" for quota in ALL_QUOTAS if pools.seats[quota]]
        if pools.rac_berths:
            parts.append(f"RAC: {_seat_ranges(pools.rac_berths)}")
        return "; ".join(parts)


def _pool_counts(pools) -> str:
    """How many seats each quota of a class holds and how many berths are RAC (each two RAC places)."""
    counts = [f"{quota} {len(pools.seats[quota])}" for quota in ALL_QUOTAS if pools.seats[quota]]
    if pools.rac_berths:
        counts.append(f"RAC {len(pools.rac_berths)}")
    return ", ".join(counts)


def _seat_ranges(seats) -> str:
    """Ascending seat numbers as "1-40, 45, 47-50"."""
    ranges: list[list[int]] = []
    for seat in seats:
        if ranges and ranges[-1][1] == seat - 1:
            ranges[-1][1] = seat
        else:
            ranges.append([seat, seat])
    return ", ".join(str(first) if first == last else f"{first}-{last}" for first, last in ranges)


@admin.register(Train)
class TrainAdmin(admin.ModelAdmin):
    form = TrainAdminForm
    inlines = [StopInline, TrainClassInline]
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
        "superfast",
        "class_pools",
        "is_active",
    ]
    list_filter = ["is_active", "superfast", "source", "destination"]
    search_fields = ["train_number", "name", "source", "destination", "stops__station"]
    ordering = ["train_number"]
    readonly_fields = [
        "source",
        "destination",
        "departure_time",
        "arrival_time",
        "arrival_day_offset",
        "is_active",
        "created_at",
        "updated_at",
    ]
    actions = ["retire_trains"]

    def get_search_results(self, request, queryset, search_term):
        queryset, _ = super().get_search_results(request, queryset, search_term)
        return queryset.distinct(), False  # a station search may match several stops of a train

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("classes")

    @admin.display(description="Pools per class")
    def class_pools(self, train: Train) -> str:
        """Each class's seats by quota and its RAC berths: "3A: GN 528, TQ 88, SS 44, LD 6, RAC 44"."""
        return "; ".join(
            f"{travel_class.code}: {_pool_counts(pools_of_class(travel_class))}" for travel_class in train.classes.all()
        )

    @admin.display(description="Runs on")
    def running_days(self, train: Train) -> str:
        return " ".join(train.runs_on)

    def save_model(self, request, train, form, change):
        # The inlines' checks ran the service already; this is the same call, for real.
        try:
            saved = save_through_services(train)
        except ApplicationError as exc:  # a booking or another edit came in since the form was checked
            self.message_user(request, f"Not saved: {exc.message}", level=messages.ERROR)
            return
        train.pk = saved.pk

    def save_related(self, request, form, formsets, change):
        # The services wrote the stops and classes; the change message only needs to know that.
        for formset in formsets:
            formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []

    @admin.action(description="Retire selected trains (refused while they have future bookings)")
    def retire_trains(self, request, queryset):
        retired = 0
        for train in queryset.filter(is_active=True):
            try:
                services.retire_train(train_id=train.pk)
            except ApplicationError as exc:
                self.message_user(request, f"{train}: {exc.message}", level=messages.ERROR)
            else:
                retired += 1
        if retired:
            self.message_user(request, f"Retired {retired} train(s).", level=messages.SUCCESS)


@admin.register(Station)
class StationAdmin(admin.ModelAdmin):
    """Station codes, read only here: they come with the stops that bring them (`trains.stations`),
    whose rules (one code, one station) and cache counters a form of its own would bypass."""

    list_display = ("code", "name")
    search_fields = ("code", "name")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
