"""Headline figures on the home page, computed from the records (never typed in by hand)."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Figure:
    key: str
    label: str
    value: int


def home_figures() -> list[Figure]:
    """Participants trained, capital packages awarded, skills offered; a figure that is zero is left out.

    Two aggregate queries. "Trained" counts applications with status ``enrolled`` until the cohort
    model exists; capital packages are 0 until the awards model exists (then count awards here).
    """
    from applicants.enums import ApplicationStatus
    from applicants.models import Application
    from programs.models import Program

    trained = Application.objects.aggregate(
        n=Count("applicant", filter=Q(status=ApplicationStatus.ENROLLED), distinct=True)
    )["n"]
    capital_packages = 0  # replaced by an aggregate over the awards model when it exists
    skills = Program.objects.filter(is_active=True).count()
    figures = [
        Figure("trained", _("peserta telah dilatih"), trained),
        Figure("capital_packages", _("paket modal usaha diserahkan"), capital_packages),
        Figure("skills", _("jenis keterampilan"), skills),
    ]
    return [f for f in figures if f.value]
