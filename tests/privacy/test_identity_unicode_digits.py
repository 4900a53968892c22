"""One form of an identity number: NIK, KK, RT, RW and phone in any Unicode digit set become ASCII
digits at every entry (identity.normalise_digits), or are refused; the database refuses the rest.

`str.isdigit()`, `\\d` and `int()` accept every Unicode decimal digit, so without this a NIK typed in
Arabic-Indic digits was a second person and a second application in the same intake.
"""

import datetime
import io
import unicodedata

import pytest
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import DataError, IntegrityError, transaction
from openpyxl import load_workbook

from applicants import identity
from applicants.models import Applicant, Application, WelfareImportBatch, WelfareRecord
from applicants.welfare.rows import KelurahanIndex, RowValidator
from programs.models import Kelurahan
from programs.registers.search import identity_term
from tests.factories import KELURAHAN_CODE, ApplicantFactory, UserFactory, build_site, make_nik, open_intake, valid_data


def _digit_sets() -> dict[str, str]:
    """Every run of ten Unicode decimal digits 0-9 (Arabic-Indic, Devanagari, Thai, fullwidth, ...)."""
    sets = {}
    for code in range(0x80, 0x110000):
        ch = chr(code)
        if unicodedata.category(ch) == "Nd" and unicodedata.decimal(ch) == 0:
            digits = "".join(chr(code + n) for n in range(10))
            if all(unicodedata.decimal(d, None) == n for n, d in enumerate(digits)):
                sets[unicodedata.name(ch).removesuffix(" ZERO").removesuffix(" DIGIT")] = digits
    return sets


DIGIT_SETS = _digit_sets()
NAMED = {
    "Arabic-Indic": "ARABIC-INDIC", "Extended Arabic-Indic": "EXTENDED ARABIC-INDIC",
    "Devanagari": "DEVANAGARI", "Thai": "THAI", "Fullwidth": "FULLWIDTH",
    "Mathematical bold": "MATHEMATICAL BOLD",
}
SOME_SETS = {label: DIGIT_SETS[name] for label, name in NAMED.items()}
TODAY = datetime.date(2026, 12, 1)
NIK = make_nik(datetime.date(1996, 5, 17), sex="P", serial=17)  # 3671015705960017
KK = "3671012345678901"


def in_digits(text: str, digits: str) -> str:
    return "".join(digits[int(ch)] if ch in "0123456789" else ch for ch in text)


def test_the_digit_sets_cover_every_script_the_issue_names():
    assert len(DIGIT_SETS) > 50
    assert set(NAMED.values()) <= set(DIGIT_SETS)


@pytest.mark.parametrize("name", sorted(DIGIT_SETS))
def test_every_unicode_digit_set_gives_the_ascii_nik_kk_phone_rt_and_rw(name):
    digits = DIGIT_SETS[name]
    assert identity.parse_nik(in_digits(NIK, digits), today=TODAY).nik == NIK
    assert identity.parse_kk(in_digits("3671 0123 4567 8901", digits)) == KK
    assert identity.parse_mobile(in_digits("0812-3456-7890", digits)) == "+6281234567890"
    assert identity.parse_mobile(in_digits("+62 812 3456 7890", digits)) == "+6281234567890"
    assert identity.parse_rt_rw(in_digits("7", digits), "RT") == "007"
    assert identity.parse_rt_rw(in_digits("012", digits), "RW") == "012"
    assert identity_term(in_digits(NIK, digits), identity.normalise_digits) == NIK  # the register search rule


def test_one_number_may_mix_digit_sets_and_pasted_invisible_characters():
    mixed = "".join(list(SOME_SETS.values())[i % 6][int(ch)] for i, ch in enumerate(NIK))
    assert identity.parse_nik(mixed, today=TODAY).nik == NIK
    assert identity.parse_nik("\u200b" + NIK[:8] + "\u00a0" + NIK[8:] + "\ufeff", today=TODAY).nik == NIK
    assert identity.parse_nik(NIK[:4] + "\u2013" + NIK[4:], today=TODAY).nik == NIK  # en dash


