"""A success story may link to a graduate's record only with that graduate's recorded consent."""

import pytest
from django.core.exceptions import ValidationError
from wagtail.log_actions import registry as log_registry

from applicants.models import Enrolment
from public_pages.models import SuccessStoryPage
from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def graduate():
    enrolment = f.EnrolmentFactory(status=Enrolment.Status.COMPLETED)
    applicant = enrolment.application.applicant
    applicant.full_name = "Sri Wahyuni Lestari"
    applicant.save(update_fields=["full_name"])
    return enrolment


def test_story_cannot_link_a_graduate_who_has_not_consented(graduate):
    page = SuccessStoryPage(title="Kisah", slug="kisah", alumnus_first_name="Sri", graduate=graduate,
                            program=graduate.cohort.program, business_type="Katering",
                            kecamatan=graduate.application.applicant.kelurahan.kecamatan, quote="q", story="<p>s</p>")
    with pytest.raises(ValidationError) as exc:
        page.clean()
    assert "graduate" in exc.value.message_dict


def test_recorded_consent_lets_the_story_link_and_is_logged(graduate, django_user_model):
    editor = django_user_model.objects.create_user("editor-x", password="x")
    graduate.record_publication_consent(editor, "Formulir 12/2026")
    graduate.refresh_from_db()
    assert graduate.publication_consent_at and graduate.can_publish_story()
    entry = log_registry.get_logs_for_instance(graduate).get(action="sigap.publication_consent")
    assert entry.user == editor and entry.data["note"] == "Formulir 12/2026"
    page = SuccessStoryPage(title="Kisah", slug="kisah", alumnus_first_name="Sri", graduate=graduate,
                            program=graduate.cohort.program, business_type="Katering",
                            kecamatan=graduate.application.applicant.kelurahan.kecamatan, quote="q", story="<p>s</p>")
    page.clean()  # no error


def test_consent_needs_a_graduate_and_a_written_proof(graduate, django_user_model):
    editor = django_user_model.objects.create_user("editor-y", password="x")
    with pytest.raises(ValidationError):
        graduate.record_publication_consent(editor, "   ")
    active = f.EnrolmentFactory(status=Enrolment.Status.ACTIVE)
    with pytest.raises(ValidationError):
        active.record_publication_consent(editor, "Formulir 13/2026")


def test_editor_choice_offers_only_consenting_graduates_by_first_name(graduate, django_user_model):
    editor = django_user_model.objects.create_user("editor-z", password="x")
    other = f.EnrolmentFactory(status=Enrolment.Status.COMPLETED)  # no consent: never offered
    graduate.record_publication_consent(editor, "Formulir 14/2026")
    form_class = SuccessStoryPage.get_edit_handler().get_form_class()
    field = form_class(for_user=editor).fields["graduate"]
    choices = {value: label for value, label in field.choices if value}
    assert [str(v) for v in choices] == [str(graduate.pk)]
    assert other.pk not in {getattr(v, "value", v) for v in choices}
    label = next(iter(choices.values()))
    assert label.startswith("Sri · ") and "Wahyuni" not in label and "Lestari" not in label


def test_consent_is_recorded_from_the_class_page(graduate, admin_client):
    response = admin_client.post(f"/admin/pelaksanaan/peserta/{graduate.pk}/persetujuan-publikasi/",
                                 {"note": "Formulir 15/2026"})
    assert response.status_code == 302
    graduate.refresh_from_db()
    assert graduate.publication_consent_note == "Formulir 15/2026"
    page = admin_client.get(f"/admin/pelaksanaan/kelas/{graduate.cohort_id}/").content.decode()
    assert "Setuju (" in page
