"""The portal's roles as Wagtail groups, and the permissions each one needs.

`sync_roles()` is idempotent: the roles migrations call it, and so does `seed_demo`. Admins may add
permissions to a group afterwards; sync only adds what a role needs, it never removes.

Roles are granted through permissions, never checked by group name: `applicants.privacy.access` decides what
a user may see from `has_perm(...)`, so an admin can build a new group from the same permissions.
See docs/privacy.md for the table.
"""

from django.utils.translation import gettext_lazy as _

EDITOR = "Editor Dinsos"
INTERVIEWER = "Pewawancara"
COMMS = "Humas"
AUDITOR = "Auditor"

FULL_IDENTITY_PERMISSION = ("applicants", "view_full_identity")
# The one name of the permission that shows NIK and KK unmasked (registers, exports, templates).
IDENTITY_PERMISSION = ".".join(FULL_IDENTITY_PERMISSION)

# (app_label, codename) pairs. Model permissions follow Django's add/change/delete/view names.
_RECORD_MODELS = {
    "applicants": [
        "applicant", "application", "welfareimportbatch", "welfarerecord", "welfarerejection", "interview",
        "consentversion",
        # delivery
        "enrolment", "attendance", "capitalaward", "businessgroup", "groupmembership", "followup",
        "businessplan", "groupaccount", "groupreport",
        "datasubjectrequest",
        # complaints and objections
        "ticket",
        # earlier recipients of other programs
        "recipientlistbatch", "recipientlistrecord", "recipientlistrejection",
    ],
    "programs": [
        "intake", "kelurahanquota", "program",
        # delivery
        "instructor", "cohort", "cohortsession", "capitalpackage",
        "holiday", "letterhead", "capitalpackageitem",
    ],
}
# Read-only reference data and staff restrictions: the auditor may view them, only admins change them.
_REFERENCE_MODELS = {
    "programs": ["kecamatan", "kelurahan"],
    "applicants": ["staffprofile"],
}


def _model_perms(actions, models_by_app=_RECORD_MODELS):
    return [
        (app, f"{action}_{model}")
        for app, models in models_by_app.items()
        for model in models
        for action in actions
    ]


ROLE_PERMISSIONS = {
    EDITOR: [
        ("wagtailadmin", "access_admin"),
        *_model_perms(["add", "change", "delete", "view"]),
        FULL_IDENTITY_PERMISSION,
    ],
    # Interviewers reach applicants only through their own interviews (applicants.privacy.access); giving them
    # view_applicant would also open every applicant's audit-log entries in Wagtail's site history.
    INTERVIEWER: [
        ("wagtailadmin", "access_admin"),
        ("applicants", "view_interview"),
        ("applicants", "change_interview"),
    ],
    # Comms: no model permission on any personal-data model; pages/images/documents come from
    # ROLE_PAGE_PERMISSIONS and ROLE_COLLECTION_PERMISSIONS below.
    COMMS: [("wagtailadmin", "access_admin")],
    AUDITOR: [
        ("wagtailadmin", "access_admin"),
        *_model_perms(["view"]),
        *_model_perms(["view"], _REFERENCE_MODELS),
    ],
}

# Page-tree permissions on the root page (so every site below it), as Wagtail page permission codenames.
ROLE_PAGE_PERMISSIONS = {
    COMMS: ["add_page", "change_page", "publish_page"],
}

# Collection permissions on the root collection: (app_label, codename).
ROLE_COLLECTION_PERMISSIONS = {
    COMMS: [
        ("wagtailimages", "add_image"), ("wagtailimages", "change_image"), ("wagtailimages", "choose_image"),
        ("wagtaildocs", "add_document"), ("wagtaildocs", "change_document"), ("wagtaildocs", "choose_document"),
    ],
}

ROLE_DESCRIPTIONS = {
    EDITOR: _("Manages all program data, imports, exports and business capital."),
    INTERVIEWER: _("Their own interview schedules and results."),
    COMMS: _("Pages, images and documents; no personal data."),
    AUDITOR: _("Read only; NIK and KK are masked."),
}


def sync_roles(group_model=None, permission_model=None, apps=None) -> None:
    """Create the role groups and give them their permissions (works inside migrations too).

    Pass `apps` (a migration's app registry) to also grant page and collection permissions; the
    first roles migration ran before Wagtail's page tree existed, so it passes only the two models.
    """
    if apps is not None:
        group_model = apps.get_model("auth", "Group")
        permission_model = apps.get_model("auth", "Permission")
    elif group_model is None:
        from django.apps import apps as global_apps
        from django.contrib.auth.models import Group as group_model
        from django.contrib.auth.models import Permission as permission_model

        apps = global_apps

    def permission(app_label, codename):
        return permission_model.objects.filter(content_type__app_label=app_label, codename=codename).first()

    groups = {}
    for name, perms in ROLE_PERMISSIONS.items():
        group, _created = group_model.objects.get_or_create(name=name)
        groups[name] = group
        for app_label, codename in perms:
            perm = permission(app_label, codename)
            if perm is not None:
                group.permissions.add(perm)
    if apps is None:
        return
    _sync_tree_permissions(apps, groups, permission)


def _sync_tree_permissions(apps, groups, permission) -> None:
    page_model = apps.get_model("wagtailcore", "Page")
    collection_model = apps.get_model("wagtailcore", "Collection")
    page_perm_model = apps.get_model("wagtailcore", "GroupPagePermission")
    collection_perm_model = apps.get_model("wagtailcore", "GroupCollectionPermission")
    root_page = page_model.objects.filter(depth=1).order_by("path").first()
    root_collection = collection_model.objects.filter(depth=1).order_by("path").first()
    for name, codenames in ROLE_PAGE_PERMISSIONS.items():
        for codename in codenames:
            perm = permission("wagtailcore", codename)
            if root_page is not None and perm is not None:
                page_perm_model.objects.get_or_create(group=groups[name], page=root_page, permission=perm)
    for name, perms in ROLE_COLLECTION_PERMISSIONS.items():
        for app_label, codename in perms:
            perm = permission(app_label, codename)
            if root_collection is not None and perm is not None:
                collection_perm_model.objects.get_or_create(
                    group=groups[name], collection=root_collection, permission=perm
                )


def is_interviewer(user) -> bool:
    """Interviewers are the members of the interviewer group (or superusers): who may be given an interview."""
    if user is None or not user.is_active:
        return False
    return user.is_superuser or user.groups.filter(name=INTERVIEWER).exists()