@pytest.mark.parametrize("bad", [
    NIK[:-1] + "\u00b9",  # superscript one: isdigit() is True, it is not a decimal digit
    NIK[:-1] + "\u2460",  # circled digit one
    NIK[:-1] + "\u216b",  # Roman numeral twelve
    NIK[:-1] + "O",
    NIK[:-1] + "\u0661\u0338",  # Arabic-Indic one with a combining slash: not a bare digit
])
def test_characters_that_only_look_like_digits_are_refused_with_an_indonesian_message(bad):
    with pytest.raises(ValidationError) as exc:
        identity.parse_nik(bad, today=TODAY)
    assert exc.value.code in {"nik_digits", "nik_length"} and "NIK" in exc.value.messages[0]


@pytest.mark.parametrize("bad", ["\u00b2", "1\u00b2", "ab", "1234", "\u0661\u0662\u0663\u0664"])
def test_rt_rw_that_are_not_one_to_three_digits_are_refused(bad):
    with pytest.raises(ValidationError) as exc:
        identity.parse_rt_rw(bad, "RT")
    assert exc.value.messages == ["RT berupa angka, mis. 001."]


def test_phone_with_letters_or_superscripts_is_refused():
    for bad in ("0812345678\u00b90", "0812-3456-789O"):
        with pytest.raises(ValidationError) as exc:
            identity.parse_mobile(bad)
        assert exc.value.code == "phone_digits"


# --- The database is the last line ----------------------------------------------------------------
@pytest.mark.django_db
@pytest.mark.parametrize("bad", [
    in_digits(NIK, SOME_SETS["Arabic-Indic"]), in_digits(NIK, SOME_SETS["Fullwidth"]), NIK + "\n",
    NIK[:15], "X" + NIK[:14], "3671 01570596001", "",
])
def test_database_refuses_a_nik_or_kk_that_is_not_sixteen_ascii_digits(bad):
    kelurahan = Kelurahan.objects.first()
    # A check constraint refuses the shape; PostgreSQL's varchar(16) already refuses a longer value.
    refused = (IntegrityError, DataError)
    for field in ("nik", "kk_number"):
        values = {"nik": NIK, "kk_number": KK, field: bad}
        with pytest.raises(refused), transaction.atomic():
            Applicant.objects.create(full_name="A", birth_date=TODAY, sex="P", phone="+6281234567890",
                                     address="x", rt="001", rw="001", kelurahan=kelurahan, household_size=1,
                                     **values)
    batch = WelfareImportBatch.objects.create(as_of=TODAY, file_name="x.csv", file_sha256="0" * 64)
    for field in ("nik", "kk_number"):
        values = {"nik": NIK, "kk_number": KK, field: bad}
        with pytest.raises(refused), transaction.atomic():
            WelfareRecord.objects.create(batch=batch, row_number=1, full_name="A", **values)


@pytest.mark.django_db
def test_database_accepts_ascii_numbers_and_the_anonymised_form_retention_writes():
    person = ApplicantFactory(nik=NIK, kk_number=KK)
    Applicant.objects.filter(pk=person.pk).update(nik="X" + f"{person.pk:015d}", kk_number="X" + f"{person.pk:015d}")
    batch = WelfareImportBatch.objects.create(as_of=TODAY, file_name="x.csv", file_sha256="0" * 64)
    WelfareRecord.objects.create(batch=batch, row_number=1, full_name="A", nik=NIK, kk_number=KK)
    with pytest.raises(IntegrityError), transaction.atomic():  # registers are never anonymised, only deleted
        WelfareRecord.objects.create(batch=batch, row_number=2, full_name="B", nik="X" + NIK[1:], kk_number=KK)


# --- Each entry point -----------------------------------------------------------------------------
@pytest.fixture
def intake(db, settings):
    settings.INTAKE_RATE_LIMIT = "1000/m"
    cache.clear()
    build_site()
    yield open_intake()
    cache.clear()


def test_the_same_nik_in_six_digit_sets_on_the_public_form_is_one_person_with_one_application(client, intake):
    birth = datetime.date(1996, 5, 17)
    ascii_data = valid_data(serial=17, sex="P", birth_date=birth)
    for digits in SOME_SETS.values():
        data = {**ascii_data, **{name: in_digits(ascii_data[name], digits)
                                 for name in ("nik", "kk_number", "phone", "rt", "rw")}}
        response = client.post("/daftar/", data)
        assert response.status_code in (200, 302)
    person = Applicant.objects.get()
    assert (person.nik, person.kk_number, person.phone, person.rt, person.rw) == (
        ascii_data["nik"], ascii_data["kk_number"], "+6281234567890", "003", "004")
    assert Application.objects.count() == 1


