"""Forms of the pages. They render labels, widgets and messages; the rules stay where the API has
them: a form's `clean()` runs the API's own serializer, and what a service refuses is put back on
the form (`show_refusal`), next to the field it concerns."""

import re

from django import forms
from django.urls import reverse_lazy
from rest_framework import serializers
from rest_framework.exceptions import ValidationError

from accounts.serializers import LoginSerializer, RegisterSerializer
from bookings.models import MAX_SEATS_PER_BOOKING, Passenger
from bookings.search_page import DEPARTURE_WINDOWS, SORTS, bookable_dates
from bookings.serializers import PassengerInputSerializer, SeatMapParamsSerializer, TrainSearchParamsSerializer
from irctc.exceptions import ApplicationError
from trains.layouts import BERTH_TYPE_NAMES, LAYOUTS
from trains.pools import ALL_QUOTAS, GENERAL_QUOTA, QUOTA_NAMES


class PageForm(forms.Form):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)


class SerializerForm(PageForm):
    """A form whose data is checked by `serializer_class`: `cleaned_data` is its `validated_data`.

    `field_names` maps the serializer's field names to this form's where they differ.
    """

    serializer_class: type[serializers.Serializer]
    field_names: dict[str, str] = {}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for form_field in self.fields.values():
            # Whether a field may be left out is the serializer's rule, with its own message;
            # the browser is still told which fields are required.
            if form_field.required:
                form_field.required = False
                form_field.widget.attrs["required"] = True

    def clean(self):
        super().clean()
        if self.errors:
            return self.cleaned_data
        # The serializer reads what was typed, as it would from a JSON body, not Django's parse.
        typed = {name: self.data.get(self.add_prefix(name), "") for name in self.fields}
        data = {self._api_name(name): value for name, value in typed.items() if value != ""}
        serializer = self.serializer_class(data=data)
        if not serializer.is_valid():
            show_refusal(self, ValidationError(serializer.errors))
            return self.cleaned_data
        return {self.field_names.get(name, name): value for name, value in serializer.validated_data.items()}

    def _api_name(self, name: str) -> str:
        return {form: api for api, form in self.field_names.items()}.get(name, name)


def show_refusal(form: forms.Form, exc: ApplicationError | ValidationError) -> None:
    """Put a service's refusal, or the refusal of the form's serializer, on `form`.

    Invalid input is shown field by field, each message next to its field (as the form names it);
    any other refusal is about the request as a whole, and its message heads the form.
    """
    if isinstance(exc, ValidationError):
        _show_field_errors(form, exc.detail if isinstance(exc.detail, dict) else {None: exc.detail})
        return
    if exc.kind == "invalid" and exc.fields:
        _show_field_errors(form, exc.fields)
    else:
        form.add_error(None, exc.message)


PASSENGER_FIELD = re.compile(r"^passengers(?:\[(\d+)\])?$")


def show_passenger_refusal(formset: forms.BaseFormSet, exc: ApplicationError) -> bool:
    """Put a refusal about the passengers (a quota's rule: who may travel on it, how many) on the
    passenger forms: `passengers[i]` on passenger i's form, `passengers` above them all. False,
    and nothing shown, when the refusal is about something else."""
    fields = exc.fields if isinstance(exc, ApplicationError) else {}
    matches = {name: PASSENGER_FIELD.match(name) for name in fields}
    if not fields or not all(matches.values()):
        return False
    for name, messages in fields.items():
        index = matches[name].group(1)
        for message in messages if isinstance(messages, list) else [messages]:
            if index is not None and int(index) < len(formset.forms):
                formset.forms[int(index)].add_error(None, str(message))
            else:
                formset.non_form_errors().append(str(message))
    return True


def _show_field_errors(form: forms.Form, fields: dict) -> None:
    names = getattr(form, "field_names", {})
    for name, messages in fields.items():
        field = names.get(name, name)
        for message in messages if isinstance(messages, list) else [messages]:
            form.add_error(field if field in form.fields else None, str(message))


