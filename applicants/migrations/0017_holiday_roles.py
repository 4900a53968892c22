"""Give the role groups the permissions of the holiday list and the letterhead (editors keep them, auditors read)."""

from django.apps import apps as global_apps
from django.contrib.auth.management import create_permissions
from django.db import migrations


def sync_holiday_roles(apps, schema_editor):
    for app_config in global_apps.get_app_configs():
        create_permissions(app_config, apps=apps, verbosity=0)
    from applicants.privacy.roles import sync_roles

    sync_roles(apps.get_model("auth", "Group"), apps.get_model("auth", "Permission"))


class Migration(migrations.Migration):
    dependencies = [
        ("applicants", "0016_interview_duration"),
        ("programs", "0007_letterhead"),
    ]
    operations = [migrations.RunPython(sync_holiday_roles, migrations.RunPython.noop)]
