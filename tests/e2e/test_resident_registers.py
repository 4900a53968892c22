"""A resident on a phone registers for a program and checks the status of the registration."""

import datetime
import random
import re

from django.utils import timezone

from tests.factories import make_kk, make_nik

from .conftest import axe_violations, query_db


def _resident(today: datetime.date) -> dict:
    """A woman of 32 from Kecamatan Tangerang whose NIK agrees with her birth date and sex."""
    rng = random.Random()
    birth = datetime.date(today.year - 32, 3, 14)
    serial = rng.randint(1000, 9999)
    return {
        "nik": make_nik(birth, sex="P", serial=serial),
        "kk_number": make_kk(rng.randint(10**9, 10**10 - 1)),
        "birth_date": birth.isoformat(),
        "phone": f"0812 {rng.randint(1000, 9999)} {rng.randint(1000, 9999)}",
        "full_name": "Sri Wulandari",
    }


def test_resident_registers_from_a_program_page_and_checks_the_status(phone, shot, e2e_server):
    person = _resident(timezone.localdate())
    phone.goto(e2e_server("/"))
    shot(phone, "home")
    phone.goto(e2e_server("/pelatihan/"))
    shot(phone, "programs")
    phone.get_by_role("link", name=re.compile("Tata Boga")).first.click()
    phone.wait_for_url("**/pelatihan/tata-boga/")
    shot(phone, "program")
    phone.get_by_role("link", name="Daftar", exact=True).first.click()
    phone.wait_for_url("**/daftar/?program=tata-boga")
    assert phone.locator("select[name=program]").input_value() == "tata-boga"
    shot(phone, "form-empty")

    phone.fill("input[name=nik]", person["nik"])
    phone.fill("input[name=kk_number]", person["kk_number"])
    phone.fill("input[name=full_name]", person["full_name"])
    phone.fill("input[name=birth_date]", person["birth_date"])
    phone.fill("input[name=phone]", person["phone"])
    phone.fill("input[name=address]", "Jl. Merdeka Gg. Mawar No. 12")
    phone.fill("input[name=rt]", "2")
    phone.fill("input[name=rw]", "005")
    phone.select_option("select[name=kelurahan]", value="36.71.01.1001")
    phone.fill("input[name=household_size]", "4")
    phone.fill("input[name=occupation]", "Ibu rumah tangga")
    phone.check("input[name=dtks_status][value=registered]")
    phone.fill("textarea[name=motivation]", "Ingin membuka usaha katering dari rumah.")
    phone.check("input[name=consent]")
    shot(phone, "form-filled")
    phone.get_by_role("button", name="Kirim pendaftaran").click()
    phone.wait_for_url("**/daftar/terima-kasih/")
    reference = phone.locator(".reference").inner_text().strip()
    assert re.fullmatch(r"SK-\d{4}-\d{6}", reference)
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    shot(phone, "reference")
    assert query_db(e2e_server, "SELECT a.nik FROM applicants_application p JOIN applicants_applicant a "
                                "ON a.id = p.applicant_id WHERE p.reference = ?", (reference,)) == [(person["nik"],)]

    phone.get_by_role("link", name="Cek status pendaftaran").click()
    phone.wait_for_url("**/daftar/status/")
    phone.fill("input[name=reference]", reference)
    phone.fill("input[name=nik]", person["nik"])
    shot(phone, "status-form")
    phone.get_by_role("button", name="Cek status").click()
    status = phone.locator("[role=status]")
    status.wait_for()
    text = status.inner_text()
    shot(phone, "status")
    assert reference in text
    # Plain words for the resident, never the staff's status codes.
    assert re.search(r"(sudah kami terima|belum memenuhi syarat|sudah dicek|belum kami temukan)", text)
    assert not re.search(r"submitted|not_eligible|verified", text)
    assert axe_violations(phone) == []


def test_status_check_with_a_wrong_nik_reveals_nothing(phone, shot, e2e_server):
    [(reference,)] = query_db(e2e_server, "SELECT reference FROM applicants_application ORDER BY id LIMIT 1")
    phone.goto(e2e_server("/daftar/status/"))
    phone.fill("input[name=reference]", reference)
    phone.fill("input[name=nik]", "3671015101900001")
    phone.get_by_role("button", name="Cek status").click()
    phone.locator("[role=alert]").wait_for()
    shot(phone, "not-found")
    assert "Data tidak ditemukan" in phone.locator("[role=alert]").inner_text()
    assert phone.locator("[role=status]").count() == 0
