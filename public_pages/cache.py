"""Public pages from the shared cache, and the site data every render reuses (docs/public-site.md).

One *generation* number in the shared cache (`CACHE_BACKEND`) stands for "the public site as it is now".
Publishing, unpublishing, moving or deleting a page, and a change of what pages show (settings, sites,
view restrictions, intakes, programs, home figures) start a new generation (`invalidate()`, wired in
public_pages/signals.py). Two things hang off it:

- `PublicPageCacheMiddleware` (middleware.py): a finished anonymous GET of a Wagtail page is stored under
  its URL with the generation and the Jakarta date; a later anonymous GET of the same URL in the same
  generation and on the same date is answered from the cache before the session, CSRF and auth middleware
  run. Responses that set a cookie, used a CSRF token, or say private/no-store (forms, status and
  thank-you pages) are never stored, nor is anything asked for with a session cookie (editors,
  password-restricted pages).
- `memoized()`: per-process copies (site, menu, view restrictions, contact settings, pages by path,
  breadcrumbs, card and image markup) reused by every render until the generation changes, so an
  uncached page does not look them up again.
"""

from __future__ import annotations

import contextvars
import hashlib
import threading
import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import DisallowedHost
from django.utils.cache import patch_cache_control

GENERATION_KEY = "public_pages:generation"
ENTRY_PREFIX = "public_pages:page:"
# Query parameters the public pages understand; any other (tracking tags, cache busters) is served but
# not stored, so nobody can fill the cache with endless variants of one URL.
CACHEABLE_QUERY_KEYS = frozenset({"page", "tag"})
MAX_CACHEABLE_QUERY = 100
# Never looked up in the page cache: these are never Wagtail pages.
SKIPPED_PREFIXES = ("/admin/", "/healthz", "/static/", "/media/", "/documents/", "/cari/")
_NO_STORE_DIRECTIVES = ("private", "no-store", "no-cache")

request_generation: contextvars.ContextVar[int | None] = contextvars.ContextVar(
    "public_pages_generation", default=None
)
_memo: dict[str, tuple[int, float | None, Any]] = {}
_memo_lock = threading.Lock()


# --- generation -----------------------------------------------------------------------------------
def _new_generation() -> int:
    return time.time_ns()


def current_generation() -> int:
    """The generation of this request (read once by the middleware), else the one in the cache."""
    value = request_generation.get()
    if value is not None:
        return value
    return read_generation(cache.get(GENERATION_KEY))


def read_generation(value) -> int:
    if value is not None:
        return value
    # Missing (first start, or evicted): a new number, so nothing stored before can be served again.
    value = _new_generation()
    if not cache.add(GENERATION_KEY, value, timeout=None):
        value = cache.get(GENERATION_KEY) or value
    return value


def invalidate() -> None:
    """Every cached public page and every per-process copy is stale from now on, in every process."""
    value = _new_generation()
    cache.set(GENERATION_KEY, value, timeout=None)
    if request_generation.get() is not None:
        request_generation.set(value)
    with _memo_lock:
        _memo.clear()


def memoized(name: str, compute: Callable[[], Any], seconds: float | None = None) -> Any:
    """`compute()` once per process and generation (and at most `seconds` old, when given, for data that
    changes with the clock). Only for data whose changes start a new generation (signals.py)."""
    generation = current_generation()
    hit = _memo.get(name)
    now = time.monotonic()
    if hit is not None and hit[0] == generation and (hit[1] is None or now < hit[1]):
        return hit[2]
    value = compute()
    with _memo_lock:
        _memo[name] = (generation, None if seconds is None else now + seconds, value)
    return value


def clear_local() -> None:
    """Forget the per-process copies (tests start each case from an empty cache)."""
    with _memo_lock:
        _memo.clear()


# --- page cache -----------------------------------------------------------------------------------
def cache_seconds() -> int:
    return getattr(settings, "PUBLIC_PAGE_CACHE_SECONDS", 600)


def entry_key(request) -> str | None:
    """The cache key of this request, or None when it may neither be served from nor stored in the cache."""
    if request.method not in ("GET", "HEAD") or cache_seconds() <= 0:
        return None
    if settings.SESSION_COOKIE_NAME in request.COOKIES:
        return None
    path = request.path
    if path.startswith(SKIPPED_PREFIXES):
        return None
    query = request.META.get("QUERY_STRING", "")
    if query:
        if len(query) > MAX_CACHEABLE_QUERY or not set(request.GET) <= CACHEABLE_QUERY_KEYS:
            return None
        query = "&".join(f"{key}={value}" for key, value in sorted(request.GET.items()))
    try:
        host = request.get_host()
    except DisallowedHost:
        return None  # CommonMiddleware answers 400
    raw = f"{host}|{path}|{query}"
    return ENTRY_PREFIX + hashlib.sha256(raw.encode()).hexdigest()


def storable(request, response) -> bool:
    if request.method != "GET" or response.status_code != 200 or response.streaming:
        return False
    match = getattr(request, "resolver_match", None)
    if match is None or match.url_name != "wagtail_serve":
        return False
    if response.cookies or request.META.get("CSRF_COOKIE_NEEDS_UPDATE"):
        return False  # a form (CSRF token) or anything else tied to this visitor
    cache_control = response.get("Cache-Control", "").lower()
    return not any(directive in cache_control for directive in _NO_STORE_DIRECTIVES)


def add_public_headers(response) -> None:
    max_age = getattr(settings, "PUBLIC_PAGE_MAX_AGE", 60)
    patch_cache_control(response, public=True, max_age=max_age, s_maxage=max_age)
