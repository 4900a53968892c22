"""The office runs one new round end to end in the browser, as docs/running-a-round.md describes: open the
intake with its quotas, a resident registers, import the register, schedule, interview, create the class and
its sessions, enrol, take attendance, complete, rank, propose, approve, print and hand over, follow up.

Two steps stand in for time passing, by writing the server's database directly: the interview is moved to
an hour ago once scheduled (outcomes are refused before the interview's time), and the class is created with
dates in the past (so its sessions can be attended, it can be completed and its 3-month follow-up is due).
"""

import csv
import datetime
import random
import re
import sqlite3
import tempfile
from pathlib import Path

from django.utils import timezone

from .conftest import DESKTOP, _context, login, query_db

# The office's date: the live server runs in Asia/Jakarta, seven hours ahead of a UTC test machine.
TODAY = timezone.localdate()


def _execute(server, sql, params=()):
    connection = sqlite3.connect(server.database, timeout=20)
    try:
        connection.execute(sql, params)
        connection.commit()
    finally:
        connection.close()


def _next_working_day() -> datetime.date:
    day = TODAY + datetime.timedelta(days=1)
    while day.weekday() >= 5:
        day += datetime.timedelta(days=1)
    return day


def _resident() -> dict:
    rng = random.Random()
    birth = datetime.date(TODAY.year - 35, 6, 9)
    return {
        "nik": f"367101{birth.day + 40:02d}{birth.month:02d}{birth.year % 100:02d}{rng.randint(1000, 9999):04d}",
        "kk_number": f"367101{rng.randint(10**9, 10**10 - 1)}",
        "birth_date": birth.isoformat(),
        "full_name": f"Ratna Uji {rng.randint(100, 999)}",
        "phone": f"0813 {rng.randint(1000, 9999)} {rng.randint(1000, 9999)}",
    }


