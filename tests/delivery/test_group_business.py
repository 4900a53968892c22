"""KUB groups as real businesses: the plan and account a group's capital award needs, the monthly
reports, the state that follows from them, dissolving, and who may read and write any of it."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from wagtail.models import ModelLogEntry

from applicants import dashboard
from applicants.delivery import services
from applicants.models import (
    BusinessGroup,
    BusinessPlan,
    CapitalAward,
    GroupAccount,
    GroupMembership,
    GroupReport,
    GroupState,
    with_state,
)
from applicants.models.groups import shift_months
from applicants.privacy import access
from applicants.privacy.subject_rights import restrict_processing
from programs.models import Kecamatan, Kelurahan
from tests.factories import (
    BusinessGroupFactory,
    CapitalPackageFactory,
    GroupAccountFactory,
    GroupMembershipFactory,
    GroupReportFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 12, 1)


@pytest.fixture
def editor():
    return UserFactory(editor=True, username="ed")


@pytest.fixture
def approver():
    return UserFactory(editor=True, username="kabid")


def _group(created=None, **kwargs):
    group = BusinessGroupFactory(**kwargs)
    for _ in range(5):
        GroupMembershipFactory(group=group, enrolment__cohort__intake=group.intake)
    if created is not None:
        group.created_at = timezone.make_aware(datetime.datetime.combine(created, datetime.time(9)))
        BusinessGroup.objects.filter(pk=group.pk).update(created_at=group.created_at)
    return group


def _members(group):
    return list(group.memberships.filter(active=True).order_by("pk"))


def _award(group, editor):
    package = CapitalPackageFactory(for_groups=True)
    return CapitalAward.propose(user=editor, package=package, group=group)


def _plan(group, editor, **overrides):
    data = {"product": "Kue basah", "market": "Pasar pagi dan kantor kelurahan", "capital_use": "Oven dan mixer",
            "expected_monthly_income_rupiah": 4_000_000, **overrides}
    return services.save_plan(group, editor, **data)


def _report(group, editor, period, **overrides):
    data = {"period": period, "meeting_held": True, "members_present": _members(group)[:3],
            "sales_rupiah": 2_500_000, "cash_balance_rupiah": 900_000, "problems": "", **overrides}
    return services.record_report(group, editor, today=TODAY, **data)


def _state(group, today=TODAY):
    return with_state(BusinessGroup.objects.filter(pk=group.pk), today).get().state


# --- Approving a group's award needs a plan and an account -----------------------------------------
def test_a_group_award_without_plan_or_account_is_refused_naming_both(editor, approver):
    award = _award(_group(), editor)
    with pytest.raises(ValidationError) as refused:
        award.approve(approver)
    text = " ".join(refused.value.messages)
    assert "rencana usaha" in text and "rekening kelompok" in text
    award.refresh_from_db()
    assert award.state == CapitalAward.State.PROPOSED and award.approved_by is None
    assert not ModelLogEntry.objects.filter(action="sigap.award.approve").exists()


def test_a_plan_alone_is_not_enough_the_account_is_named(editor, approver):
    group = _group()
    _plan(group, editor)
    award = _award(group, editor)
    with pytest.raises(ValidationError) as refused:
        award.approve(approver)
    text = " ".join(refused.value.messages)
    assert "rekening kelompok" in text and "rencana usaha" not in text


def test_an_account_alone_is_not_enough_the_plan_is_named(editor, approver):
    group = _group()
    services.save_account(group, editor, bank="BRI", account_number="0012 3456 7890", holders=_members(group)[:1])
    award = _award(group, editor)
    with pytest.raises(ValidationError) as refused:
        award.approve(approver)
    text = " ".join(refused.value.messages)
    assert "rencana usaha" in text and "rekening kelompok" not in text


def test_an_account_whose_only_holder_left_the_group_is_not_enough(editor, approver):
    group = _group()
    _plan(group, editor)
    holder = _members(group)[0]
    GroupAccountFactory(group=group, holders=[holder])
    GroupMembership.objects.filter(pk=holder.pk).update(active=False, left_at=timezone.now())
    with pytest.raises(ValidationError) as refused:
        _award(group, editor).approve(approver)
    assert "pemegang rekening" in " ".join(refused.value.messages)


def test_with_plan_and_account_the_award_is_approved_by_another_user(editor, approver):
    group = _group()
    _plan(group, editor)
    services.save_account(group, editor, bank="BRI", account_number="001234567890", holders=_members(group)[:2])
    award = _award(group, editor)
    award.approve(approver)
    assert award.state == CapitalAward.State.APPROVED


def test_approving_from_the_award_page_without_a_plan_shows_the_reason(client, editor, approver):
    award = _award(_group(), editor)
    client.force_login(approver)
    response = client.post(reverse("delivery:award_detail", args=[award.pk]), {"action": "approve"}, follow=True)
    assert "rencana usaha" in response.content.decode()
    assert CapitalAward.objects.get(pk=award.pk).state == CapitalAward.State.PROPOSED


# --- Another order: approve first, then try to take the plan or the account away -------------------
@pytest.fixture
def approved(editor, approver):
    group = BusinessGroupFactory(ready=True)
    award = _award(group, editor)
    award.approve(approver)
    return group, award


def test_the_plan_of_an_approved_award_cannot_be_deleted_one_by_one_or_in_bulk(approved):
    group, _award_ = approved
    with pytest.raises(ValidationError):
        group.business_plan.delete()
    with pytest.raises(ValidationError), transaction.atomic():
        BusinessPlan.objects.filter(group=group).delete()
    with pytest.raises(ValidationError), transaction.atomic():
        GroupAccount.objects.filter(group=group).delete()
    assert BusinessPlan.objects.filter(group=group).exists() and GroupAccount.objects.filter(group=group).exists()


def test_the_plan_of_an_approved_award_cannot_be_changed(approved, editor):
    group, _award_ = approved
    with pytest.raises(ValidationError):
        _plan(group, editor, product="Sesuatu yang lain")
    assert BusinessPlan.objects.get(group=group).product != "Sesuatu yang lain"


def test_the_account_cannot_be_redirected_between_approval_and_handover(approved, editor):
    group, award = approved
    with pytest.raises(ValidationError):
        services.save_account(group, editor, bank="BRI", account_number="999999999999", holders=_members(group)[:1])
    assert GroupAccount.objects.get(group=group).account_number != "999999999999"


def test_a_plan_without_an_award_can_be_deleted(editor):
    group = BusinessGroupFactory(ready=True)
    group.business_plan.delete()
    assert not BusinessPlan.objects.filter(group=group).exists()


def test_the_only_account_holder_cannot_leave_the_group(editor):
    group = BusinessGroupFactory(ready=True)
    holder = GroupAccount.objects.get(group=group).holders.get()
    with pytest.raises(ValidationError):
        services.leave_group(holder, editor)
    assert GroupMembership.objects.get(pk=holder.pk).active


# --- The account -----------------------------------------------------------------------------------
def test_account_holders_must_be_members_of_this_group(editor):
    group, other = _group(), _group()
    with pytest.raises(ValidationError) as refused:
        services.save_account(group, editor, bank="BRI", account_number="001234567890",
                              holders=[_members(other)[0]])
    assert "holders" in refused.value.message_dict
    with pytest.raises(ValidationError) as refused:
        services.save_account(group, editor, bank="BRI", account_number="001234567890", holders=[])
    assert "holders" in refused.value.message_dict
    assert not GroupAccount.objects.exists()


@pytest.mark.parametrize("number", ["12345", "1" * 21, "0012-ABC-999", "¹²³⁴⁵⁶⁷"])
def test_an_account_number_that_is_not_6_to_20_digits_is_refused(editor, number):
    group = _group()
    with pytest.raises(ValidationError) as refused:
        services.save_account(group, editor, bank="BRI", account_number=number, holders=_members(group)[:1])
    assert "account_number" in refused.value.message_dict


def test_an_account_number_in_other_digits_is_stored_as_ascii(editor):
    group = _group()
    account = services.save_account(group, editor, bank="BRI", account_number="٠٠١٢ ٣٤٥٦ ٧٨٩٠",
                                     holders=_members(group)[:1])
    assert account.account_number == "001234567890"


def test_the_account_number_is_masked_for_the_auditor_and_shown_to_the_editor(client, editor):
    group = BusinessGroupFactory(ready=True)
    number = GroupAccount.objects.get(group=group).account_number
    client.force_login(UserFactory(auditor=True))
    html = client.get(reverse("delivery:group_detail", args=[group.pk])).content.decode()
    assert number not in html and number[-4:] in html
    client.force_login(editor)
    assert number in client.get(reverse("delivery:group_detail", args=[group.pk])).content.decode()


def test_the_audit_log_keeps_the_account_number_masked(editor):
    group = _group()
    services.save_account(group, editor, bank="BRI", account_number="001234567890", holders=_members(group)[:1])
    entry = ModelLogEntry.objects.get(action="sigap.group.account")
    assert entry.data["account_number"] == "********7890"


# --- Monthly reports -------------------------------------------------------------------------------
def test_a_report_for_a_future_month_is_refused(editor):
    group = _group(created=datetime.date(2026, 6, 3))
    with pytest.raises(ValidationError) as refused:
        _report(group, editor, datetime.date(2027, 1, 1))
    assert "period" in refused.value.message_dict
    assert not GroupReport.objects.exists()


def test_a_report_for_the_current_month_is_taken_and_a_day_is_read_as_its_month(editor):
    group = _group(created=datetime.date(2026, 6, 3))
    assert _report(group, editor, datetime.date(2026, 12, 1)).period == datetime.date(2026, 12, 1)
    assert _report(group, editor, datetime.date(2026, 11, 17)).period == datetime.date(2026, 11, 1)


def test_a_report_before_the_group_was_formed_is_refused(editor):
    group = _group(created=datetime.date(2026, 6, 3))
    with pytest.raises(ValidationError) as refused:
        _report(group, editor, datetime.date(2026, 5, 1))
    assert "period" in refused.value.message_dict


def test_a_second_report_for_the_same_month_is_refused_even_on_another_day(editor):
    group = _group(created=datetime.date(2026, 6, 3))
    _report(group, editor, datetime.date(2026, 10, 1))
    with pytest.raises(ValidationError) as refused:
        _report(group, editor, datetime.date(2026, 10, 20))
    assert "period" in refused.value.message_dict
    assert GroupReport.objects.count() == 1


def test_members_present_must_be_members_and_only_at_a_meeting(editor):
    group, other = _group(created=datetime.date(2026, 6, 3)), _group()
    with pytest.raises(ValidationError):
        _report(group, editor, datetime.date(2026, 10, 1), members_present=[_members(other)[0]])
    with pytest.raises(ValidationError):
        _report(group, editor, datetime.date(2026, 10, 1), meeting_held=False)
    with pytest.raises(ValidationError):
        _report(group, editor, datetime.date(2026, 10, 1), members_present=[])
    assert not GroupReport.objects.exists()
    report = _report(group, editor, datetime.date(2026, 10, 1), meeting_held=False, members_present=[])
    assert report.members_present.count() == 0


def test_a_restricted_member_cannot_be_recorded_present_or_made_a_holder(editor):
    group = _group(created=datetime.date(2026, 6, 3))
    restricted = _members(group)[1]
    restrict_processing(restricted.applicant, editor, "Permintaan warga")
    with pytest.raises(ValidationError) as refused:
        _report(group, editor, datetime.date(2026, 10, 1), members_present=_members(group)[:2])
    assert "dibatasi" in " ".join(refused.value.messages)
    with pytest.raises(ValidationError):
        services.save_account(group, editor, bank="BRI", account_number="001234567890", holders=[restricted])
    assert not GroupReport.objects.exists() and not GroupAccount.objects.exists()
    # The others' report goes through.
    assert _report(group, editor, datetime.date(2026, 10, 1), members_present=_members(group)[:1])


def test_reports_are_logged_on_the_group(editor):
    group = _group(created=datetime.date(2026, 6, 3))
    _report(group, editor, datetime.date(2026, 10, 1))
    assert ModelLogEntry.objects.for_instance(group).filter(action="sigap.group.report").count() == 1


# --- The state follows from the reports ------------------------------------------------------------
def test_a_new_group_is_active_until_it_had_time_to_miss_its_reports(settings):
    settings.KUB_DORMANT_MONTHS = 3
    group = _group(created=datetime.date(2026, 9, 20))
    assert _state(group) == GroupState.ACTIVE
    assert _state(group, datetime.date(2027, 1, 5)) == GroupState.DORMANT


def test_dormant_after_the_set_number_of_whole_months_without_a_meeting(editor, settings):
    settings.KUB_DORMANT_MONTHS = 3
    group = _group(created=datetime.date(2026, 3, 2))
    _report(group, editor, datetime.date(2026, 8, 1))
    # Sep, Oct and Nov without a report: dormant in December; a month later than a meeting in Sep is not.
    assert _state(group) == GroupState.DORMANT
    _report(group, editor, datetime.date(2026, 9, 1))
    assert _state(group) == GroupState.ACTIVE
    settings.KUB_DORMANT_MONTHS = 2
    assert _state(group) == GroupState.DORMANT


def test_reports_without_a_meeting_do_not_keep_a_group_active(editor, settings):
    settings.KUB_DORMANT_MONTHS = 3
    group = _group(created=datetime.date(2026, 3, 2))
    for month in (9, 10, 11, 12):
        _report(group, editor, datetime.date(2026, month, 1), meeting_held=False, members_present=[])
    assert _state(group) == GroupState.DORMANT


def test_dissolving_needs_a_reason_is_logged_and_frees_the_members(editor):
    group = _group()
    with pytest.raises(ValidationError):
        services.dissolve_group(group, editor, "  ")
    services.dissolve_group(group, editor, "Anggota pindah kota")
    group.refresh_from_db()
    assert group.status == BusinessGroup.Status.DISSOLVED and _state(group) == GroupState.DISSOLVED
    assert not group.memberships.filter(active=True).exists()
    assert ModelLogEntry.objects.for_instance(group).get(action="sigap.group.dissolve").data["reason"] == \
        "Anggota pindah kota"
    with pytest.raises(ValidationError):
        _report(group, editor, TODAY)


def test_a_group_with_an_award_in_progress_cannot_be_dissolved(editor):
    group = BusinessGroupFactory(ready=True)
    _award(group, editor)
    with pytest.raises(ValidationError):
        services.dissolve_group(group, editor, "Bubar")
    assert BusinessGroup.objects.get(pk=group.pk).status == BusinessGroup.Status.ACTIVE


def test_dormant_groups_stand_out_on_the_dashboard_and_in_the_register(client, editor, settings):
    settings.KUB_DORMANT_MONTHS = 3
    this_month = timezone.localdate().replace(day=1)
    quiet = _group(created=shift_months(this_month, -12), name="KUB Sunyi")
    busy = _group(created=shift_months(this_month, -12), name="KUB Ramai")
    services.record_report(busy, editor, period=this_month, meeting_held=True, members_present=_members(busy)[:2],
                           sales_rupiah=1, cash_balance_rupiah=1)
    figures = dashboard.dormant_groups()
    assert figures["count"] == 1 and figures["rows"][0]["name"] == quiet.name
    client.force_login(editor)
    home = client.get(reverse("wagtailadmin_home")).content.decode()
    assert "KUB Sunyi" in home and "KUB Ramai" not in home.split("KUB yang berhenti melapor")[1]
    listing = client.get("/admin/applicants/businessgroup/", {"state": "dormant"}).content.decode()
    assert "KUB Sunyi" in listing and "KUB Ramai" not in listing
    listing = client.get("/admin/applicants/businessgroup/", {"state": "active"}).content.decode()
    assert "KUB Ramai" in listing and "KUB Sunyi" not in listing


# --- Screens and who may use them ------------------------------------------------------------------
def test_editor_writes_plan_account_and_a_report_from_the_group_page(client, editor):
    group = _group(created=datetime.date(2026, 1, 5))
    members = _members(group)
    client.force_login(editor)
    url = reverse("delivery:group_detail", args=[group.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, {"action": "plan", "product": "Keripik", "market": "Warung",
                                 "capital_use": "Penggorengan", "expected_monthly_income_rupiah": "3000000"})
    assert response.status_code == 302 and BusinessPlan.objects.get(group=group).product == "Keripik"
    response = client.post(url, {"action": "account", "bank": "BJB", "account_number": "0012 3456 789",
                                 "holders": [members[0].pk]})
    assert response.status_code == 302 and GroupAccount.objects.get(group=group).account_number == "00123456789"
    month = timezone.localdate().strftime("%Y-%m")
    response = client.post(reverse("delivery:group_report", args=[group.pk]), {
        "period": month, "meeting_held": "on", "members_present": [m.pk for m in members[:3]],
        "sales_rupiah": "1500000", "cash_balance_rupiah": "700000", "problems": ""})
    assert response.status_code == 302
    assert GroupReport.objects.get(group=group).members_present.count() == 3


def test_a_typed_holder_from_another_group_is_refused_next_to_the_field(client, editor):
    group, other = _group(), _group()
    client.force_login(editor)
    response = client.post(reverse("delivery:group_detail", args=[group.pk]), {
        "action": "account", "bank": "BJB", "account_number": "001234567890", "holders": [_members(other)[0].pk]})
    assert response.status_code == 200 and not GroupAccount.objects.exists()
    assert "Masukkan pilihan yang valid" in response.content.decode()


def test_a_future_month_typed_in_the_report_form_is_refused_next_to_the_field(client, editor):
    group = _group()
    client.force_login(editor)
    response = client.post(reverse("delivery:group_report", args=[group.pk]), {
        "period": shift_months(timezone.localdate().replace(day=1), 1).strftime("%Y-%m"), "meeting_held": "on",
        "members_present": [_members(group)[0].pk], "sales_rupiah": "1", "cash_balance_rupiah": "1"})
    assert response.status_code == 200 and not GroupReport.objects.exists()
    assert "bulan yang akan datang" in response.content.decode()


@pytest.mark.parametrize("value", ["abc", "2026-13", "99999-01", "-1"])
def test_a_bad_month_or_number_is_a_form_error_not_a_500(client, editor, value):
    group = _group()
    client.force_login(editor)
    response = client.post(reverse("delivery:group_report", args=[group.pk]), {
        "period": value, "sales_rupiah": value, "cash_balance_rupiah": "1"})
    assert response.status_code == 200 and not GroupReport.objects.exists()


def test_an_editor_of_another_kecamatan_is_refused_the_group_page_and_its_report_url(client):
    kec1, kec2 = Kecamatan.objects.order_by("code")[:2]
    group = _group(kelurahan=Kelurahan.objects.filter(kecamatan=kec2).first())
    outsider = UserFactory(editor=True, kecamatan=[kec1])
    client.force_login(outsider)
    assert client.get(reverse("delivery:group_detail", args=[group.pk])).status_code == 403
    response = client.post(reverse("delivery:group_report", args=[group.pk]), {
        "period": timezone.localdate().strftime("%Y-%m"), "meeting_held": "on",
        "members_present": [_members(group)[0].pk], "sales_rupiah": "1", "cash_balance_rupiah": "1"})
    assert response.status_code == 403 and not GroupReport.objects.exists()
    assert not access.group_reports.scope(outsider, GroupReport.objects.all()).exists()
    report = GroupReportFactory(group=group)
    assert not access.group_reports.in_scope(outsider, report)
    assert not access.group_accounts.scope(outsider, GroupAccount.objects.all()).exists()
    assert client.get(reverse("delivery:group_report_edit", args=[group.pk, report.pk])).status_code == 403


def test_the_auditor_reads_the_group_page_but_cannot_write(client, editor):
    group = _group()
    client.force_login(UserFactory(auditor=True))
    url = reverse("delivery:group_detail", args=[group.pk])
    assert client.get(url).status_code == 200
    assert client.post(url, {"action": "plan", "product": "x", "market": "x", "capital_use": "x",
                             "expected_monthly_income_rupiah": "1"}).status_code == 403
    assert client.post(url, {"action": "dissolve", "reason": "x"}).status_code == 403
    assert client.get(reverse("delivery:group_report", args=[group.pk])).status_code == 403
    assert client.post(reverse("delivery:group_report", args=[group.pk]), {
        "period": timezone.localdate().strftime("%Y-%m"), "sales_rupiah": "1",
        "cash_balance_rupiah": "1"}).status_code == 403
    assert not BusinessPlan.objects.exists() and not GroupReport.objects.exists()
    assert BusinessGroup.objects.get(pk=group.pk).status == BusinessGroup.Status.ACTIVE


@pytest.mark.parametrize("role", ["comms", "interviewer"])
def test_comms_and_interviewers_cannot_open_a_group_page(client, role):
    group = _group()
    client.force_login(UserFactory(**{role: True}))
    assert client.get(reverse("delivery:group_detail", args=[group.pk])).status_code == 403
    assert client.get(reverse("delivery:group_report", args=[group.pk])).status_code == 403


def test_the_report_register_lists_and_exports_only_reachable_groups(client):
    kec1, kec2 = Kecamatan.objects.order_by("code")[:2]
    mine = _group(kelurahan=Kelurahan.objects.filter(kecamatan=kec1).first(), name="KUB Dekat")
    theirs = _group(kelurahan=Kelurahan.objects.filter(kecamatan=kec2).first(), name="KUB Jauh")
    GroupReportFactory(group=mine)
    GroupReportFactory(group=theirs)
    client.force_login(UserFactory(editor=True, kecamatan=[kec1]))
    html = client.get("/admin/applicants/groupreport/").content.decode()
    assert "KUB Dekat" in html and "KUB Jauh" not in html


def test_a_report_opens_in_the_register_inspect_view_only_within_reach(client):
    kec1, kec2 = Kecamatan.objects.order_by("code")[:2]
    report = GroupReportFactory(group=_group(kelurahan=Kelurahan.objects.filter(kecamatan=kec2).first()))
    url = f"/admin/applicants/groupreport/inspect/{report.pk}/"
    client.force_login(UserFactory(auditor=True))
    assert client.get(url).status_code == 200
    client.force_login(UserFactory(editor=True, kecamatan=[kec1]))
    assert client.get(url).status_code in (302, 403)
    assert GroupReport.objects.filter(pk=report.pk).exists()


def test_a_restricted_holder_stops_the_approval_and_a_restricted_member_the_dissolution(editor, approver):
    group = BusinessGroupFactory(ready=True)
    award = _award(group, editor)
    holder = GroupAccount.objects.get(group=group).holders.get()
    restrict_processing(holder.applicant, editor, "Permintaan warga")
    with pytest.raises(ValidationError) as refused:
        award.approve(approver)
    assert "dibatasi" in " ".join(refused.value.messages)
    assert CapitalAward.objects.get(pk=award.pk).state == CapitalAward.State.PROPOSED
    award.cancel(editor, "KUB tidak jadi")
    with pytest.raises(ValidationError):
        services.dissolve_group(group, editor, "Bubar")
    assert group.memberships.filter(active=True).count() == 5
