"""Settings shared by every environment. Everything deployment-specific comes from the environment."""

import base64
import hashlib
import re
from pathlib import Path

import dj_database_url
from csp.constants import NONCE
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from .env import env_bool, env_int, env_list, env_str

PROJECT_DIR = Path(__file__).resolve().parent.parent  # site/ (imported as `portal`)
BASE_DIR = PROJECT_DIR.parent  # the repository root (site-packages in an installed wheel)
# The site-wide templates/, static/ and locale/ sit at the repository root in a checkout; a wheel
# carries them inside the `portal` package (pyproject.toml maps them there).
ASSETS_DIR = PROJECT_DIR if (PROJECT_DIR / "templates").is_dir() else BASE_DIR
# Data (SQLite file, uploads, collected static files): var/ of the checkout, or of the working
# directory for an installed wheel, which has no repository to put it in.
IN_CHECKOUT = (BASE_DIR / "manage.py").is_file()
VAR_DIR = Path(env_str("SIGAP_VAR_DIR", str((BASE_DIR if IN_CHECKOUT else Path.cwd()) / "var")))

# --- Core -------------------------------------------------------------------------------------
SECRET_KEY = env_str("SECRET_KEY")
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "public_pages",
    "applicants",
    "programs",
    "wagtail_modeladmin",
    "wagtail.contrib.settings",
    "wagtail.contrib.sitemaps",
    "wagtail.contrib.redirects",
    "wagtail.contrib.search_promotions",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    "django_tables2",
    "django_filters",
    "django_tasks",
    "django_tasks_db",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "axes",
    "csp",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "portal.security.SigapCSPMiddleware",
    "portal.security.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Before sessions, CSRF and auth: a cached anonymous page is answered without them (public_pages/cache.py).
    "public_pages.middleware.PublicPageCacheMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # Indonesian for every URL without a language prefix, English under /en/ (site/urls.py).
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "applicants.privacy.security_events.PermissionDeniedLogMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
    # Last, as django-axes asks: turns a refused login on paths other than Wagtail's form into a 429.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [ASSETS_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "csp.context_processors.nonce",
                "wagtail.contrib.settings.context_processors.settings",
            ],
        },
    },
]

# --- Database ---------------------------------------------------------------------------------
# DATABASE_URL selects the database; the default is the embedded SQLite file under var/.
DATABASE_URL = env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'db.sqlite3'}")
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=env_int("DB_CONN_MAX_AGE", 0))}

SQLITE_OPTIONS = {
    # Measured (docs/architecture.md, FIELD-NOTES): WAL + IMMEDIATE transactions + a busy timeout make
    # concurrent public-form writes queue for the one write lock instead of failing with
    # "database is locked". DEFERRED transactions fail at once when a read lock must be upgraded.
    "transaction_mode": "IMMEDIATE",
    "timeout": 20,
    "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"].setdefault("OPTIONS", {}).update(SQLITE_OPTIONS)

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache ------------------------------------------------------------------------------------
# The rate limiter of the public forms keeps its counters here, and anonymous public pages are served
# from here (public_pages/cache.py). The database cache is shared by every app-server process (gunicorn
# workers, several servers); `locmem` is per process. MAX_ENTRIES: Django culls a third of the table
# when it is full (default 300), which would drop rate-limit counters along with pages.
CACHE_BACKEND = env_str("CACHE_BACKEND", "db")
if CACHE_BACKEND == "locmem":
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "sigap_cache",
            "OPTIONS": {"MAX_ENTRIES": 5000},
        }
    }
# Public pages: how long the server keeps a rendered page (any publish starts afresh at once), and the
# max-age (browsers and proxies) of the Cache-Control header on those pages. 0 turns the page cache off.
PUBLIC_PAGE_CACHE_SECONDS = env_int("PUBLIC_PAGE_CACHE_SECONDS", 600)
PUBLIC_PAGE_MAX_AGE = env_int("PUBLIC_PAGE_MAX_AGE", 60)
# The home figures are counted again at least this often (bulk updates of delivery records send no signal).
FIGURES_RECHECK_SECONDS = env_int("FIGURES_RECHECK_SECONDS", 60)
# Wagtail writes every image rendition it looks up to the "renditions" cache on every page view;
# on the database cache that is one write transaction per image per request (SQLite write lock).
# Renditions also live in the database, so a small per-process memory cache is enough.
CACHES["renditions"] = {
    "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
    "OPTIONS": {"MAX_ENTRIES": 2000},
}