class SignInForm(SerializerForm):
    serializer_class = LoginSerializer
    username = forms.CharField(
        label="Username or email", max_length=254, widget=forms.TextInput({"autocomplete": "username"})
    )
    password = forms.CharField(
        label="Password", max_length=128, strip=False, widget=forms.PasswordInput({"autocomplete": "current-password"})
    )

    def clean(self):
        cleaned = super().clean()
        # One box for both, as people expect: an "@" means an email.
        identifier = cleaned.pop("username", "")
        cleaned["email" if "@" in identifier else "username"] = identifier
        return cleaned


class RegisterForm(SerializerForm):
    serializer_class = RegisterSerializer
    username = forms.CharField(label="Username", max_length=150, widget=forms.TextInput({"autocomplete": "username"}))
    email = forms.EmailField(label="Email", max_length=254, widget=forms.EmailInput({"autocomplete": "email"}))
    password = forms.CharField(
        label="Password",
        max_length=128,
        strip=False,
        widget=forms.PasswordInput({"autocomplete": "new-password"}),
        help_text="At least 8 characters, not only digits, not a common password.",
    )


class StationInput(forms.TextInput):
    """A station box whose suggestions come from the server as the passenger types (htmx)."""

    def __init__(self, list_id: str):
        super().__init__(
            {
                "list": list_id,
                "autocomplete": "off",
                "spellcheck": "false",
                "hx-get": reverse_lazy("web:stations"),
                "hx-trigger": "input changed delay:200ms",
                "hx-target": f"#{list_id}",
                "hx-sync": "this:replace",
            }
        )


CLASS_CHOICES = [(code, f"{layout.name} ({code})") for code, layout in LAYOUTS.items()]


def _class_field(**kwargs) -> forms.ChoiceField:
    return forms.ChoiceField(label="Class", choices=[("", "All classes"), *CLASS_CHOICES], required=False, **kwargs)


QUOTA_CHOICES = [(quota, f"{QUOTA_NAMES[quota]} ({quota})") for quota in ALL_QUOTAS]


def _quota_field(**kwargs) -> forms.ChoiceField:
    return forms.ChoiceField(
        label="Quota",
        choices=QUOTA_CHOICES,
        required=False,
        initial=GENERAL_QUOTA,
        help_text="Tatkal opens the day before: AC 10:00, others 11:00.",
        **kwargs,
    )


