"""Give the role groups the permissions of the delivery models: classes, awards, KUB, follow-ups."""

from django.apps import apps as global_apps
from django.contrib.auth.management import create_permissions
from django.db import migrations


def sync_delivery_roles(apps, schema_editor):
    for app_config in global_apps.get_app_configs():
        create_permissions(app_config, apps=apps, verbosity=0)
    from applicants.privacy.roles import sync_roles

    sync_roles(apps.get_model("auth", "Group"), apps.get_model("auth", "Permission"))


class Migration(migrations.Migration):
    dependencies = [
        ("applicants", "0003_businessgroup_enrolment_capitalaward_and_more"),
        ("programs", "0003_instructor_cohort_capitalpackage_cohortsession_and_more"),
    ]
    operations = [migrations.RunPython(sync_delivery_roles, migrations.RunPython.noop)]