def test_family_card_cap_counts_a_kk_typed_in_other_digits_as_the_same_card(client, intake):
    intake.max_applications_per_kk = 1
    intake.save()
    assert client.post("/daftar/", valid_data(serial=1, kk_number=KK)).status_code == 302
    arabic_kk = in_digits(KK, SOME_SETS["Arabic-Indic"])
    response = client.post("/daftar/", valid_data(serial=2, kk_number=arabic_kk))
    assert response.status_code == 200 and "Kartu Keluarga" in response.content.decode()
    assert Application.objects.count() == 1


def test_rt_typed_as_superscript_is_refused_next_to_the_field(client, intake):
    response = client.post("/daftar/", valid_data(rt="\u00b2"))
    assert response.status_code == 200
    assert "RT berupa angka, mis. 001." in response.content.decode()
    assert not Applicant.objects.exists()


def test_status_check_finds_the_application_when_the_nik_is_typed_in_thai_digits(client, intake):
    client.post("/daftar/", valid_data(serial=5))
    application = Application.objects.select_related("applicant").get()
    response = client.post("/daftar/status/", {
        "reference": application.reference, "nik": in_digits(application.applicant.nik, SOME_SETS["Thai"]),
    })
    assert "sudah kami terima" in response.content.decode()


@pytest.mark.django_db
def test_admin_person_form_stores_ascii_digits():
    from applicants.intake.admin_forms import ApplicantAdminForm

    person = ApplicantFactory()
    digits = SOME_SETS["Devanagari"]
    kelurahan = Kelurahan.objects.get(code=KELURAHAN_CODE)
    form = ApplicantAdminForm(instance=person, data={
        "nik": in_digits(NIK, digits), "kk_number": in_digits(KK, digits), "full_name": "Siti",
        "birth_date": "1996-05-17", "phone": in_digits("081234567890", digits), "address": "Jl. Melati",
        "rt": in_digits("5", digits), "rw": in_digits("12", digits), "kelurahan": kelurahan.pk,
        "household_size": "3", "occupation": "",
    })
    assert form.is_valid(), form.errors
    form.save()
    person.refresh_from_db()
    assert (person.nik, person.kk_number, person.phone, person.rt, person.rw) == (
        NIK, KK, "+6281234567890", "005", "012")


@pytest.mark.django_db
def test_register_import_row_in_fullwidth_digits_is_stored_in_ascii():
    kelurahan = Kelurahan.objects.get(code=KELURAHAN_CODE)
    columns = {"nik": 0, "kk_number": 1, "full_name": 2, "kelurahan": 3, "desil": 4, "rt": 5, "rw": 6}
    validator = RowValidator(columns, "DTSEN", KelurahanIndex(), today=TODAY)
    digits = SOME_SETS["Fullwidth"]
    cells = validator.pad([in_digits(NIK, digits), in_digits(KK, digits), "SITI", kelurahan.name, "2",
                           in_digits("7", digits), in_digits("3", digits)])
    fields, reason = validator.validate(cells)
    assert reason is None
    assert (fields["nik"], fields["kk_number"], fields["rt"], fields["rw"]) == (NIK, KK, "007", "003")


@pytest.mark.django_db
def test_register_search_and_the_command_line_export_find_a_nik_typed_in_arabic_digits(client, tmp_path):
    person = ApplicantFactory(nik=NIK, kk_number=KK, full_name="Siti Unik")
    editor = UserFactory(editor=True)
    client.force_login(editor)
    arabic = in_digits(NIK, SOME_SETS["Arabic-Indic"])
    html = client.get("/admin/applicants/applicant/", {"q": arabic}).content.decode()
    assert person.full_name in html
    output = tmp_path / "orang.xlsx"
    call_command("export_register", "people", "--output", str(output), "--search",
                 in_digits(KK, SOME_SETS["Mathematical bold"]), stdout=io.StringIO())
    rows = list(load_workbook(output, read_only=True).worksheets[0].iter_rows(values_only=True))
    assert len(rows) == 2 and NIK in rows[1]
