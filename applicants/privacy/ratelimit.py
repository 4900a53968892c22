"""A per-client rate limit for the public forms, kept in Django's cache.

Setting `INTAKE_RATE_LIMIT` (environment variable of the same name): "<count>/<unit>" with unit s, m, h
or d ("10/m", "300/h"), or "off". Counters live in the default cache, so with the database cache every
gunicorn worker shares them. A kelurahan office registering many residents from one connection shares
one public address: raise the limit for such a deployment (e.g. "300/h"), or have office staff log in
(logged-in staff with admin access are never limited). The client address is REMOTE_ADDR; behind a
reverse proxy that sets X-Forwarded-For, turn on `TRUST_X_FORWARDED_FOR` (never without such a proxy:
clients could forge the header and dodge the limit).
"""

import logging
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured

# The same logger and fields as applicants.privacy.security_events (which builds on this module).
security_log = logging.getLogger("sigap.security")
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


@dataclass(frozen=True)
class Rate:
    count: int
    seconds: int


def parse_rate(text: str) -> Rate | None:
    """"10/m" -> Rate(10, 60); "off" (or empty) -> None."""
    text = (text or "").strip().lower()
    if text in {"", "off", "0", "none", "false"}:
        return None
    try:
        count, unit = text.split("/")
        return Rate(int(count), _UNITS[unit.strip()[-1]] * int(unit.strip()[:-1] or 1))
    except (ValueError, KeyError, IndexError):
        raise ImproperlyConfigured(
            f"INTAKE_RATE_LIMIT must look like '10/m', '300/h' or 'off', got {text!r}"
        ) from None


def client_address(request) -> str:
    if getattr(settings, "TRUST_X_FORWARDED_FOR", False):
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded:
            # The proxy appends the address it saw last; that one is the one it vouches for.
            return forwarded.split(",")[-1].strip()
    return request.META.get("REMOTE_ADDR", "") or "unknown"


def is_exempt(request) -> bool:
    user = getattr(request, "user", None)
    return bool(user and user.is_authenticated and (user.is_staff or user.has_perm("wagtailadmin.access_admin")))


def hit(request, scope: str) -> bool:
    """Count one request of this client in `scope`; False when the client is over the limit."""
    rate = parse_rate(getattr(settings, "INTAKE_RATE_LIMIT", "off"))
    if rate is None or is_exempt(request):
        return True
    window = int(time.time() // rate.seconds)
    key = f"sigap-rl:{scope}:{client_address(request)}:{window}"
    # add() is a no-op when the key exists; incr() is atomic on Redis/Memcached and close enough on the
    # database and local-memory caches for an abuse limit.
    cache.add(key, 0, timeout=rate.seconds + 1)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add() and incr()
        cache.set(key, 1, timeout=rate.seconds + 1)
        count = 1
    if count == rate.count + 1:
        # The first refusal of this client in the window: one line per burst, not one per request.
        security_log.warning(
            "rate_limited: batas %s terlampaui", scope,
            extra={"event": "rate_limited", "client": client_address(request), "method": request.method,
                   "path": request.path, "scope": scope, "limit": rate.count},
        )
    return count <= rate.count
