"""KUB joint business groups: forming a group of graduates and ending a membership."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from wagtail.log_actions import log

from applicants.models import Applicant, BusinessGroup, Enrolment, GroupMembership


def form_group(*, intake, name: str, business_type: str, kelurahan, enrolments: list[Enrolment], chair: Enrolment,
               user) -> BusinessGroup:
    """Create a KUB of graduates within the configured size bounds; each person in one active group only."""
    low, high = settings.KUB_MIN_MEMBERS, settings.KUB_MAX_MEMBERS
    ids = {e.pk for e in enrolments}
    if not low <= len(ids) <= high:
        raise ValidationError(_("A KUB must have %(low)s to %(high)s members.") % {"low": low, "high": high})
    if chair.pk not in ids:
        raise ValidationError({"chair": _("The chair must be one of the members.")})
    members = list(Enrolment.objects.filter(pk__in=ids).select_related("application", "cohort"))
    if any(m.status != Enrolment.Status.COMPLETED for m in members):
        raise ValidationError(_("KUB members must be training graduates."))
    if any(m.cohort.intake_id != intake.pk for m in members):
        raise ValidationError(_("All members must be from the same intake."))
    Applicant.ensure_processing_allowed_for(m.application.applicant_id for m in members)
    try:
        with transaction.atomic():
            group = BusinessGroup.objects.create(
                intake=intake, name=name, business_type=business_type, kelurahan=kelurahan, chair=chair
            )
            GroupMembership.objects.bulk_create([
                GroupMembership(group=group, enrolment=m, applicant_id=m.application.applicant_id) for m in members
            ])
            log(group, "sigap.group.form", user=user, data={"members": len(members)})
    except IntegrityError as exc:
        raise ValidationError(_("A member already belongs to another active KUB, or the KUB name is already taken.")) \
            from exc
    return group


def leave_group(membership: GroupMembership, user) -> None:
    """End a membership (keeps the history). A group below the minimum stays visible for the editor."""
    Applicant.ensure_processing_allowed_for([membership.applicant_id])
    membership.active, membership.left_at = False, timezone.now()
    with transaction.atomic():
        membership.save(update_fields=["active", "left_at"])
        log(membership.group, "sigap.group.leave", user=user, data={"enrolment": membership.enrolment_id})
