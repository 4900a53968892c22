"""Search terms that hold an identity number never travel in a URL.

Register lists keep their state in the query string so a filtered list can be bookmarked, shared and
exported, but a NIK, KK or phone number in `?q=` reaches every access log and proxy on the way. The
list's form is therefore posted: a term with digits enough to be an identity or phone number is kept
in the user's session under a random key and the list is shown at `?qk=<key>` (a name still goes in
`?q=`, so a list of "Siti" can be shared). The key means nothing outside that session: a shared link
with one shows the list unsearched, with a note. Exports resolve the key while the request is there,
so a background export job stores the term itself, as a GET search would (retention clears them).
"""

from __future__ import annotations

import secrets
from collections import OrderedDict

SEALED_SEARCH_PARAM = "qk"
SESSION_KEY = "register_sealed_searches"
# Enough for a morning's searches in several tabs; the oldest go first.
KEEP = 30
# Six digits: a partial NIK/KK, a phone number or an application reference; no name has that many.
MIN_DIGITS = 6


def needs_sealing(term: str) -> bool:
    return sum(ch.isdigit() for ch in term) >= MIN_DIGITS


def seal(request, term: str) -> str:
    stored = OrderedDict(request.session.get(SESSION_KEY) or {})
    for key, value in stored.items():
        if value == term:
            return key
    key = secrets.token_urlsafe(9)
    stored[key] = term
    while len(stored) > KEEP:
        stored.popitem(last=False)
    request.session[SESSION_KEY] = dict(stored)
    return key


def unseal(request, key: str) -> str | None:
    if request is None or not hasattr(request, "session"):
        return None
    value = (request.session.get(SESSION_KEY) or {}).get(key)
    return value if isinstance(value, str) else None
