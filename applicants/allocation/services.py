"""Earlier participation of a person or their household (same KK): the one computation behind the
evidence that the eligibility check, the interviewer and the award step show.

For a list of applications it reads, in four queries whatever the list's length: classes (enrolments,
graduated or not), individual capital awards (proposed, approved or handed over), KUB groups that
received group capital (approved or handed over), and earlier-recipient lists of other programs
(PENA, KUBE...). A match by KK names nobody: it reads "another KK member" with a masked NIK. Evidence
never decides anything; the rule for a second package lives in `CapitalAward.check_second_award`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Q
from django.utils.translation import gettext as _

from applicants.identity import mask_identity
from applicants.models import Application, CapitalAward, Enrolment, GroupMembership, RecipientListRecord

__all__ = ["Earlier", "earlier_participation", "earlier_for"]

TRAINED, AWARD, GROUP_AWARD, LISTED = "trained", "award", "group_award", "listed"
_GROUP_AWARD_STATES = (CapitalAward.State.APPROVED, CapitalAward.State.HANDED_OVER)


@dataclass(frozen=True)
class Earlier:
    kind: str
    same_person: bool
    who: str
    round: str
    program: str
    what: str

    @property
    def is_capital(self) -> bool:
        return self.kind in (AWARD, GROUP_AWARD)


def _rupiah(value: int) -> str:
    return "Rp " + f"{value:,}".replace(",", ".")


def earlier_participation(applications: Iterable[Application]) -> dict[int, list[Earlier]]:
    """application pk -> what the person or their KK received before (or elsewhere in this round).

    `applications` need their applicant loaded (select_related). The application's own class and
    award are not evidence about it and are left out."""
    applications = [a for a in applications if a is not None]
    if not applications:
        return {}
    people = {a.applicant_id: a.applicant for a in applications}
    kks = {p.kk_number for p in people.values() if p.kk_number}
    niks = {p.nik for p in people.values()}
    household = Q(application__applicant_id__in=people) | Q(application__applicant__kk_number__in=kks)

    enrolments = list(Enrolment.objects.filter(household).select_related(
        "application__applicant", "cohort__program", "cohort__intake").order_by("enrolled_at", "pk"))
    awards = list(CapitalAward.objects.filter(
        Q(enrolment__application__applicant_id__in=people) | Q(enrolment__application__applicant__kk_number__in=kks),
        group__isnull=True,
    ).exclude(state=CapitalAward.State.CANCELLED).select_related(
        "enrolment__application__applicant", "intake", "package", "enrolment__cohort__program").order_by("pk"))
    memberships = list(GroupMembership.objects.filter(
        Q(applicant_id__in=people) | Q(applicant__kk_number__in=kks), group__awards__state__in=_GROUP_AWARD_STATES,
    ).values_list(
        "enrolment__application_id", "applicant_id", "applicant__nik", "applicant__kk_number", "group__name",
        "group__intake__name", "group__business_type", "group__awards__package__name",
        "group__awards__value_rupiah", "group__awards__state",
    ).order_by("group_id"))
    listed = list(RecipientListRecord.objects.filter(
        Q(nik__in=niks) | Q(kk_number__in=kks), batch__state="done",
    ).values_list("nik", "kk_number", "program", "year").distinct().order_by("year", "program", "nik"))

    result: dict[int, list[Earlier]] = defaultdict(list)
    for application in applications:
        person = application.applicant

        def who(applicant_id, nik, _person=person):
            if applicant_id == _person.pk or nik == _person.nik:
                return True, _("this person")
            return False, _("another KK member (NIK %(nik)s)") % {"nik": mask_identity(nik)}

        def related(applicant_id, nik, kk, _person=person) -> bool:
            return applicant_id == _person.pk or nik == _person.nik or (bool(kk) and kk == _person.kk_number)

        out = result[application.pk]
        for enrolment in enrolments:
            other = enrolment.application.applicant
            if enrolment.application_id == application.pk or not related(other.pk, other.nik, other.kk_number):
                continue
            same, label = who(other.pk, other.nik)
            out.append(Earlier(TRAINED, same, label, enrolment.cohort.intake.name, enrolment.cohort.program.name,
                               _("class %(cohort)s (%(status)s)") % {
                                   "cohort": enrolment.cohort.name, "status": enrolment.get_status_display()}))
        for award in awards:
            other = award.enrolment.application.applicant
            if award.enrolment.application_id == application.pk or not related(other.pk, other.nik, other.kk_number):
                continue
            same, label = who(other.pk, other.nik)
            out.append(Earlier(AWARD, same, label, award.intake.name, award.enrolment.cohort.program.name,
                               _("capital package %(package)s, %(value)s (%(state)s)") % {
                                   "package": award.package.name, "value": _rupiah(award.value_rupiah),
                                   "state": award.get_state_display()}))
        for (app_id, applicant_id, nik, kk, group, intake, business, package, value, state) in memberships:
            if app_id == application.pk or not related(applicant_id, nik, kk):
                continue
            same, label = who(applicant_id, nik)
            out.append(Earlier(GROUP_AWARD, same, label, intake, business,
                               _("member of KUB %(group)s, group capital %(package)s, %(value)s (%(state)s)") % {
                                   "group": group, "package": package, "value": _rupiah(value),
                                   "state": CapitalAward.State(state).label}))
        for nik, kk, program, year in listed:
            if not related(None, nik, kk):
                continue
            same, label = who(None, nik)
            out.append(Earlier(LISTED, same, label, str(year), program,
                               _("listed as a recipient of %(program)s %(year)s") % {"program": program, "year": year}))
    return dict(result)


def earlier_for(application: Application | None) -> list[Earlier]:
    """The evidence for one application (an object screen)."""
    if application is None:
        return []
    return earlier_participation([application]).get(application.pk, [])