def _register_file(server, person) -> Path:
    """The register in force plus the new resident: importing it changes nobody else's eligibility."""
    rows = query_db(server, (
        "SELECT r.nik, r.kk_number, r.full_name, r.birth_date, r.sex, r.address, r.rt, r.rw, k.code, r.desil, "
        "r.bansos FROM applicants_welfarerecord r JOIN applicants_welfareimportbatch b ON b.id = r.batch_id "
        "LEFT JOIN programs_kelurahan k ON k.id = r.kelurahan_id WHERE b.state = 'current' AND b.register = 'dtsen'"
    ))
    path = Path(tempfile.mkdtemp()) / "dtsen-uji.csv"
    with path.open("w", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(["NIK", "No KK", "Nama", "Tgl Lahir", "Jenis Kelamin", "Alamat", "RT", "RW",
                         "Kode Kelurahan", "Desil", "Bansos"])
        writer.writerows(["" if v is None else v for v in row] for row in rows)
        writer.writerow([person["nik"], person["kk_number"], person["full_name"], person["birth_date"], "P",
                         "Jl. Uji No. 1", "001", "002", "36.71.01.1001", 2, "PKH"])
    return path


def _staff(browser, server, username):
    context = _context(browser, DESKTOP)
    page = context.new_page()
    login(page, server, username)
    return context, page


def test_the_office_runs_a_round_from_intake_to_follow_up(browser, desktop, phone, shot, e2e_server):
    suffix = random.randint(1000, 9999)
    intake_name = f"Pelatihan Keterampilan Uji {suffix}"
    person = _resident()

    # 1. Open the round: the intake, then its kelurahan quotas filled in bulk.
    login(desktop, e2e_server, "editor")
    desktop.goto(e2e_server("/admin/gelombang/new/"))
    desktop.fill("#id_name", intake_name)
    desktop.fill("#id_year", str(TODAY.year))
    desktop.fill("#id_registration_opens", (TODAY - datetime.timedelta(days=2)).isoformat())
    desktop.fill("#id_registration_closes", (TODAY + datetime.timedelta(days=9)).isoformat())
    desktop.get_by_label("Tata Boga").check()
    desktop.fill("#id_max_desil", "4")
    desktop.fill("#id_max_applications_per_kk", "1")
    shot(desktop, "intake-form")
    desktop.get_by_role("button", name="Simpan").first.click()
    desktop.wait_for_url(re.compile(r"/admin/gelombang/\d+/kuota/"))
    [(intake_id,)] = query_db(e2e_server, "SELECT id FROM programs_intake WHERE name = ?", (intake_name,))
    [(kecamatan_id,)] = query_db(e2e_server, "SELECT kecamatan_id FROM programs_kelurahan WHERE code = ?",
                                 ("36.71.01.1001",))
    desktop.fill("#id_fill_value", "50")
    desktop.select_option("#id_fill_kecamatan", value=str(kecamatan_id))
    desktop.get_by_role("button", name="Isi kuota").click()
    [(n_kelurahan,)] = query_db(e2e_server, "SELECT COUNT(*) FROM programs_kelurahan WHERE kecamatan_id = ?",
                                (kecamatan_id,))
    desktop.fill("#id_total_target", str(50 * n_kelurahan))
    shot(desktop, "quotas-filled")
    desktop.get_by_role("button", name="Simpan kuota").click()
    desktop.wait_for_url(re.compile(r"/admin/gelombang/\d+/kuota/"))
    assert query_db(e2e_server, "SELECT COUNT(*), SUM(quota) FROM programs_kelurahanquota WHERE intake_id = ?",
                    (intake_id,)) == [(n_kelurahan, 50 * n_kelurahan)]
    shot(desktop, "quotas-saved")

    # 2. A resident registers on her phone (the new intake closes first, so the form takes it).
    phone.goto(e2e_server("/daftar/?program=tata-boga"))
    for name in ("nik", "kk_number", "full_name", "birth_date", "phone"):
        phone.fill(f"input[name={name}]", person[name])
    phone.fill("input[name=address]", "Jl. Uji No. 1")
    phone.fill("input[name=rt]", "1")
    phone.fill("input[name=rw]", "2")
    phone.select_option("select[name=kelurahan]", value="36.71.01.1001")
    phone.fill("input[name=household_size]", "5")
    phone.fill("input[name=occupation]", "Penjual gorengan")
    phone.check("input[name=dtks_status][value=registered]")
    phone.fill("textarea[name=motivation]", "Ingin membuka usaha nasi kotak.")
    phone.check("input[name=consent]")
    phone.get_by_role("button", name="Kirim pendaftaran").click()
    phone.wait_for_url("**/daftar/terima-kasih/")
    reference = phone.locator(".reference").inner_text().strip()
    [(application_id, intake_of_application)] = query_db(
        e2e_server, "SELECT id, intake_id FROM applicants_application WHERE reference = ?", (reference,))
    assert intake_of_application == intake_id

    # 3. Import the register: the resident is found, desil 2, and becomes verified.
    desktop.goto(e2e_server("/admin/register-kesejahteraan/"))
    desktop.set_input_files("input[name=file]", str(_register_file(e2e_server, person)))
    desktop.get_by_role("button", name="Impor").click()
    desktop.wait_for_url(re.compile(r"/admin/register-kesejahteraan/impor/\d+/"))
    shot(desktop, "register-preview")
    # Nothing changes before the office confirms what the import would change.
    assert query_db(e2e_server, "SELECT status FROM applicants_application WHERE id = ?",
                    (application_id,)) != [("verified",)]
    desktop.get_by_role("button", name="Konfirmasi: jadikan register yang berlaku").click()
    desktop.wait_for_load_state()
    shot(desktop, "register-imported")
    assert query_db(e2e_server, "SELECT status FROM applicants_application WHERE id = ?",
                    (application_id,)) == [("verified",)]

    # 4. Schedule in office hours, preview first.
    day = _next_working_day()
    [(interviewer_id,)] = query_db(e2e_server, "SELECT id FROM auth_user WHERE username = 'pewawancara'")
    room = f"Ruang Uji {suffix}"
    desktop.goto(e2e_server("/admin/wawancara/jadwalkan-sekaligus/"))
    desktop.select_option("select[name=intake]", value=str(intake_id))
    desktop.fill("input[name=start]", f"{day.isoformat()} 08:00")
    desktop.keyboard.press("Escape")  # close the date-time picker Wagtail opened under the field
    desktop.fill("input[name=place]", room)
    desktop.select_option("select[name=interviewer]", value=str(interviewer_id))
    desktop.locator(".xdsoft_datetimepicker").evaluate_all(
        "pickers => pickers.forEach(picker => { picker.style.display = 'none'; })")  # none left over the button
    desktop.get_by_role("button", name="Lihat rencana jadwal").click()
    desktop.get_by_role("heading", name="Rencana").wait_for()  # the preview page, not the form still shown
    assert person["full_name"] in desktop.locator("main").inner_text()
    shot(desktop, "schedule-preview")
    desktop.get_by_role("button", name="Jadwalkan sekarang").click()
    desktop.get_by_role("heading", name="Terjadwal").wait_for()
    [(interview_id, scheduled_at)] = query_db(
        e2e_server, "SELECT id, scheduled_at FROM applicants_interview WHERE application_id = ?", (application_id,))
    assert "wa.me/62" in desktop.locator("main").inner_html()
    shot(desktop, "scheduled")

    # The printed day for the interviewer carries the motivation and the household size.
    desktop.goto(e2e_server(f"/admin/wawancara/cetak/?date={day.isoformat()}&interviewer={interviewer_id}"))
    printed = desktop.locator("body").inner_text()
    assert "Ingin membuka usaha nasi kotak." in printed and "Penjual gorengan" in printed
    shot(desktop, "printed-schedule")

    # 5. The interview takes place (time passes), the interviewer records the outcome.
    held = (datetime.datetime.now(datetime.UTC) - datetime.timedelta(hours=1)).strftime("%Y-%m-%d %H:%M:%S")
    _execute(e2e_server, "UPDATE applicants_interview SET scheduled_at = ? WHERE id = ?", (held, interview_id))
    context, interviewer = _staff(browser, e2e_server, "pewawancara")
    interviewer.goto(e2e_server(f"/admin/wawancara/{interview_id}/hasil/"))
    interviewer.check("input[name=attendance][value=came]")
    for name in ("motivation", "readiness", "business_potential", "household_need"):
        interviewer.check(f"input[name=score_{name}][value='5']")
    interviewer.select_option("select[name=decision]", "accept")
    interviewer.get_by_role("button", name="Simpan hasil").click()
    interviewer.wait_for_url(e2e_server("/admin/wawancara/"))
    context.close()
    assert query_db(e2e_server, "SELECT status FROM applicants_application WHERE id = ?",
                    (application_id,)) == [("accepted",)]

    # 6. The class (dated in the past: it ran three months ago), its sessions from a schedule, enrolment.
    start, end = TODAY - datetime.timedelta(days=110), TODAY - datetime.timedelta(days=100)
    [(program_id,)] = query_db(e2e_server, "SELECT id FROM programs_program WHERE slug = 'tata-boga'")
    desktop.goto(e2e_server("/admin/programs/cohort/create/"))  # the Kelas register's form
    desktop.select_option("#id_intake", value=str(intake_id))
    desktop.select_option("#id_program", value=str(program_id))
    desktop.fill("#id_name", f"Kelas Uji {suffix}")
    desktop.fill("#id_venue", "UPT Pelatihan")
    desktop.fill("#id_start_date", start.isoformat())
    desktop.fill("#id_end_date", end.isoformat())
    desktop.fill("#id_capacity", "5")
    desktop.keyboard.press("Escape")  # close the date picker Wagtail opened over the save button
    desktop.locator("#id_name").click()
    desktop.locator("button[type=submit]:visible", has_text=re.compile("Simpan|Buat|Create|Save")).first.click()
    desktop.wait_for_url(re.compile(r"/admin/programs/cohort/$"))
    [(cohort_id,)] = query_db(e2e_server, "SELECT id FROM programs_cohort WHERE name = ?", (f"Kelas Uji {suffix}",))
    desktop.goto(e2e_server(f"/admin/pelaksanaan/kelas/{cohort_id}/buat-pertemuan/"))
    desktop.get_by_role("button", name="Buat pertemuan").click()
    desktop.wait_for_url(e2e_server(f"/admin/pelaksanaan/kelas/{cohort_id}/"))
    sessions = query_db(e2e_server, "SELECT id FROM programs_cohortsession WHERE cohort_id = ? ORDER BY number",
                        (cohort_id,))
    assert 5 <= len(sessions) <= 9
    desktop.goto(e2e_server(f"/admin/pelaksanaan/kelas/{cohort_id}/daftarkan/"))
    desktop.get_by_label(person["full_name"]).check()
    desktop.get_by_role("button", name="Daftarkan yang dipilih").click()
    desktop.wait_for_url(e2e_server(f"/admin/pelaksanaan/kelas/{cohort_id}/"))
    shot(desktop, "class-enrolled")

    # 7. Attendance: "Semua hadir", then save, for every session; the first sheet is printed.
    desktop.goto(e2e_server(f"/admin/pelaksanaan/pertemuan/{sessions[0][0]}/daftar-hadir/"))
    assert "DAFTAR HADIR PESERTA PELATIHAN KETERAMPILAN" in desktop.locator("body").inner_text()
    shot(desktop, "attendance-sheet")
    for (session_id,) in sessions:
        desktop.goto(e2e_server(f"/admin/pelaksanaan/pertemuan/{session_id}/kehadiran/"))
        desktop.get_by_role("link", name="Semua hadir").click()
        desktop.get_by_role("button", name="Simpan kehadiran").click()
        desktop.wait_for_url(e2e_server(f"/admin/pelaksanaan/kelas/{cohort_id}/"))
    assert query_db(e2e_server, "SELECT COUNT(*) FROM applicants_attendance a JOIN applicants_enrolment e "
                                "ON e.id = a.enrolment_id WHERE e.cohort_id = ? AND a.mark = 'present'",
                    (cohort_id,)) == [(len(sessions),)]

    # 8. Final score, completion, ranking and the top-3 proposal.
    desktop.locator("input[name^=score-]").fill("88")
    desktop.get_by_role("button", name="Simpan nilai").click()
    desktop.get_by_role("button", name="Selesaikan kelas dan hitung kelulusan").click()
    desktop.get_by_role("heading", name="Peringkat lulusan").wait_for()
    shot(desktop, "ranked")
    desktop.get_by_role("button", name="Usulkan modal usaha untuk 3 terbaik").click()
    [(award_id, state)] = query_db(
        e2e_server, "SELECT a.id, a.state FROM applicants_capitalaward a JOIN applicants_enrolment e "
                    "ON e.id = a.enrolment_id WHERE e.cohort_id = ?", (cohort_id,))
    assert state == "proposed"

    # 9. The proposer sees no approve button; another user approves.
    desktop.goto(e2e_server(f"/admin/pelaksanaan/modal-usaha/{award_id}/"))
    assert desktop.get_by_role("button", name="Setujui").count() == 0
    context, admin = _staff(browser, e2e_server, "admin")
    admin.goto(e2e_server(f"/admin/pelaksanaan/modal-usaha/{award_id}/"))
    admin.get_by_role("button", name="Setujui").click()
    admin.wait_for_url(e2e_server(f"/admin/pelaksanaan/modal-usaha/{award_id}/"))
    context.close()

    # 10. Print the award list and the handover record, then record the handover.
    desktop.goto(e2e_server(f"/admin/pelaksanaan/modal-usaha/cetak/?intake={intake_id}"))
    assert person["full_name"] in desktop.locator("body").inner_text()
    shot(desktop, "award-list")
    desktop.goto(e2e_server(f"/admin/pelaksanaan/modal-usaha/{award_id}/cetak-berita-acara/"))
    record = desktop.locator("body").inner_text()
    assert "BERITA ACARA SERAH TERIMA MODAL USAHA" in record and person["full_name"] in record
    shot(desktop, "handover-record")
    desktop.goto(e2e_server(f"/admin/pelaksanaan/modal-usaha/{award_id}/"))
    desktop.fill("input[name=handed_over_on]", TODAY.isoformat())
    picker = desktop.locator(".xdsoft_datetimepicker:visible")  # Wagtail's date picker, over the button
    picker.wait_for()
    desktop.locator("body").dispatch_event("mousedown")  # a click elsewhere closes it, as for a person
    picker.wait_for(state="hidden")
    desktop.fill("input[name=handover_number]", f"BA-{suffix}/{TODAY.year}")
    desktop.get_by_role("button", name="Catat serah terima").click()
    desktop.wait_for_url(e2e_server(f"/admin/pelaksanaan/modal-usaha/{award_id}/"))
    assert query_db(e2e_server, "SELECT state FROM applicants_capitalaward WHERE id = ?",
                    (award_id,)) == [("handed_over",)]

    # 11. Follow-up at 3 months: the graduate is due, the phone is click-to-call, the answer is recorded.
    [(enrolment_id,)] = query_db(e2e_server, "SELECT id FROM applicants_enrolment WHERE cohort_id = ?",
                                 (cohort_id,))
    due = datetime.date(end.year + (end.month + 2) // 12, (end.month + 2) % 12 + 1, 1)
    desktop.goto(e2e_server(f"/admin/pelaksanaan/tindak-lanjut/?month={due:%Y-%m}"))
    row = desktop.locator("tr", has_text=person["full_name"])
    assert row.locator("a[href^='tel:']").count() == 1
    desktop.goto(e2e_server(f"/admin/pelaksanaan/tindak-lanjut/{enrolment_id}/3/"))
    desktop.select_option("select[name=working_status]", "own_business")
    desktop.check("input[name=business_running][value=yes]")
    desktop.select_option("select[name=income_band]", "1m_2m")
    desktop.check("input[name=receiving_bansos][value=not_asked]")
    shot(desktop, "follow-up")
    desktop.get_by_role("button", name="Simpan", exact=True).click()
    desktop.wait_for_url(re.compile(r"/admin/pelaksanaan/tindak-lanjut/\?month="))
    assert query_db(e2e_server, "SELECT business_running, receiving_bansos FROM applicants_followup "
                                "WHERE enrolment_id = ? AND milestone = 3", (enrolment_id,)) == [(1, None)]
    shot(desktop, "follow-up-saved")
