"""An auditor's attempt to rebuild full NIKs from everything they can see or export.

A NIK is region (6 digits) + birth date (DDMMYY, day + 40 for women) + serial (4 digits). The attack
assumes the worst for us: the region and the sex are known (the kecamatan and sex are shown), and
what every register export, register page, inspect page, printed sheet and participant/award workbook
shows about one person is pooled (rows joined by name). From the pooled knowledge we count the NIKs
still possible: the birth dates allowed by what is shown (the full date, or an age band) whose digits
agree with any NIK digits shown, times the serial digits not shown.

The same attack on the editor's screens (full-identity access) rebuilds every NIK, which proves the
harness sees what it is given.
"""

import datetime
import io
import re
from collections import defaultdict
from dataclasses import dataclass, field

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.html import strip_tags
from openpyxl import load_workbook

from applicants import identity
from applicants.models import Applicant, Application, CapitalAward, WelfareRecord
from programs.models import Cohort, CohortSession
from programs.registers.base import get_register, register_keys
from programs.registers.filters import AgeBandFilter

MIN_CANDIDATES = 1000
MASK_TOKEN = re.compile(r"(?<![0-9*])[0-9*]{16}(?![0-9*])")
DMY = re.compile(r"(?<![0-9])([0-9]{2})-([0-9]{2})-([0-9]{4})(?![0-9])")
BAND = re.compile(r"(?:(?P<lo>[0-9]+)-(?P<hi>[0-9]+)|(?P<lt><) ?(?P<under>[0-9]+)|(?P<gt>>) ?(?P<over>[0-9]+)) tahun")


@dataclass
class Knowledge:
    """What the attacker pooled about one person (one true NIK)."""

    digits: dict[int, str] = field(default_factory=dict)  # position -> digit seen in a masked NIK
    birth_date_seen: bool = False
    age_low: int = 0
    age_high: int = 100
    full_nik_seen: bool = False
    kk_digits: dict[int, str] = field(default_factory=dict)
    full_kk_seen: bool = False


@dataclass(frozen=True)
class Person:
    nik: str
    kk: str
    name: str
    birth_date: datetime.date
    sex: str


def _people() -> list[Person]:
    people = {
        a.nik: Person(a.nik, a.kk_number, a.full_name, a.birth_date, a.sex) for a in Applicant.objects.all()
    }
    for r in WelfareRecord.objects.all():
        info = identity.parse_nik(r.nik)
        people.setdefault(r.nik, Person(r.nik, r.kk_number, r.full_name, info.birth_date, info.sex))
    return list(people.values())


# --- What the attacker downloads ----------------------------------------------------------------------
def _cells_text(value) -> str:
    if isinstance(value, datetime.datetime):
        return value.strftime("%d-%m-%Y %H:%M")
    if isinstance(value, datetime.date):
        return value.strftime("%d-%m-%Y")
    return "" if value is None else str(value)


def _xlsx_rows(content: bytes) -> list[str]:
    book = load_workbook(io.BytesIO(content), read_only=True)
    return [" | ".join(_cells_text(v) for v in row) for sheet in book.worksheets
            for row in sheet.iter_rows(values_only=True)]


def _html_rows(html: str) -> list[str]:
    """Table rows one by one, and the whole page as one more "row" (inspect pages are definition lists)."""
    rows = [strip_tags(chunk) for chunk in re.findall(r"<tr\b.*?</tr>", html, flags=re.S)]
    return [*rows, " ".join(strip_tags(html).split())]