# --- Passwords and sessions -------------------------------------------------------------------
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 8 * 60 * 60)  # one working day
SESSION_SAVE_EVERY_REQUEST = True  # the admin session times out after SESSION_COOKIE_AGE idle

# --- Language, time, money --------------------------------------------------------------------
# Indonesian is the default for everyone, whatever the browser asks for: public pages are Indonesian
# at their usual URLs and English under /en/ (i18n_patterns without a prefix for the default, so
# LocaleMiddleware never follows Accept-Language); admin users pick their own language in Wagtail's
# account preferences. Strings are English in the code, Indonesian in locale/ (docs/translations.md).
LANGUAGE_CODE = "id"
LANGUAGES = [("id", _("Indonesian")), ("en", _("English"))]
WAGTAIL_I18N_ENABLED = False
WAGTAILADMIN_PERMITTED_LANGUAGES = LANGUAGES
LOCALE_PATHS = [ASSETS_DIR / "locale"]
TIME_ZONE = "Asia/Jakarta"
USE_I18N = True
USE_TZ = True
USE_THOUSAND_SEPARATOR = True

# --- Static and media -------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(VAR_DIR / "static")))
STATICFILES_DIRS = [ASSETS_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(VAR_DIR / "media")))
# Serve public images from MEDIA_ROOT through Django (turn off when a proxy serves /media/images/).
SERVE_PUBLIC_MEDIA = env_bool("SERVE_PUBLIC_MEDIA", True)
# Private uploads (signed handover documents, ID photos) live outside MEDIA_ROOT and are only served
# through permission-checked views.
PRIVATE_MEDIA_ROOT = Path(env_str("PRIVATE_MEDIA_ROOT", str(VAR_DIR / "private")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# Request size: public forms are small; admin uploads (register extracts) are bounded separately.
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("DATA_UPLOAD_MAX_MEMORY_SIZE", 2 * 1024 * 1024)
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
DATA_UPLOAD_MAX_NUMBER_FIELDS = 10_000

# --- Email ------------------------------------------------------------------------------------
EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Sigap Kerja <noreply@localhost>")

# --- Wagtail ----------------------------------------------------------------------------------
WAGTAIL_SITE_NAME = "Sigap Kerja"
WAGTAILADMIN_BASE_URL = env_str("WAGTAILADMIN_BASE_URL", "http://127.0.0.1:8000")
# The database backend picks its implementation by database vendor (modelsearch.backends.database):
# PostgreSQL full-text search (tsvector, ranking) on PostgreSQL, FTS5 on SQLite. SEARCH_CONFIG is read by
# the PostgreSQL one only: Indonesian stemming ("pelatihan" finds "latih"; PostgreSQL >= 13).
WAGTAILSEARCH_BACKENDS = {
    "default": {"BACKEND": "wagtail.search.backends.database", "SEARCH_CONFIG": "indonesian"}
}
WAGTAILDOCS_EXTENSIONS = ["csv", "docx", "odt", "pdf", "txt", "xlsx"]
WAGTAILDOCS_MAX_UPLOAD_SIZE = 10 * 1024 * 1024
WAGTAILIMAGES_MAX_UPLOAD_SIZE = 10 * 1024 * 1024
WAGTAIL_ENABLE_UPDATE_CHECK = False  # no network at run time
WAGTAIL_ENABLE_WHATS_NEW_BANNER = False

WAGTAIL_GRAVATAR_PROVIDER_URL = None  # no request to gravatar.com from every admin page (and CSP img-src)

# --- Content-Security-Policy and Permissions-Policy (portal.security) ---------------------------
def _inline_style_hash(template: Path) -> str:
    """The CSP source for the one <style> block of a template that renders without a request."""
    css = re.search(r"<style>(.*?)</style>", template.read_text(encoding="utf-8"), re.S).group(1)
    digest = base64.b64encode(hashlib.sha256(css.encode()).digest()).decode()
    return f"'sha256-{digest}'"


# Public pages: nothing inline runs; an inline <style> needs the request's nonce ({{ CSP_NONCE }}).
# The 500 page renders without a request, so its one <style> block is allowed by its hash.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", NONCE, _inline_style_hash(ASSETS_DIR / "templates" / "500.html")],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}
# The Wagtail admin (and page previews, served under /admin/): inline scripts and styles are Wagtail's
# own; blob: and data: for image and document previews; frames of its own previews.
CSP_ADMIN_PATH_PREFIXES = ["/admin/"]
CONTENT_SECURITY_POLICY_ADMIN = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'", "'unsafe-inline'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:", "blob:"],
        "font-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "frame-src": ["'self'"],
        "worker-src": ["'self'", "blob:"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'self'"],
    },
}
PERMISSIONS_POLICY = {
    feature: [] for feature in (
        "accelerometer", "autoplay", "camera", "display-capture", "encrypted-media", "geolocation",
        "gyroscope", "magnetometer", "microphone", "midi", "payment", "publickey-credentials-get",
        "screen-wake-lock", "serial", "usb", "xr-spatial-tracking",
    )
}

# Backups (scripts/backup.sh): JSON that tolerates audit-log entries of deleted pages.
SERIALIZATION_MODULES = {"backupjson": "portal.backup_serializer"}

# --- Background tasks -------------------------------------------------------------------------
# Wagtail's own tasks stay immediate (as before); large register exports use the database queue,
# run by `manage.py db_worker --backend exports` (started by `make run`).
TASKS = {
    "default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"},
    "exports": {"BACKEND": "django_tasks_db.DatabaseBackend"},
}