class SearchForm(SerializerForm):
    """A route (names or codes), the day (asked for: the page never assumes one), a class, a quota,
    and how the page orders and filters what it finds (`bookings.search_page`)."""

    serializer_class = TrainSearchParamsSerializer
    source = forms.CharField(
        label="From", max_length=64, widget=StationInput("stations-from"), help_text="A station or its code, e.g. NDLS."
    )
    destination = forms.CharField(label="To", max_length=64, widget=StationInput("stations-to"))
    date = forms.DateField(
        label="Travel date", widget=forms.DateInput({"type": "date", "data-date-words": "date-words"})
    )
    sort = forms.ChoiceField(label="Sort by", choices=list(SORTS.items()), required=False)
    departs = forms.ChoiceField(
        label="Departing",
        choices=[("", "Any time"), *((key, label) for key, (label, _start, _until) in DEPARTURE_WINDOWS.items())],
        required=False,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # `class` is a Python keyword, so the field can't be declared in the class body.
        self.fields["class"] = _class_field()
        self.fields["quota"] = _quota_field()
        first, last = bookable_dates()
        self.fields["date"].widget.attrs.update(min=first.isoformat(), max=last.isoformat())
        self.fields["date"].initial = first
        self.fields["date"].help_text = f"Between {first:%a %-d %b %Y} and {last:%a %-d %b %Y}."

    def clean(self):
        ordering = {name: self.cleaned_data.get(name) or "" for name in ("sort", "departs")}
        cleaned = super().clean()
        if not self.errors and cleaned.get("date") is None:
            self.add_error("date", "Choose the day you travel.")
        return {**cleaned, **ordering}

    def search_arguments(self) -> dict:
        """What `bookings.search_page.search_page` takes."""
        data = self.cleaned_data
        return {
            "source": data["source"],
            "destination": data["destination"],
            "travel_date": data["date"],
            "class_code": data.get("class_code"),
            "quota": data.get("quota") or GENERAL_QUOTA,
            "sort": data["sort"] or "departure",
            "departs": data["departs"],
        }


class JourneyForm(SerializerForm):
    """Which journey a seat map, passenger form or waitlist request is about: the date from the
    URL, boarding and alighting stations, class and quota from the query string or hidden fields."""

    serializer_class = SeatMapParamsSerializer
    date = forms.DateField(label="Travel date")
    to = forms.CharField(label="To", max_length=64, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["from"] = forms.CharField(label="From", max_length=64, required=False)
        self.fields["class"] = _class_field()
        self.fields["quota"] = _quota_field()

    def clean(self):
        cleaned = super().clean()
        cleaned["quota"] = cleaned.get("quota") or GENERAL_QUOTA
        # Left out means "the train's first stop / last stop / only class": the services decide.
        for name in ("from", "to", "class_code"):
            cleaned.setdefault(name, "")
        return cleaned

    def service_arguments(self) -> dict:
        """The journey as the booking services and the seat map take it."""
        return {
            "travel_date": self.cleaned_data["date"],
            "from_station": self.cleaned_data["from"] or None,
            "to_station": self.cleaned_data["to"] or None,
            "class_code": self.cleaned_data["class_code"] or None,
            "quota": self.cleaned_data["quota"],
        }


class SeatNumbersField(forms.Field):
    """The seats ticked on the seat map, by number; whether they exist and are free is the service's call."""

    widget = forms.MultipleHiddenInput
    default_error_messages = {
        "required": "Choose at least one seat on the seat map.",
        "invalid": "A seat is a whole number.",
        "too_many": f"Choose at most {MAX_SEATS_PER_BOOKING} seats at a time.",
    }

    def to_python(self, value):
        if not value:
            return []
        try:
            return sorted({int(number) for number in value})
        except (TypeError, ValueError) as exc:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid") from exc

    def validate(self, value):
        super().validate(value)
        if len(value) > MAX_SEATS_PER_BOOKING:
            raise forms.ValidationError(self.error_messages["too_many"], code="too_many")


class SeatChoiceForm(PageForm):
    seat = SeatNumbersField(label="Seats")


class PassengerForm(SerializerForm):
    """One traveller; the berth types offered are those of the journey's class."""

    serializer_class = PassengerInputSerializer
    name = forms.CharField(label="Full name", max_length=50, widget=forms.TextInput({"autocomplete": "off"}))
    age = forms.IntegerField(label="Age", min_value=1, max_value=125)
    gender = forms.ChoiceField(label="Gender", choices=[("", "Choose"), *Passenger.Gender.choices])
    berth_preference = forms.ChoiceField(label="Berth preference", required=False)

    def __init__(self, *args, class_code: str = "GEN", **kwargs):
        super().__init__(*args, **kwargs)
        berth_types = dict.fromkeys(LAYOUTS[class_code].berth_types)
        self.fields["berth_preference"].choices = [
            ("", "No preference"),
            *((code, BERTH_TYPE_NAMES[code]) for code in berth_types),
        ]
        if not berth_types:
            del self.fields["berth_preference"]


PassengerFormSet = forms.formset_factory(
    PassengerForm, extra=0, min_num=1, max_num=MAX_SEATS_PER_BOOKING, validate_min=True, validate_max=True
)


class PnrForm(PageForm):
    pnr = forms.RegexField(
        label="PNR",
        regex=r"^\d{10}$",
        max_length=10,
        error_messages={"invalid": "A PNR is the 10 digits printed on the ticket."},
        widget=forms.TextInput({"inputmode": "numeric"}),
    )


class SearchLogFilterForm(PageForm):
    source = forms.CharField(label="From", max_length=64, required=False)
    destination = forms.CharField(label="To", max_length=64, required=False)
    user = forms.IntegerField(label="User id", min_value=1, required=False)
    status = forms.IntegerField(label="HTTP status", min_value=100, max_value=599, required=False)
    page = forms.IntegerField(min_value=1, required=False, widget=forms.HiddenInput)


class WaitlistForm(PageForm):
    seats = forms.IntegerField(label="Passengers", min_value=1, max_value=MAX_SEATS_PER_BOOKING, initial=1)
