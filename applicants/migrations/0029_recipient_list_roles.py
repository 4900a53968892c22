"""Re-sync the roles so editors import earlier-recipient lists and auditors read them."""

from django.apps import apps as global_apps
from django.contrib.auth.management import create_permissions
from django.db import migrations


def sync(apps, schema_editor):
    # Permissions are normally created after all migrations; create them now so the groups get them.
    for app_config in global_apps.get_app_configs():
        create_permissions(app_config, apps=apps, verbosity=0)
    from applicants.privacy.roles import sync_roles

    sync_roles(apps=apps)


class Migration(migrations.Migration):
    dependencies = [
        ("applicants", "0028_earlier_recipient_lists_and_second_award_override"),
    ]

    operations = [migrations.RunPython(sync, migrations.RunPython.noop)]
