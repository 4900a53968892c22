"""`python -m portal COMMAND` (or the `sigap-kerja` script a wheel installs): Django's command line for
an installed copy, which has no manage.py. The settings module follows DJANGO_ENV like manage.py's."""

import os
import sys


def main() -> None:
    env = os.environ.get("DJANGO_ENV", "development")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", f"portal.settings.{env}")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