def _body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def _everything_visible(client: Client) -> list[str]:
    """Every register (list pages, export), inspect page, printed sheet and workbook this user may open."""
    rows: list[str] = []

    def get(url):
        response = client.get(url)
        return response if response.status_code == 200 else None

    for key in register_keys():
        register = get_register(key)
        response = get(register.export_url)
        if response is None:
            continue
        rows += _xlsx_rows(_body(response))
        index = register.url_helper.index_url
        total = register.model._default_manager.count()
        for page in range(1, total // 200 + 2):
            if (response := get(f"{index}?per_page=200&p={page}")) is not None:
                rows += _html_rows(response.content.decode())
    for application in Application.objects.order_by("pk")[:40]:
        for url in (reverse("applicants_application_modeladmin_inspect", args=[application.pk]),
                    reverse("applicants_applicant_modeladmin_inspect", args=[application.applicant_id])):
            if (response := get(url)) is not None:
                rows += _html_rows(response.content.decode())
    for session in CohortSession.objects.order_by("pk"):
        if (response := get(reverse("delivery:session_sheet", args=[session.pk]))) is not None:
            rows += _html_rows(response.content.decode())
    for cohort in Cohort.objects.order_by("pk"):
        for url in (reverse("delivery:cohort_detail", args=[cohort.pk]),
                    reverse("delivery:cohort_participants_xlsx", args=[cohort.pk])):
            if (response := get(url)) is not None:
                body = _body(response)
                rows += _xlsx_rows(body) if body.startswith(b"PK") else _html_rows(body.decode())
    for url in (reverse("delivery:award_list") + "?format=xlsx", reverse("delivery:award_list"),
                reverse("delivery:followup_due"), reverse("sigap_interviews:all"), "/admin/reports/site-history/"):
        if (response := get(url)) is not None:
            body = _body(response)
            rows += _xlsx_rows(body) if body.startswith(b"PK") else _html_rows(body.decode())
    for award in CapitalAward.objects.order_by("pk"):
        if (response := get(reverse("delivery:award_detail", args=[award.pk]))) is not None:
            rows += _html_rows(response.content.decode())
    return rows


# --- The attack -----------------------------------------------------------------------------------
def _learn(rows: list[str], people: list[Person]) -> dict[str, Knowledge]:
    by_name = defaultdict(list)
    for person in people:
        by_name[person.name.casefold()].append(person)
    names = sorted(by_name, key=len, reverse=True)
    knowledge = {person.nik: Knowledge() for person in people}
    today = timezone.localdate()
    for row in rows:
        folded = row.casefold()
        present = [p for name in names if name in folded for p in by_name[name]]
        for person in people:
            known = knowledge[person.nik]
            if person.nik in row:
                known.full_nik_seen = True
            if person.kk in row:
                known.full_kk_seen = True
        for person in present:
            _learn_row(knowledge[person.nik], person, row, today)
    return knowledge


def _learn_row(known: Knowledge, person: Person, row: str, today: datetime.date) -> None:
    for token in MASK_TOKEN.findall(row):
        for number, digits in ((person.nik, known.digits), (person.kk, known.kk_digits)):
            shown = {i: ch for i, ch in enumerate(token) if ch != "*"}
            if shown and all(number[i] == ch for i, ch in shown.items()):
                digits.update(shown)
    for day, month, year in DMY.findall(row):
        try:
            if datetime.date(int(year), int(month), int(day)) == person.birth_date:
                known.birth_date_seen = True
        except ValueError:
            continue
    age = identity.age_on(person.birth_date, today)
    for match in BAND.finditer(row):
        if match["lo"]:
            low, high = int(match["lo"]), int(match["hi"])
        elif match["lt"]:
            low, high = 0, int(match["under"]) - 1
        else:
            low, high = int(match["over"]) + 1, 100
        if low <= age <= high:  # a band that is not this person's is someone else's on the row
            known.age_low, known.age_high = max(known.age_low, low), min(known.age_high, high)


def _nik_date_part(day: datetime.date, sex: str) -> str:
    return f"{day.day + (40 if sex == 'P' else 0):02d}{day.month:02d}{day.year % 100:02d}"


def candidates(person: Person, known: Knowledge, today: datetime.date) -> int:
    """How many NIKs agree with everything the attacker knows (region and sex assumed known)."""
    if known.full_nik_seen:
        return 1
    if known.birth_date_seen:
        dates = [person.birth_date]
    else:
        first = today.replace(year=today.year - known.age_high - 1)
        dates = [first + datetime.timedelta(days=n) for n in range((today - first).days + 1)]
        dates = [d for d in dates if known.age_low <= identity.age_on(d, today) <= known.age_high]
    encodings = {_nik_date_part(d, person.sex) for d in dates}
    encodings = {e for e in encodings if all(e[i - 6] == ch for i, ch in known.digits.items() if 6 <= i < 12)}
    serial_hidden = sum(1 for i in range(12, 16) if i not in known.digits)
    return len(encodings) * 10**serial_hidden


@pytest.fixture
def funnel(db):
    """The demo funnel: programs, 150 applicants through the register, interviews, classes, awards."""
    from applicants.delivery import demo as delivery_demo
    from applicants.intake.demo import seed_applicants
    from applicants.selection import demo as selection_demo
    from programs import demo as programs_demo
    from public_pages.management.commands.seed_demo import create_demo_users

    create_demo_users()
    programs_demo.seed()
    seed_applicants(150, status="submitted")
    selection_demo.seed()
    delivery_demo.seed()
    users = get_user_model().objects
    return {"auditor": users.get(username="auditor"), "editor": users.get(username="editor")}


def _attack(user) -> tuple[list[Person], dict[str, Knowledge], int]:
    client = Client()
    client.force_login(user)
    rows = _everything_visible(client)
    people = _people()
    return people, _learn(rows, people), len(rows)


@pytest.mark.slow
def test_auditor_cannot_rebuild_any_nik_or_kk_from_every_register_page_sheet_and_export(funnel):
    today = timezone.localdate()
    people, knowledge, seen_rows = _attack(funnel["auditor"])
    assert seen_rows > 500 and len(people) >= 150
    # The attacker did learn something about most people (names joined, masks and bands read) ...
    assert sum(1 for k in knowledge.values() if k.digits) > 100
    assert sum(1 for k in knowledge.values() if k.age_high - k.age_low < 100) > 100
    # ... but not enough to rebuild anyone's NIK, and no full NIK or KK is shown anywhere.
    counts = {p.nik: candidates(p, knowledge[p.nik], today) for p in people}
    worst = min(counts, key=counts.get)
    assert counts[worst] >= MIN_CANDIDATES, (worst[-4:], knowledge[worst])
    assert not any(k.full_nik_seen or k.full_kk_seen for k in knowledge.values())
    assert all(len(k.digits) <= identity.MASK_KEEP and len(k.kk_digits) <= identity.MASK_KEEP
               for k in knowledge.values())
    assert all(not k.birth_date_seen for k in knowledge.values())


@pytest.mark.slow
def test_the_same_attack_on_the_editors_screens_rebuilds_every_nik(funnel):
    """Editors hold `view_full_identity`: the harness must find their full numbers (it is not blind)."""
    today = timezone.localdate()
    people, knowledge, _rows = _attack(funnel["editor"])
    applicants = {a.nik for a in Applicant.objects.all()}
    assert all(candidates(p, knowledge[p.nik], today) == 1 for p in people if p.nik in applicants)


def test_masked_birth_dates_use_exactly_the_register_age_filter_bands():
    """A band shown beside a row and a band chosen in the age filter can never intersect to less."""
    assert identity.AGE_BANDS == AgeBandFilter.DEFAULT_BANDS
    widths = [high - low + 1 for low, high in identity.AGE_BANDS.values()]
    assert min(widths) * 365 >= MIN_CANDIDATES  # last four digits shown, date hidden within the band


@pytest.mark.parametrize(
    ("age", "band"), [(17, "< 18 tahun"), (18, "18-25 tahun"), (25, "18-25 tahun"), (26, "26-35 tahun"),
                      (59, "46-59 tahun"), (60, "> 59 tahun"), (95, "> 59 tahun")],
)
def test_age_band_edges(age, band):
    today = datetime.date(2026, 12, 1)
    assert identity.age_band(datetime.date(today.year - age, 12, 1), today) == band
    assert identity.age_band(datetime.date(today.year - age - 1, 12, 2), today) == band  # day before birthday


def test_candidate_count_of_the_old_mask_shows_what_the_auditor_rebuilt():
    """The old mask (digits 1-4 and 13-16) beside the full birth date left one possible NIK."""
    person = Person("3671015708950017", "3671010101100001", "Siti", datetime.date(1995, 8, 17), "P")
    old = Knowledge(digits={i: person.nik[i] for i in (0, 1, 2, 3, 12, 13, 14, 15)}, birth_date_seen=True)
    assert candidates(person, old, datetime.date(2026, 12, 1)) == 1
    new = Knowledge(digits={i: person.nik[i] for i in (12, 13, 14, 15)}, age_low=26, age_high=35)
    assert candidates(person, new, datetime.date(2026, 12, 1)) >= 3600
