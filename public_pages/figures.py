"""Headline figures on the home page, computed from the records (never typed in by hand).

Counting them is three aggregate queries over the delivery records: each process keeps the last answer
and counts again at most every FIGURES_RECHECK_SECONDS, or at once after a delivery record is saved
(public_pages/signals.py). When the numbers differ from the ones the cached pages show (kept in the
shared cache), the public site gets a new generation, so the home page never shows old figures for long.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache as shared
from django.utils.translation import gettext_lazy as _

from . import cache

SHOWN_KEY = "public_pages:figures"
_local: dict[str, tuple[float, dict[str, int]]] = {}
_lock = threading.Lock()


@dataclass(frozen=True)
class Figure:
    key: str
    label: str
    value: int


def _count() -> dict[str, int]:
    # On use: public_pages.models imports this module while apps load, before applicants' models exist.
    from applicants.dashboard import public_figures

    return public_figures()


def recheck() -> dict[str, int]:
    """Count now; start a new generation when the numbers differ from the ones pages show."""
    numbers = _count()
    with _lock:
        _local["numbers"] = (time.monotonic(), numbers)
    shown = shared.get(SHOWN_KEY)
    if shown != numbers:
        shared.set(SHOWN_KEY, numbers, timeout=None)
        if shown is not None:
            cache.invalidate()
    return numbers


def current_numbers() -> dict[str, int]:
    seconds = getattr(settings, "FIGURES_RECHECK_SECONDS", 60)
    hit = _local.get("numbers")
    if hit is not None and time.monotonic() - hit[0] < seconds:
        return hit[1]
    return recheck()


def clear_local() -> None:
    with _lock:
        _local.clear()


def home_figures() -> list[Figure]:
    """Participants trained, capital packages handed over, businesses still running; zeros are left out.

    All three come from the delivery records (`applicants.dashboard.public_figures`)."""
    numbers = current_numbers()
    figures = [
        Figure("trained", _("participants trained"), numbers["participants_trained"]),
        Figure("capital_packages", _("business capital packages handed over"), numbers["packages_awarded"]),
        Figure("businesses", _("alumni businesses still running"), numbers["businesses_running"]),
    ]
    return [f for f in figures if f.value]
