"""Every date and time field staff fill in the admin uses Wagtail's pickers, in every form and register filter."""

import importlib
import inspect

import pytest
from django import forms
from wagtail import hooks
from wagtail.admin.widgets import AdminDateInput, AdminDateTimeInput, AdminTimeInput

from programs.registers.base import get_register, register_keys
from tests.factories import UserFactory

# The resident's own form on the public site and the printable interview sheet (outside the admin layout)
# keep the browser's native date input: no admin scripts there.
PUBLIC_FORMS = {"applicants.intake.forms", "applicants.selection.printing"}
# A month (yyyy-mm) has no Wagtail picker: the browser's month input is the right control for it.
MONTH_FIELDS = {("applicants.delivery.registers.followups", "due_month")}
WIDGET_FOR = {forms.DateTimeField: AdminDateTimeInput, forms.DateField: AdminDateInput, forms.TimeField: AdminTimeInput}


def _our_form_classes():
    hooks.search_for_hooks()  # imports every area's hooks, views and forms
    for module in ("applicants.intake.admin_forms", "programs.admin_forms", "applicants.selection.forms"):
        importlib.import_module(module)
    seen, todo = set(), [forms.BaseForm]
    while todo:
        cls = todo.pop()
        for sub in cls.__subclasses__():
            if sub not in seen:
                seen.add(sub)
                todo.append(sub)
    return sorted(
        (cls for cls in seen if cls.__module__.startswith(("applicants.", "programs.")) and cls.__module__ not in
         PUBLIC_FORMS and not inspect.isabstract(cls)),
        key=lambda cls: f"{cls.__module__}.{cls.__qualname__}",
    )


def _is_month(field) -> bool:
    """A month field (a KUB report's period) keeps the browser's month input: Wagtail has no month picker."""
    return getattr(field.widget, "input_type", "") == "month" or field.widget.attrs.get("type") == "month"


def _expected(field):
    for field_class, widget_class in WIDGET_FOR.items():  # DateTimeField before DateField (no subclassing, but clear)
        if isinstance(field, field_class):
            return widget_class
    return None


def test_every_date_and_time_field_of_our_admin_forms_uses_a_wagtail_picker():
    checked, wrong = 0, []
    for form_class in _our_form_classes():
        for name, field in getattr(form_class, "base_fields", {}).items():
            expected = _expected(field)
            if expected is None or _is_month(field):
                continue
            checked += 1
            if not isinstance(field.widget, expected):
                wrong.append(f"{form_class.__module__}.{form_class.__qualname__}.{name}: {type(field.widget).__name__}")
    assert checked >= 15  # intake dates, sessions, handover, schedule and slots, office hours, holidays, print...
    assert wrong == []


@pytest.mark.django_db
def test_every_register_date_filter_uses_the_wagtail_date_picker():
    checked, wrong = 0, []
    for key in register_keys():
        register = get_register(key)
        form = register.filterset_class(queryset=register.model._default_manager.none()).form
        for name, field in form.fields.items():
            expected = _expected(field)
            if expected is None or (register.filterset_class.__module__, name) in MONTH_FIELDS or _is_month(field):
                continue
            checked += 1
            if not isinstance(field.widget, expected):
                wrong.append(f"{key}.{name}: {type(field.widget).__name__}")
    assert checked >= 4
    assert wrong == []


INIT = {AdminDateInput: "initDateChooser", AdminDateTimeInput: "initDateTimeChooser", AdminTimeInput: "initTimeChooser"}


@pytest.mark.django_db
def test_every_form_that_needs_no_arguments_renders_its_pickers():
    rendered = 0
    for form_class in _our_form_classes():
        fields = {name: _expected(field) for name, field in getattr(form_class, "base_fields", {}).items()}
        fields = {name: widget for name, widget in fields.items() if widget is not None}
        if not fields:
            continue
        try:
            form = form_class()
        except (TypeError, KeyError, AttributeError):  # needs its record or view (outcome, generate...)
            continue
        html = str(form)
        rendered += 1
        for name, widget in fields.items():
            assert f'{INIT[widget]}("id_{name}"' in html, (form_class, name)
    assert rendered >= 5


@pytest.mark.django_db
@pytest.mark.parametrize("url, call", [
    ("/admin/gelombang/new/", 'initDateChooser("id_registration_opens"'),
    ("/admin/hari-libur/new/", 'initDateChooser("id_date"'),
    ("/admin/programs/cohort/create/", 'initDateChooser("id_start_date"'),
    ("/admin/wawancara/jadwalkan-sekaligus/", 'initDateTimeChooser("id_start"'),
    ("/admin/wawancara/jadwalkan-sekaligus/", 'initTimeChooser("id_day_start"'),
    ("/admin/wawancara/semua/", 'initDateChooser("id_date"'),
    ("/admin/applicants/application/create/", 'initDateChooser("id_birth_date"'),
    ("/admin/applicants/application/?submitted_from=2026-11-01", 'initDateChooser("id_submitted_from"'),
    ("/admin/register-kesejahteraan/", 'initDateChooser("id_as_of"'),
])
def test_admin_pages_render_the_picker_with_its_script(client, url, call):
    client.force_login(UserFactory(superuser=True))
    response = client.get(url)
    html = response.content.decode()
    assert response.status_code == 200, url
    assert call in html, url
    # The picker's script comes before the widget's inline call to it.
    assert html.index("wagtailadmin/js/date-time-chooser.js") < html.index(call)
