"""Headline figures on the home page, computed from the records (never typed in by hand)."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Figure:
    key: str
    label: str
    value: int


def home_figures() -> list[Figure]:
    """Participants trained, capital packages handed over, businesses still running; zeros are left out.

    All three come from the delivery records (`applicants.dashboard.public_figures`), a few aggregate queries.
    """
    from applicants.dashboard import public_figures

    numbers = public_figures()
    figures = [
        Figure("trained", _("peserta telah dilatih"), numbers["participants_trained"]),
        Figure("capital_packages", _("paket modal usaha diserahkan"), numbers["packages_awarded"]),
        Figure("businesses", _("usaha alumni masih berjalan"), numbers["businesses_running"]),
    ]
    return [f for f in figures if f.value]
