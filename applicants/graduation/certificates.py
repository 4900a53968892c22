"""Completion certificates: issuing them for one graduate or a whole class, and their QR code.

The QR code is drawn locally (segno, SVG) and encodes the public verification URL with the random
token; the page behind it shows the first name only (public_pages.certificates).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import segno
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe

from applicants.models import Certificate, Enrolment
from programs.models import Cohort


@dataclass
class CohortIssueResult:
    issued: list[Certificate] = field(default_factory=list)
    refused: list[tuple[Enrolment, str]] = field(default_factory=list)


def issue_for_cohort(cohort: Cohort, user) -> CohortIssueResult:
    """A certificate for every graduate of the class who has none yet; each refusal reported by name."""
    result = CohortIssueResult()
    graduates = (
        cohort.enrolments.filter(status=Enrolment.Status.COMPLETED)
        .exclude(certificates__state=Certificate.State.VALID)
        .select_related("application__applicant", "cohort")
        .order_by("application__applicant__full_name")
    )
    for enrolment in graduates:
        try:
            result.issued.append(Certificate.issue(enrolment, user))
        except ValidationError as exc:
            result.refused.append((enrolment, " ".join(exc.messages)))
    return result


def verification_path(certificate: Certificate) -> str:
    return reverse("certificate_verify", args=[certificate.token])


def qr_svg(url: str) -> SafeString:
    """Inline SVG of the QR code; segno escapes nothing we pass but our own URL, built from a token."""
    return mark_safe(segno.make(url, error="m").svg_inline(scale=3))  # noqa: S308 - segno's own markup


def first_name(full_name: str) -> str:
    """What the public may read of a graduate's name."""
    return (full_name.split() or [""])[0].title()
