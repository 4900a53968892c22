"""Building blocks for register filter sets (django-filter) and their description in words.

Filter names are the query parameters of the admin list, the `--filter NAME=VALUE` names of
`export_register`, and what the export's "Info" sheet describes, so one definition serves all three.
"""

import datetime

import django_filters
from django import forms
from django.db.models import Model, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.admin.widgets import AdminDateInput

from programs.models import Kecamatan, Kelurahan

DATE_INPUT = AdminDateInput


def _day_start(day: datetime.date) -> datetime.datetime:
    """Midnight of an Asia/Jakarta day as an aware datetime, so a datetime index stays usable.

    ValueError for a day whose midnight has no UTC time (0001-01-01): the database gets UTC.
    """
    start = timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))
    try:
        start.astimezone(datetime.UTC)
    except OverflowError:
        raise ValueError(day) from None
    return start


class DateTimeFromFilter(django_filters.DateFilter):
    """`<field> >= start of the chosen local day`."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", DATE_INPUT)
        super().__init__(*args, **kwargs)

    def filter(self, qs: QuerySet, value):
        if not value:
            return qs
        return qs.filter(**{f"{self.field_name}__gte": _day_start(value)})


class DateTimeToFilter(DateTimeFromFilter):
    """`<field> < start of the day after the chosen local day` (the chosen day is included)."""

    def filter(self, qs: QuerySet, value):
        if not value:
            return qs
        try:
            next_day = value + datetime.timedelta(days=1)
        except OverflowError:  # 9999-12-31
            raise ValueError(value) from None
        return qs.filter(**{f"{self.field_name}__lt": _day_start(next_day)})


class AgeBandFilter(django_filters.ChoiceFilter):
    """Age bands turned into a birth-date range relative to today (indexable, no per-row age maths).

    `bands` maps a choice value such as "18-25" to (min_age, max_age), both included.
    """

    DEFAULT_BANDS = {"18-25": (18, 25), "26-35": (26, 35), "36-45": (36, 45), "46-59": (46, 59)}

    def __init__(self, *args, bands: dict[str, tuple[int, int]] | None = None, **kwargs):
        self.bands = bands or self.DEFAULT_BANDS
        kwargs.setdefault("choices", [(key, _("%(band)s years") % {"band": key}) for key in self.bands])
        super().__init__(*args, **kwargs)

    def filter(self, qs: QuerySet, value):
        if not value or value not in self.bands:
            return qs
        low, high = self.bands[value]
        today = timezone.localdate()
        return qs.filter(**{
            f"{self.field_name}__lte": _years_before(today, low),
            f"{self.field_name}__gt": _years_before(today, high + 1),
        })


def _years_before(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def kecamatan_filter(kelurahan_path: str = "kelurahan") -> django_filters.ModelChoiceFilter:
    """Filter by kecamatan through the row's kelurahan (13 options)."""
    return django_filters.ModelChoiceFilter(
        label=_("Kecamatan"), field_name=f"{kelurahan_path}__kecamatan", queryset=Kecamatan.objects.all()
    )


def kelurahan_filter(kelurahan_path: str = "kelurahan") -> django_filters.ModelChoiceFilter:
    """Filter by kelurahan (104 options; select_related avoids one query per option label)."""
    return django_filters.ModelChoiceFilter(
        label=_("Kelurahan"), field_name=kelurahan_path, queryset=Kelurahan.objects.select_related("kecamatan")
    )


class AllYesNoSelect(forms.NullBooleanSelect):
    """A yes/no filter whose empty choice reads "Semua" (django's reads "Unknown", which is not what it does)."""

    def __init__(self, attrs=None):
        super().__init__(attrs)
        self.choices = [("unknown", EMPTY_CHOICE_LABEL), ("true", _("Yes")), ("false", _("No"))]


# The empty choice of every register filter: "no filter" reads "All", not django's "---------".
EMPTY_CHOICE_LABEL = _("All")


class RegisterFilterSet(django_filters.FilterSet):
    """Base class: adds the applied filters described in words (labels and chosen values' text), and
    gives every choice filter the same empty choice, "Semua" (EMPTY_CHOICE_LABEL)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for flt in self.filters.values():  # copies: changing them leaves the class's declarations alone
            if isinstance(flt, django_filters.BooleanFilter):
                flt.extra.setdefault("widget", AllYesNoSelect)
            elif isinstance(flt, (django_filters.ChoiceFilter, django_filters.ModelChoiceFilter)):
                flt.extra["empty_label"] = EMPTY_CHOICE_LABEL
            elif isinstance(flt, django_filters.TypedChoiceFilter):
                # Django's TypedChoiceField offers no empty choice: its first option was applied unasked.
                choices = flt.extra.get("choices", ())
                if not callable(choices) and (not choices or list(choices)[0][0] != ""):
                    flt.extra["choices"] = [("", EMPTY_CHOICE_LABEL), *choices]

    def filter_queryset(self, queryset):
        for name, value in list(self.form.cleaned_data.items()):
            try:
                queryset = self.filters[name].filter(queryset, value)
            except (ValueError, OverflowError):
                # A value the form accepts but no condition can be built from (a date at the edge of
                # the calendar, 0001-01-01 or 9999-12-31): that filter is not applied, and says so.
                self.form.add_error(name, _("Value out of range."))
        return queryset

    def describe(self) -> list[tuple[str, str]]:
        """[(label, value text)] for each filter applied: a refused value (malformed date) is not."""
        if not self.is_bound:
            return []
        self.form.is_valid()  # fills cleaned_data with the valid values only
        described = []
        for name, value in self.form.cleaned_data.items():
            if value in (None, "", [], ()):
                continue
            field = self.form.fields[name]
            described.append((str(field.label or name), display_value(field, value)))
        return described


def display_value(field: forms.Field, value) -> str:
    if isinstance(value, (list, tuple)):
        return ", ".join(display_value(field, item) for item in value)
    if isinstance(value, Model):
        return str(value)
    if isinstance(value, datetime.date):
        return value.strftime("%d-%m-%Y")
    if isinstance(value, bool):
        return str(_("Yes") if value else _("No"))
    choices = getattr(field, "choices", None)
    if choices is not None:
        for key, label in choices:
            if str(key) == str(value):
                return str(label)
    return str(value)
