"""Test runs: fast hashing, local cache, no rate limit unless a test turns it on."""

from .base import *  # noqa: F403

SECRET_KEY = "test-only-not-secret"  # noqa: S105
DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# A local cache per process, unless a test server runs several processes that must share the page
# cache's generation (the browser tests' gunicorn: CACHE_BACKEND=db, as in production).
if env_str("CACHE_BACKEND", "") != "db":  # noqa: F405
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}  # noqa: F405
INTAKE_RATE_LIMIT = "off"
TASKS = {  # background exports run in-process during tests
    "default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"},
    "exports": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"},
}
