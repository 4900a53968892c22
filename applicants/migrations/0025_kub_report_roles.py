"""Re-sync the roles so editors manage KUB plans, accounts and monthly reports and auditors read them."""

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
    dependencies = [("applicants", "0024_kub_plans_accounts_reports")]

    operations = [migrations.RunPython(sync, migrations.RunPython.noop)]
