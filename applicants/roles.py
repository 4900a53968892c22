"""The portal's roles as Wagtail groups, and the permissions each one needs.

`sync_roles()` is idempotent: the roles migration calls it, and so does `seed_demo`. Admins may add
permissions to a group afterwards; sync only adds what a role needs, it never removes.
"""

from django.utils.translation import gettext_lazy as _

EDITOR = "Editor Dinsos"
INTERVIEWER = "Pewawancara"
COMMS = "Humas"
AUDITOR = "Auditor"

# (app_label, codename) pairs. Model permissions follow Django's add/change/delete/view names.
_RECORD_MODELS = {
    "applicants": ["applicant", "application", "welfareimportbatch", "welfarerecord", "interview",
                   # delivery (issue 5)
                   "enrolment", "attendance", "capitalaward", "businessgroup", "groupmembership", "followup"],
    "programs": ["intake", "kelurahanquota", "program",
                 # delivery (issue 5)
                 "instructor", "cohort", "cohortsession", "capitalpackage"],
}


def _model_perms(actions):
    return [
        (app, f"{action}_{model}")
        for app, models in _RECORD_MODELS.items()
        for model in models
        for action in actions
    ]


ROLE_PERMISSIONS = {
    EDITOR: [("wagtailadmin", "access_admin"), *_model_perms(["add", "change", "delete", "view"])],
    INTERVIEWER: [
        ("wagtailadmin", "access_admin"),
        ("applicants", "view_interview"),
        ("applicants", "change_interview"),
    ],
    COMMS: [("wagtailadmin", "access_admin")],
    AUDITOR: [("wagtailadmin", "access_admin"), *_model_perms(["view"])],
}

ROLE_DESCRIPTIONS = {
    EDITOR: _("Mengelola seluruh data program, impor, ekspor dan modal usaha."),
    INTERVIEWER: _("Jadwal dan hasil wawancara miliknya sendiri."),
    COMMS: _("Halaman, gambar dan dokumen; tanpa data pribadi."),
    AUDITOR: _("Baca saja; NIK dan KK disamarkan."),
}


def sync_roles(group_model=None, permission_model=None) -> None:
    """Create the role groups and give them their permissions (works inside migrations too)."""
    if group_model is None:
        from django.contrib.auth.models import Group as group_model
        from django.contrib.auth.models import Permission as permission_model
    for name, perms in ROLE_PERMISSIONS.items():
        group, _created = group_model.objects.get_or_create(name=name)
        for app_label, codename in perms:
            perm = permission_model.objects.filter(
                content_type__app_label=app_label, codename=codename
            ).first()
            if perm is not None:
                group.permissions.add(perm)
