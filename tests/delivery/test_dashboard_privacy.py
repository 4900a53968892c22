"""The admin home panel: none for comms (no figure below kelurahan level); kecamatan-restricted staff see
the figures of their kecamatan only."""

import pytest
from django.urls import reverse

from applicants import dashboard
from programs.models import KelurahanQuota

pytestmark = pytest.mark.django_db


def test_comms_admin_home_has_no_programme_panel(client, role_world):
    client.force_login(role_world["users"]["comms"])
    response = client.get(reverse("wagtailadmin_home"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Capaian program" not in html and "sigap-bars" not in html


def _applied(context, intake):
    funnel = next(f for f in context["funnels"] if f["intake"] == intake)
    return funnel["bars"][0].value


def test_restricted_editor_sees_the_figures_of_their_kecamatan_only(client, role_world):
    intake = role_world["app_ani"].intake
    for kel in (role_world["kel1"], role_world["kel2"]):
        KelurahanQuota.objects.create(intake=intake, kelurahan=kel, quota=5)
    full = dashboard.dashboard_context(user=role_world["users"]["editor"], max_intakes=10)
    narrow = dashboard.dashboard_context(user=role_world["users"]["editor_kec1"], max_intakes=10)
    assert (_applied(full, intake), _applied(narrow, intake)) == (2, 1)  # Ani and Budi / Ani only
    assert narrow["restricted"] and not full["restricted"]
    rows = dashboard.kelurahan_progress(intake, role_world["users"]["editor_kec1"])
    assert [(r["kelurahan"], r["bars"][0].value) for r in rows] == [(role_world["kel1"], 1)]
    client.force_login(role_world["users"]["editor_kec1"])
    html = client.get(reverse("wagtailadmin_home")).content.decode()
    assert "Angka untuk kecamatan wilayah tugas Anda saja." in html
