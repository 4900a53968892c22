"""Synthetic applicants: consistent identity data, spread over the city, safe to rerun."""

import datetime

import pytest
from django.core.management import call_command
from django.db.models import Count
from django.utils import timezone

from applicants import identity
from applicants.intake import demo
from applicants.models import Applicant, Application
from programs.models import Kelurahan
from tests.factories import IntakeFactory, ProgramFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def intakes():
    programs = [ProgramFactory(name=n, slug=s) for n, s in (("Tata Boga", "tata-boga"), ("Barbershop", "barbershop"),
                                                           ("Payet", "payet"))]
    today = timezone.localdate()
    open_one = IntakeFactory(programs=programs[:2])
    closed = IntakeFactory(programs=programs, registration_opens=today - datetime.timedelta(days=400),
                           registration_closes=today - datetime.timedelta(days=350), year=today.year - 1)
    return open_one, closed


def test_seeded_applicants_have_niks_that_agree_with_birth_date_sex_and_region(intakes):
    created = demo.seed_applicants(400)
    assert created == 400 == Applicant.objects.count()
    city_codes = {code.replace(".", "")[:6] for code in Kelurahan.objects.values_list("code", flat=True)}
    outside = 0
    for applicant in Applicant.objects.select_related("kelurahan"):
        info = identity.parse_nik(applicant.nik)
        assert info.birth_date == applicant.birth_date and info.sex == applicant.sex
        assert identity.parse_kk(applicant.kk_number) == applicant.kk_number
        assert identity.parse_mobile(applicant.phone) == applicant.phone
        assert 18 <= applicant.age_on(timezone.localdate()) <= 59
        assert len(applicant.full_name.split()) >= 2
        outside += info.region not in city_codes
    assert 0 < outside < 400 * 0.3  # some NIKs were first issued elsewhere, most in the city


def test_seeded_applications_spread_over_kelurahan_programs_statuses_and_get_references(intakes):
    open_intake, closed_intake = intakes
    demo.seed_applicants(600)
    applications = Application.objects.all()
    assert applications.count() >= 600
    assert not applications.filter(reference__isnull=True).exists()
    for application in applications.select_related("intake")[:50]:
        assert application.reference == f"SK-{application.intake.year}-{application.pk:06d}"
    assert Applicant.objects.values("kelurahan").distinct().count() > 80
    assert applications.values("program").distinct().count() == 3
    open_statuses = set(applications.filter(intake=open_intake).values_list("status", flat=True))
    closed_statuses = set(applications.filter(intake=closed_intake).values_list("status", flat=True))
    assert "submitted" in open_statuses and "enrolled" not in open_statuses
    assert "enrolled" in closed_statuses and "submitted" not in closed_statuses
    assert not applications.filter(program_alt=models_f("program")).exists()
    assert not applications.exclude(program__in=open_intake.programs.all()).filter(intake=open_intake).exists()
    # one application per applicant per intake
    assert not applications.values("applicant", "intake").annotate(n=Count("id")).filter(n__gt=1).exists()


def models_f(name):
    from django.db.models import F

    return F(name)


def test_rerunning_the_seed_adds_nothing_twice_and_does_not_crash(intakes):
    assert demo.seed_applicants(150) == 150
    assert demo.seed_applicants(150) == 0
    assert demo.seed_applicants(200) == 50
    assert Applicant.objects.count() == 200


def test_seed_creates_a_minimal_intake_when_none_exists():
    assert demo.seed_applicants(20) == 20
    assert Application.objects.values("intake").distinct().count() == 1


def test_seed_demo_command_adds_applicants(intakes, settings):
    settings.SETTINGS_MODULE = "portal.settings.test"  # pytest-django leaves it unset; seed_demo reads it
    call_command("seed_demo", applicants=30)
    call_command("seed_demo", applicants=30)
    assert Applicant.objects.count() == 30