# --- Application settings ---------------------------------------------------------------------
# Public-form rate limit per client ("10/m", "100/h", or "off").
# A kelurahan office registering residents shares one address: raise it there (docs/intake.md).
INTAKE_RATE_LIMIT = env_str("INTAKE_RATE_LIMIT", "10/m")
# Joint business groups (KUB): member bounds.
KUB_MIN_MEMBERS = env_int("KUB_MIN_MEMBERS", 5)
KUB_MAX_MEMBERS = env_int("KUB_MAX_MEMBERS", 10)
# A KUB with no monthly report of a meeting for this many whole months is dormant (docs/delivery.md).
KUB_DORMANT_MONTHS = env_int("KUB_DORMANT_MONTHS", 3)

# --- Personal data protection (docs/privacy.md) -----------------------------------------------
# Admin login lock-out (django-axes, applicants/privacy/login_security.py): this many failures from one
# client address, whatever the usernames (password spraying), lock that address for this long after
# the last failure. Admins unlock under Settings > Login terkunci.
AUTHENTICATION_BACKENDS = [
    "applicants.privacy.login_security.AddressLockBackend",  # first: refuses a locked address on every login path
    "django.contrib.auth.backends.ModelBackend",
]
WAGTAILADMIN_USER_LOGIN_FORM = "applicants.privacy.login_security.ThrottledLoginForm"
LOGIN_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5)
LOGIN_LOCKOUT_SECONDS = env_int("LOGIN_LOCKOUT_SECONDS", 15 * 60)
AXES_FAILURE_LIMIT = "applicants.privacy.login_security.failure_limit"
AXES_COOLOFF_TIME = "applicants.privacy.login_security.cool_off"
AXES_LOCKOUT_PARAMETERS = ["ip_address"]  # one limit per address covers one username from it as well
AXES_CLIENT_IP_CALLABLE = "applicants.privacy.login_security.client_ip"
AXES_USERNAME_CALLABLE = "applicants.privacy.login_security.normalised_username"
AXES_LOCKOUT_CALLABLE = "applicants.privacy.login_security.lockout_response"
AXES_RESET_ON_SUCCESS = True
AXES_ENABLE_ADMIN = False  # Django's admin is not where staff work; Wagtail has its own screen
# Retention (`manage.py apply_retention`): years after the latest application.
RETENTION_NOT_ENROLLED_YEARS = env_int("RETENTION_NOT_ENROLLED_YEARS", 2)
RETENTION_ARCHIVE_YEARS = env_int("RETENTION_ARCHIVE_YEARS", 10)
RETENTION_REGISTER_YEARS = env_int("RETENTION_REGISTER_YEARS", 2)  # rows of superseded register extracts
RETENTION_REJECTED_ROWS_DAYS = env_int("RETENTION_REJECTED_ROWS_DAYS", 90)  # rejected rows of any extract
RETENTION_UNFINISHED_IMPORT_HOURS = env_int("RETENTION_UNFINISHED_IMPORT_HOURS", 24)  # "processing" batches
RETENTION_EXPORT_DAYS = env_int("RETENTION_EXPORT_DAYS", 7)  # background export files and their jobs
RETENTION_LOGIN_LOG_DAYS = env_int("RETENTION_LOGIN_LOG_DAYS", 180)  # axes' log of staff logins (user, IP)
PRIVATE_UPLOAD_MAX_MB = env_int("PRIVATE_UPLOAD_MAX_MB", 10)
# Data-subject requests: hours from receipt to the deadline. UU PDP 27/2022 gives the controller 3 x 24
# hours to give access, correct data and restrict processing; erasure gets 14 days here (a default to
# confirm with the legal office, docs/privacy.md).
SUBJECT_REQUEST_DEADLINE_HOURS = {
    "access": env_int("SUBJECT_REQUEST_ACCESS_HOURS", 72),
    "rectification": env_int("SUBJECT_REQUEST_RECTIFICATION_HOURS", 72),
    "restriction": env_int("SUBJECT_REQUEST_RESTRICTION_HOURS", 72),
    "erasure": env_int("SUBJECT_REQUEST_ERASURE_HOURS", 14 * 24),
}
# Complaints and objections (docs/complaints.md): days from receipt to the deadline, per category
# ("default" for the rest); a suspected wrong recipient is checked before the capital is handed over.
COMPLAINT_SLA_DAYS = {
    "default": env_int("COMPLAINT_SLA_DAYS", 14),
    "wrong_recipient": env_int("COMPLAINT_SLA_WRONG_RECIPIENT_DAYS", 7),
}
# Closed complaints lose their text, contact and link to the application this many years after closing.
RETENTION_COMPLAINT_YEARS = env_int("RETENTION_COMPLAINT_YEARS", 2)
# Take the client address for the rate limit and the login lock-out from X-Forwarded-For (only behind a
# proxy that sets it).
TRUST_X_FORWARDED_FOR = env_bool("TRUST_X_FORWARDED_FOR", False)
# Largest welfare-register extract an editor may upload in the admin (the command line has no limit).
WELFARE_IMPORT_MAX_UPLOAD_MB = env_int("WELFARE_IMPORT_MAX_UPLOAD_MB", 200)
# Limits every extract must keep (admin and command line); a file past one is refused with a message.
WELFARE_IMPORT_MAX_COLUMNS = env_int("WELFARE_IMPORT_MAX_COLUMNS", 100)
WELFARE_IMPORT_MAX_CELL_CHARS = env_int("WELFARE_IMPORT_MAX_CELL_CHARS", 1000)
WELFARE_IMPORT_MAX_ROWS = env_int("WELFARE_IMPORT_MAX_ROWS", 2_000_000)
WELFARE_IMPORT_MAX_UNPACKED_MB = env_int("WELFARE_IMPORT_MAX_UNPACKED_MB", 1024)  # xlsx parts, unzipped
WELFARE_IMPORT_MAX_SHARED_STRINGS_MB = env_int("WELFARE_IMPORT_MAX_SHARED_STRINGS_MB", 64)  # held in memory
# A processing import that has not written progress for this long is dead (worker killed): cleanup
# (`manage.py cleanup_imports`, also run before each import) marks it failed and removes its rows.
WELFARE_IMPORT_STALE_MINUTES = env_int("WELFARE_IMPORT_STALE_MINUTES", 15)
# Imports read but never confirmed are cancelled (their rows removed) after this many days.
WELFARE_IMPORT_UNCONFIRMED_DAYS = env_int("WELFARE_IMPORT_UNCONFIRMED_DAYS", 7)
# Register exports with more rows than this run as a background job instead of in the request.
REGISTER_EXPORT_ASYNC_THRESHOLD = env_int("REGISTER_EXPORT_ASYNC_THRESHOLD", 20000)

