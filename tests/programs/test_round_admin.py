"""Opening a round without a developer: intake, quota and program screens, their refusals and who may use them."""


import pytest
from django.urls import reverse

from programs.models import CapitalPackage, Intake, Kelurahan, KelurahanQuota, Program
from tests.factories import (
    ApplicantFactory,
    ApplicationFactory,
    CohortFactory,
    IntakeFactory,
    ProgramFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor_client(client, django_user_model):
    client.force_login(UserFactory(editor=True))
    return client


def intake_data(program, **overrides):
    data = {
        "name": "Pelatihan Keterampilan 2027 Gelombang 1", "year": 2027,
        "registration_opens": "2027-01-04", "registration_closes": "2027-01-31", "programs": [program.pk],
        "min_age": 18, "max_age": 55, "max_applications_per_kk": 1, "max_desil": 4,
        "weight_motivation": 2, "weight_readiness": 1, "weight_business_potential": 1, "weight_household_need": 1,
        "default_quota": 50, "total_target": 100, "quota_difference_reason": "",
    }
    data.update(overrides)
    return data


def field_errors(response, name):
    return response.context["form"].errors.get(name, [])


def test_editor_creates_an_intake_and_lands_on_its_quotas(editor_client):
    program = ProgramFactory()
    response = editor_client.post(reverse("programs_intake:add"), intake_data(program))
    intake = Intake.objects.get(name="Pelatihan Keterampilan 2027 Gelombang 1")
    assert response.status_code == 302
    assert response["Location"] == reverse("programs_intake:quotas", args=[intake.pk])
    assert list(intake.programs.all()) == [program]
    assert intake.weight_motivation == 2 and intake.max_desil == 4


def test_window_ending_before_it_opens_is_refused_next_to_the_closing_date(editor_client):
    response = editor_client.post(
        reverse("programs_intake:add"),
        intake_data(ProgramFactory(), registration_opens="2027-02-01", registration_closes="2027-01-31"),
    )
    assert response.status_code == 200
    assert "Tanggal tutup tidak boleh sebelum tanggal buka." in field_errors(response, "registration_closes")
    assert not Intake.objects.filter(year=2027).exists()


@pytest.mark.parametrize(("field", "value", "message"), [
    ("max_age", 17, "Usia maksimum tidak boleh di bawah usia minimum."),
    ("max_desil", 11, ""),
    ("max_applications_per_kk", 0, ""),
    ("total_target", 0, ""),
    ("weight_readiness", 11, ""),
])
def test_nonsense_bounds_are_refused_next_to_their_field(editor_client, field, value, message):
    response = editor_client.post(reverse("programs_intake:add"), intake_data(ProgramFactory(), **{field: value}))
    assert response.status_code == 200
    errors = field_errors(response, field)
    assert errors and (not message or message in errors)
    assert not Intake.objects.filter(year=2027).exists()


def test_all_interview_weights_zero_is_refused(editor_client):
    zero = {name: 0 for name in Intake.WEIGHT_FIELDS}
    response = editor_client.post(reverse("programs_intake:add"), intake_data(ProgramFactory(), **zero))
    assert "Minimal satu bobot" in " ".join(field_errors(response, "weight_motivation"))


def test_an_intake_without_programs_is_refused(editor_client):
    response = editor_client.post(reverse("programs_intake:add"), intake_data(ProgramFactory(), programs=[]))
    assert field_errors(response, "programs")


def quota_post(intake, values, **extra):
    data = {"total_target": intake.total_target, "quota_difference_reason": "", "action": "save",
            "fill_value": "", "fill_kecamatan": ""}
    data.update({f"q_{k.pk}": v for k, v in values.items()})
    data.update(extra)
    return data


def test_fill_sets_every_kelurahan_of_one_kecamatan_and_saves_nothing_yet(editor_client):
    intake = IntakeFactory(total_target=100)
    kecamatan = Kelurahan.objects.order_by("code").first().kecamatan
    url = reverse("programs_intake:quotas", args=[intake.pk])
    response = editor_client.post(url, quota_post(intake, {}, action="fill", fill_value="50",
                                                  fill_kecamatan=str(kecamatan.pk)))
    assert response.status_code == 200
    form = response.context["form"]
    in_kecamatan = Kelurahan.objects.filter(kecamatan=kecamatan)
    assert all(str(form[f"q_{k.pk}"].value()) == "50" for k in in_kecamatan)
    other = Kelurahan.objects.exclude(kecamatan=kecamatan).first()
    assert form[f"q_{other.pk}"].value() in (None, "")
    assert not KelurahanQuota.objects.filter(intake=intake).exists()


def test_quotas_that_add_up_to_the_target_are_saved(editor_client):
    intake = IntakeFactory(total_target=100)
    a, b = Kelurahan.objects.order_by("code")[:2]
    url = reverse("programs_intake:quotas", args=[intake.pk])
    response = editor_client.post(url, quota_post(intake, {a: 60, b: 40}))
    assert response.status_code == 302
    assert dict(intake.quotas.values_list("kelurahan_id", "quota")) == {a.pk: 60, b.pk: 40}


def test_quotas_not_adding_up_are_refused_unless_the_reason_is_written(editor_client):
    intake = IntakeFactory(total_target=100)
    a, b = Kelurahan.objects.order_by("code")[:2]
    url = reverse("programs_intake:quotas", args=[intake.pk])
    response = editor_client.post(url, quota_post(intake, {a: 50, b: 45}))
    assert response.status_code == 200
    assert "Jumlah kuota kelurahan 95 tidak sama dengan target total 100" in " ".join(
        field_errors(response, "total_target"))
    assert not intake.quotas.exists()
    response = editor_client.post(url, quota_post(intake, {a: 50, b: 45},
                                                  quota_difference_reason="Sisa 5 KK untuk disabilitas"))
    assert response.status_code == 302
    intake.refresh_from_db()
    assert intake.quota_difference_reason == "Sisa 5 KK untuk disabilitas"
    assert intake.quotas.count() == 2


def test_changing_the_target_later_against_existing_quotas_is_refused_on_the_intake_form(editor_client):
    program = ProgramFactory()
    intake = IntakeFactory(total_target=100, programs=[program])
    KelurahanQuota.objects.create(intake=intake, kelurahan=Kelurahan.objects.first(), quota=100)
    data = intake_data(program, name=intake.name, total_target=120)
    response = editor_client.post(reverse("programs_intake:edit", args=[intake.pk]), data)
    assert "tidak sama dengan target total 120" in " ".join(field_errors(response, "total_target"))
    intake.refresh_from_db()
    assert intake.total_target == 100


def test_a_kelurahan_with_applications_cannot_be_dropped_from_the_quotas(editor_client):
    intake = IntakeFactory(total_target=100)
    a, b = Kelurahan.objects.order_by("code")[:2]
    KelurahanQuota.objects.create(intake=intake, kelurahan=a, quota=50)
    KelurahanQuota.objects.create(intake=intake, kelurahan=b, quota=50)
    ApplicationFactory(intake=intake, applicant=ApplicantFactory(kelurahan=a))
    response = editor_client.post(reverse("programs_intake:quotas", args=[intake.pk]),
                                  quota_post(intake, {b: 100}))
    assert response.status_code == 200
    assert "Sudah ada 1 pendaftar" in " ".join(field_errors(response, f"q_{a.pk}"))
    assert intake.quotas.count() == 2


def test_typed_garbage_in_a_quota_is_a_field_error_not_a_500(editor_client):
    intake = IntakeFactory(total_target=100)
    a = Kelurahan.objects.order_by("code").first()
    for value in ("-5", "lima puluh", "٥٠", "1e9"):
        url = reverse("programs_intake:quotas", args=[intake.pk])
        response = editor_client.post(url, quota_post(intake, {a: value}))
        assert response.status_code == 200, value
        assert field_errors(response, f"q_{a.pk}"), value
    assert not intake.quotas.exists()


def test_copy_starts_a_new_round_with_every_setting_and_quota(editor_client):
    program = ProgramFactory()
    source = IntakeFactory(total_target=100, max_desil=3, weight_household_need=3, programs=[program])
    a, b = Kelurahan.objects.order_by("code")[:2]
    KelurahanQuota.objects.create(intake=source, kelurahan=a, quota=70)
    KelurahanQuota.objects.create(intake=source, kelurahan=b, quota=30)
    response = editor_client.get(reverse("programs_intake:copy", args=[source.pk]))
    form = response.context["form"]
    assert form["max_desil"].value() == 3 and form["registration_opens"].value() in (None, "")
    data = intake_data(program, name="Gelombang baru", max_desil=3, weight_household_need=3, total_target=100)
    response = editor_client.post(reverse("programs_intake:copy", args=[source.pk]), data)
    assert response.status_code == 302
    copy = Intake.objects.get(name="Gelombang baru")
    assert dict(copy.quotas.values_list("kelurahan_id", "quota")) == {a.pk: 70, b.pk: 30}
    assert source.quotas.count() == 2 and Intake.objects.get(pk=source.pk).name == source.name


def test_copy_with_a_new_target_the_copied_quotas_miss_is_refused(editor_client):
    program = ProgramFactory()
    source = IntakeFactory(total_target=100, programs=[program])
    KelurahanQuota.objects.create(intake=source, kelurahan=Kelurahan.objects.first(), quota=100)
    response = editor_client.post(reverse("programs_intake:copy", args=[source.pk]),
                                  intake_data(program, name="Gelombang baru", total_target=150))
    assert response.status_code == 200
    assert field_errors(response, "total_target")
    assert not Intake.objects.filter(name="Gelombang baru").exists()


def test_an_intake_with_applications_cannot_be_deleted_and_says_why(editor_client):
    intake = ApplicationFactory().intake
    url = reverse("programs_intake:delete", args=[intake.pk])
    for method in (editor_client.get, editor_client.post):
        response = method(url, follow=True)
        assert "sudah punya pendaftar" in response.content.decode()
    assert Intake.objects.filter(pk=intake.pk).exists()


def test_an_empty_intake_can_be_deleted(editor_client):
    intake = IntakeFactory()
    editor_client.post(reverse("programs_intake:delete", args=[intake.pk]))
    assert not Intake.objects.filter(pk=intake.pk).exists()


def test_a_program_is_created_with_its_capital_package(editor_client):
    response = editor_client.post(reverse("programs_program:add"), {
        "name": "Menjahit", "slug": "menjahit", "description": "Menjahit pakaian", "is_active": "on",
        "package_name": "Paket mesin jahit", "package_contents": "Mesin jahit portabel, benang",
        "package_value": "3500000",
    })
    assert response.status_code == 302
    package = CapitalPackage.objects.get(program__slug="menjahit")
    assert package.value_rupiah == 3_500_000


def test_a_half_filled_capital_package_is_refused_and_no_program_is_created(editor_client):
    response = editor_client.post(reverse("programs_program:add"), {
        "name": "Menjahit", "slug": "menjahit", "is_active": "on", "package_name": "Paket mesin jahit",
        "package_value": "0",
    })
    assert response.status_code == 200
    assert field_errors(response, "package_contents") and field_errors(response, "package_value")
    assert not Program.objects.filter(slug="menjahit").exists()


def test_a_program_used_by_a_class_cannot_be_deleted(editor_client):
    cohort = CohortFactory()
    response = editor_client.post(reverse("programs_program:delete", args=[cohort.program.pk]), follow=True)
    assert "nonaktifkan saja" in response.content.decode()
    assert Program.objects.filter(pk=cohort.program.pk).exists()


@pytest.mark.parametrize("role", ["interviewer", "comms"])
def test_interviewers_and_comms_cannot_open_any_round_screen(client, django_user_model, role):
    intake = IntakeFactory()
    client.force_login(UserFactory(**{role: True}))
    for url in (reverse("programs_intake:index"), reverse("programs_intake:add"),
                reverse("programs_intake:edit", args=[intake.pk]), reverse("programs_program:add"),
                reverse("programs_intake:quotas", args=[intake.pk])):
        response = client.get(url)
        assert response.status_code in (302, 403), url
        if response.status_code == 302:
            assert response["Location"] in ("/admin/", reverse("wagtailadmin_home")), url
    response = client.post(reverse("programs_intake:quotas", args=[intake.pk]), {"total_target": 1})
    assert response.status_code == 403


def test_auditor_reads_intakes_and_quotas_but_cannot_change_them(client, django_user_model):
    intake = IntakeFactory(total_target=50)
    kel = Kelurahan.objects.first()
    KelurahanQuota.objects.create(intake=intake, kelurahan=kel, quota=50)
    client.force_login(UserFactory(auditor=True))
    assert client.get(reverse("programs_intake:index")).status_code == 200
    assert client.get(reverse("programs_intake:inspect", args=[intake.pk])).status_code == 200
    response = client.get(reverse("programs_intake:quotas", args=[intake.pk]))
    assert response.status_code == 200 and "Simpan kuota" not in response.content.decode()
    assert client.post(reverse("programs_intake:quotas", args=[intake.pk]),
                       {"total_target": 1, f"q_{kel.pk}": 1}).status_code == 403
    assert client.get(reverse("programs_intake:add")).status_code == 302
    assert KelurahanQuota.objects.get(intake=intake).quota == 50




def test_the_edit_form_shows_the_saved_dates_in_the_date_inputs(editor_client):
    intake = IntakeFactory(registration_opens="2027-01-04", registration_closes="2027-01-31")
    html = editor_client.get(reverse("programs_intake:edit", args=[intake.pk])).content.decode()
    assert 'value="2027-01-04"' in html and 'value="2027-01-31"' in html


def test_editors_list_holidays_and_keep_the_letterhead_interviewers_cannot(client, django_user_model):
    from programs.models import Holiday

    editor = UserFactory(editor=True)
    assert editor.has_perm("programs.add_holiday") and editor.has_perm("programs.change_letterhead")
    client.force_login(editor)
    response = client.post(reverse("programs_holiday:add"), {"date": "2027-03-20", "name": "Hari Raya Nyepi"})
    assert response.status_code == 302 and Holiday.objects.filter(name="Hari Raya Nyepi").exists()
    response = client.post(reverse("programs_holiday:add"), {"date": "2027-03-20", "name": "Dobel"})
    assert response.status_code == 200 and response.context["form"].errors["date"]
    interviewer = UserFactory(interviewer=True)
    assert not interviewer.has_perm("programs.add_holiday")
    client.force_login(interviewer)
    assert client.get(reverse("programs_holiday:add")).status_code in (302, 403)
    auditor = UserFactory(auditor=True)
    assert auditor.has_perm("programs.view_holiday") and not auditor.has_perm("programs.change_letterhead")
