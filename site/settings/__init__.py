"""Settings package. `manage.py`, `wsgi.py` and pytest pick a module by DJANGO_ENV:
portal.settings.development (default), .production or .test."""
