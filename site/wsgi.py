"""WSGI entry point: `gunicorn portal.wsgi`. Settings module from DJANGO_ENV (see manage.py)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", f"portal.settings.{os.environ.get('DJANGO_ENV', 'development')}")

application = get_wsgi_application()
