"""Every date and time field staff fill in the admin uses Wagtail's pickers, in every form and register filter."""

import importlib
import inspect

import pytest
from django import forms
from wagtail import hooks
from wagtail.admin.widgets import AdminDateInput, AdminDateTimeInput, AdminTimeInput

from programs.registers.base import get_register, register_keys
from tests.factories import UserFactory

# The resident's own form on the public site keeps the browser's native date input (no admin scripts there).
PUBLIC_FORMS = {"applicants.intake.forms"}
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
            if expected is None:
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
            if expected is None or (register.filterset_class.__module__, name) in MONTH_FIELDS:
                continue
            checked += 1
            if not isinstance(field.widget, expected):
                wrong.append(f"{key}.{name}: {type(field.widget).__name__}")
    assert checked >= 4
    assert wrong == []


@pytest.mark.django_db
@pytest.mark.parametrize("url, field_id", [
    ("/admin/gelombang/new/", "id_registration_opens"),
    ("/admin/applicants/application/?submitted_from=2026-11-01", "id_submitted_from"),
])
def test_admin_pages_render_the_picker_with_its_script(client, url, field_id):
    client.force_login(UserFactory(superuser=True))
    html = client.get(url).content.decode()
    assert f'initDateChooser("{field_id}"' in html
    # The picker's script comes before the widget's inline call to it.
    assert html.index("wagtailadmin/js/date-time-chooser.js") < html.index(f'initDateChooser("{field_id}"')