# --- Logging ----------------------------------------------------------------------------------
# Everything goes to stdout. LOG_FORMAT=json writes one JSON object per line (portal.jsonlog) for log
# collectors; production defaults to json, development and tests to plain text.
LOG_LEVEL = env_str("LOG_LEVEL", "INFO")


def logging_config(log_format: str, level: str = LOG_LEVEL) -> dict:
    """Django LOGGING dict writing to stdout as `text` or `json`."""
    if log_format not in {"text", "json"}:
        raise ImproperlyConfigured(f"LOG_FORMAT must be text or json, got {log_format!r}")
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {
            "text": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
            "json": {"()": "portal.jsonlog.JsonFormatter"},
        },
        # NIK/KK searches reach the request logs through query strings: every line is masked.
        "filters": {"mask_identity": {"()": "portal.jsonlog.MaskIdentityFilter"}},
        "handlers": {
            "console": {
                "class": "logging.StreamHandler",
                "stream": "ext://sys.stdout",
                "formatter": log_format,
                "filters": ["mask_identity"],
            }
        },
        "root": {"handlers": ["console"], "level": level},
        # django-axes logs every login at INFO; its warnings (repeated failures) and our sigap.security
        # events are what an operator needs.
        "loggers": {"django.db.backends": {"level": "WARNING"}, "django_tasks": {"level": "WARNING"},
                    "axes": {"level": "WARNING"}},
    }


LOGGING = logging_config(env_str("LOG_FORMAT", "text"))
