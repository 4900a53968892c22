#!/usr/bin/env python
"""Django's command-line utility. The settings module follows DJANGO_ENV (development by default).

`site/` is imported as `portal` (see pyproject.toml): run `pip install -e .` first (`make run` does).
"""

import os
import sys


def main() -> None:
    env = os.environ.get("DJANGO_ENV", "development")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", f"portal.settings.{env}")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
