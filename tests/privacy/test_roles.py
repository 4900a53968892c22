"""Role groups created by migrations: each role holds exactly the permissions its job needs."""

import pytest
from django.contrib.auth.models import Group, Permission
from wagtail.models import Collection, GroupCollectionPermission, GroupPagePermission, Page

from applicants.models import ConsentVersion
from applicants.privacy.roles import AUDITOR, COMMS, EDITOR, INTERVIEWER, ROLE_PERMISSIONS, sync_roles
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PERSONAL_DATA_APPS = {"applicants", "programs"}


def perms_of(name):
    group = Group.objects.get(name=name)
    return {f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.select_related("content_type")}


@pytest.mark.parametrize(
    ("role", "has", "has_not"),
    [
        (EDITOR, ["applicants.view_full_identity", "applicants.change_applicant", "applicants.delete_interview",
                  "programs.change_intake", "applicants.add_welfareimportbatch"], ["applicants.change_staffprofile"]),
        (INTERVIEWER, ["applicants.view_interview", "applicants.change_interview"],
         ["applicants.view_full_identity", "applicants.view_applicant", "applicants.view_application",
          "applicants.add_interview"]),
        (AUDITOR, ["applicants.view_applicant", "applicants.view_application", "applicants.view_interview",
                   "applicants.view_welfarerecord", "programs.view_intake", "programs.view_kelurahan"],
         ["applicants.view_full_identity", "applicants.change_applicant", "programs.change_intake"]),
    ],
)
def test_role_has_the_permissions_its_job_needs_and_not_more(role, has, has_not):
    perms = perms_of(role)
    assert set(has) <= perms
    assert not set(has_not) & perms


def test_auditor_is_read_only_on_every_record():
    assert all(p.split(".")[1].startswith("view_") or p == "wagtailadmin.access_admin" for p in perms_of(AUDITOR))


def test_comms_has_no_permission_on_any_personal_data_model():
    assert not {p for p in perms_of(COMMS) if p.split(".")[0] in PERSONAL_DATA_APPS}


def test_comms_may_edit_and_publish_pages_and_manage_images_and_documents():
    group = Group.objects.get(name=COMMS)
    root = Page.get_first_root_node()
    page_perms = set(
        GroupPagePermission.objects.filter(group=group, page=root).values_list("permission__codename", flat=True)
    )
    assert page_perms == {"add_page", "change_page", "publish_page"}
    collection_perms = set(
        GroupCollectionPermission.objects.filter(group=group, collection=Collection.get_first_root_node())
        .values_list("permission__codename", flat=True)
    )
    assert collection_perms == {"add_image", "change_image", "choose_image", "add_document", "change_document",
                                "choose_document"}


def test_sync_roles_is_idempotent_and_keeps_permissions_added_by_an_admin():
    auditor = Group.objects.get(name=AUDITOR)
    extra = Permission.objects.get(codename="view_user")
    auditor.permissions.add(extra)
    before = {name: perms_of(name) for name in ROLE_PERMISSIONS}
    page_rows = GroupPagePermission.objects.count()
    sync_roles()
    sync_roles()
    assert {name: perms_of(name) for name in ROLE_PERMISSIONS} == before
    assert GroupPagePermission.objects.count() == page_rows
    assert "auth.view_user" in perms_of(AUDITOR)


def test_first_consent_version_exists_after_migrations():
    consent = ConsentVersion.objects.get(version="2026-1")
    assert "Pelindungan Data Pribadi" in consent.text and "27 Tahun 2022" in consent.text
    assert ConsentVersion.current() is not None


@pytest.mark.parametrize(("role", "allowed"), [("comms", True), ("auditor", False), ("interviewer", False)])
def test_only_comms_can_open_the_page_editor_and_upload_images(client, role, allowed):
    home = Page.objects.filter(depth=2).first()
    client.force_login(UserFactory(username=f"u-{role}", **{role: True}))
    for url in (f"/admin/pages/{home.pk}/edit/", "/admin/images/multiple/add/", "/admin/documents/multiple/add/"):
        response = client.get(url)
        assert (response.status_code == 200) is allowed, url
