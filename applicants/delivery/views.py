"""Admin screens for delivery: classes, attendance, scores, ranking, awards, KUB and follow-ups.

Thin views over `delivery_services` and the model methods; they look native by extending Wagtail's
generic admin template. The lead may later move the lists onto the shared register machinery.

Personal data (docs/privacy.md): every view is behind `staff_view` (a real 403 for comms, interviewers and
anyone without the permission; POST needs the change permission, so auditors stay read-only); people are
narrowed by `applicants.privacy.access` (a kecamatan restriction holds in lists, exports and direct URLs); NIK/KK
are masked in exports for users without `view_full_identity`; every export is logged.
"""

from __future__ import annotations

import datetime
import functools

from django import forms
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.db.models import Count, Exists, OuterRef, Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from applicants.delivery import services
from applicants.delivery.xlsx import RUPIAH_FORMAT, build_sheet
from applicants.enums import ApplicationStatus
from applicants.models import Application, Attendance, BusinessGroup, CapitalAward, Enrolment, FollowUp, Interview
from applicants.privacy.access import (
    NONE,
    OWN_INTERVIEWS,
    reach,
    refuse,
    restricted_kecamatan_ids,
    scope_applications,
)
from applicants.privacy.audit import log_personal_data_access
from applicants.privacy.masking import mask_export_rows
from applicants.privacy.storage import serve_private_file
from programs.models import CapitalPackage, Cohort, CohortSession, Intake, Kelurahan

VIEW = "applicants.view_application"
CHANGE = "applicants.change_application"
AWARD_CHANGE = "applicants.change_capitalaward"
AWARD_VIEW = "applicants.view_capitalaward"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PAGE_SIZE = 200


def _render(request, template, title, context, icon="group"):
    return TemplateResponse(request, f"applicants/delivery/{template}",
                            {"page_title": title, "header_title": title, "header_icon": icon, **context})


def _xlsx(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _errors(request, exc: ValidationError) -> None:
    for message in exc.messages:
        messages.error(request, message)


def staff_view(view_perm: str, post_perm: str | None = None):
    """Gate a delivery view: `view_perm` to read, `post_perm` (default CHANGE) to POST; 403 otherwise.

    Anonymous users go to the login page. A user with no reach on personal data (comms) is refused even if
    an admin gave them a stray view permission."""
    post_perm = post_perm or CHANGE

    def decorator(view):
        @functools.wraps(view)
        def wrapped(request, *args, **kwargs):
            user = request.user
            if not user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not user.has_perm(view_perm) or reach(user) == NONE:
                return refuse(request)
            if request.method == "POST" and not user.has_perm(post_perm):
                return refuse(request)
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


def scope_enrolments(user, queryset):
    """Participants `user` may see. Plain joins, no subquery: PostgreSQL planned the `IN (subquery)` form
    under the class page's COUNT annotation so badly that one page took minutes."""
    level = reach(user)
    if level == NONE:
        return queryset.none()
    if level == OWN_INTERVIEWS:
        queryset = queryset.filter(
            Exists(Interview.objects.filter(application_id=OuterRef("application_id"), interviewer_id=user.pk))
        )
    kecamatan_ids = restricted_kecamatan_ids(user)
    if kecamatan_ids:
        queryset = queryset.filter(application__applicant__kelurahan__kecamatan_id__in=kecamatan_ids)
    return queryset


def scope_groups(user, queryset):
    """KUB groups in the user's kecamatan (a group has no single applicant: its kelurahan decides)."""
    kecamatan_ids = restricted_kecamatan_ids(user)
    return queryset.filter(kelurahan__kecamatan_id__in=kecamatan_ids) if kecamatan_ids else queryset


def scope_awards(user, queryset):
    kecamatan_ids = restricted_kecamatan_ids(user)
    if reach(user) == NONE:
        return queryset.none()
    if kecamatan_ids:
        queryset = queryset.filter(
            Q(enrolment__isnull=True) | Q(enrolment__application__applicant__kelurahan__kecamatan_id__in=kecamatan_ids)
        ).filter(Q(group__isnull=True) | Q(group__kelurahan__kecamatan_id__in=kecamatan_ids))
    return queryset


def _whole_cohort_visible(user, cohort) -> bool:
    """Class-wide actions (scores, completion, top-3) need every participant in the user's scope."""
    kecamatan_ids = restricted_kecamatan_ids(user)
    if not kecamatan_ids:
        return True
    hidden = cohort.enrolments.exclude(application__applicant__kelurahan__kecamatan_id__in=kecamatan_ids)
    return not hidden.exists()


# --- Classes ----------------------------------------------------------------------------------


@staff_view(VIEW)
def cohort_list(request):
    intakes = Intake.objects.order_by("-registration_opens")
    cohorts = (
        Cohort.objects.select_related("intake", "program")
        .annotate(n_active=Count("enrolments", filter=~Q(enrolments__status="withdrawn")))
        .order_by("-start_date", "name")
    )
    intake_id = request.GET.get("intake")
    if intake_id and intake_id.isdigit():
        cohorts = cohorts.filter(intake_id=intake_id)
    return _render(request, "cohort_list.html", _("Kelas pelatihan"), {
        "cohorts": cohorts[:PAGE_SIZE], "intakes": intakes, "intake_id": intake_id})


class SessionForm(forms.ModelForm):
    class Meta:
        model = CohortSession
        fields = ["number", "date", "topic"]
        widgets = {"date": forms.DateInput(attrs={"type": "date"})}


@staff_view(VIEW)
def cohort_detail(request, pk):
    cohort = get_object_or_404(Cohort.objects.select_related("intake", "program"), pk=pk)
    whole_class = _whole_cohort_visible(request.user, cohort)
    can_change = request.user.has_perm(CHANGE) and whole_class
    session_form = SessionForm(request.POST or None, prefix="s") if can_change else None
    if request.method == "POST":
        if not can_change:
            return refuse(request)
        action = request.POST.get("action")
        try:
            if action == "add_session" and session_form.is_valid():
                session = session_form.save(commit=False)
                session.cohort = cohort
                session.save()
                messages.success(request, _("Pertemuan ditambahkan."))
            elif action == "scores":
                scores = {}
                for key, value in request.POST.items():
                    if key.startswith("score-"):
                        scores[int(key[6:])] = int(value) if value.strip() else None
                services.save_scores(cohort, scores, request.user)
                messages.success(request, _("Nilai akhir disimpan."))
            elif action == "start":
                cohort.status = Cohort.Status.RUNNING
                cohort.save(update_fields=["status"])
            elif action == "complete":
                counts = services.complete_cohort(cohort, request.user, request.POST.get("early_reason", ""))
                messages.success(request, _("Kelas diselesaikan: %(completed)s lulus, %(not_completed)s tidak lulus.")
                                 % counts)
            elif action == "propose":
                if not request.user.has_perm(AWARD_CHANGE):
                    return refuse(request)
                package = get_object_or_404(CapitalPackage, pk=request.POST.get("package"))
                awards = services.propose_top3(cohort, request.user, package, request.POST.getlist("tie_pick"))
                messages.success(request, _("%(n)s usulan modal usaha dibuat.") % {"n": len(awards)})
            return redirect("delivery:cohort_detail", pk=cohort.pk)
        except (ValidationError, ValueError) as exc:
            _errors(request, exc if isinstance(exc, ValidationError) else ValidationError(str(exc)))
    enrolments = scope_enrolments(
        request.user,
        cohort.enrolments.select_related("application__applicant__kelurahan")
        .annotate(n_awards=Count("awards", filter=~Q(awards__state="cancelled")))
        .order_by("application__applicant__full_name"),
    )
    # The ranking names the whole class: only for users who may see every participant.
    ranking = services.rank_cohort(cohort) if cohort.status == Cohort.Status.COMPLETED and whole_class else None
    return _render(request, "cohort_detail.html", cohort.name, {
        "cohort": cohort,
        "enrolments": enrolments,
        "sessions": cohort.sessions.all(),
        "session_form": session_form,
        "ranking": ranking,
        "packages": CapitalPackage.objects.filter(program=cohort.program, active=True, for_groups=False),
        "can_change": can_change,
        "whole_class": whole_class,
    })


@staff_view(CHANGE)
def cohort_enrol(request, pk):
    """Accepted applicants of the class's intake whose first choice or recommended program matches."""
    cohort = get_object_or_404(Cohort.objects.select_related("intake", "program"), pk=pk)
    candidates = scope_applications(
        request.user,
        Application.objects.filter(intake=cohort.intake, status=ApplicationStatus.ACCEPTED)
        .filter(Q(program=cohort.program) | Q(interviews__recommended_program=cohort.program,
                                               interviews__decision="accept"))
        .select_related("applicant__kelurahan", "program")
        .distinct()
        .order_by("submitted_at"),
    )
    q = request.GET.get("q", "").strip()
    if q:
        candidates = candidates.filter(Q(reference__iexact=q) | Q(applicant__full_name__icontains=q))
    kel = request.GET.get("kelurahan", "")
    if kel.isdigit():
        candidates = candidates.filter(applicant__kelurahan_id=kel)
    if request.method == "POST":
        ids = [int(i) for i in request.POST.getlist("application") if i.isdigit()]
        result = services.bulk_enrol(candidates.filter(pk__in=ids), cohort, request.user)
        if result.enrolled:
            messages.success(request, _("%(n)s peserta didaftarkan.") % {"n": len(result.enrolled)})
        for application, reason in result.refused:
            messages.error(request, f"{application}: {reason}")
        return redirect("delivery:cohort_detail", pk=cohort.pk)
    taken = cohort.enrolments.exclude(status="withdrawn").count()
    return _render(request, "cohort_enrol.html", _("Daftarkan peserta: %(c)s") % {"c": cohort.name}, {
        "cohort": cohort, "candidates": candidates[:PAGE_SIZE], "free": max(0, cohort.capacity - taken), "q": q,
        "kelurahan_options": _kelurahan_options(request.user, Kelurahan.objects.filter(quotas__intake=cohort.intake)),
        "kelurahan": kel,
    })


def _kelurahan_options(user, queryset):
    kecamatan_ids = restricted_kecamatan_ids(user)
    if kecamatan_ids:
        queryset = queryset.filter(kecamatan_id__in=kecamatan_ids)
    return queryset.order_by("name")


@staff_view(CHANGE)
@require_POST
def enrolment_withdraw(request, pk):
    enrolment = get_object_or_404(Enrolment, pk=pk)
    if not scope_enrolments(request.user, Enrolment.objects.filter(pk=pk)).exists():
        return refuse(request)
    try:
        offered = services.withdraw(enrolment, request.user, request.POST.get("reason", ""))
    except ValidationError as exc:
        _errors(request, exc)
    else:
        if offered:
            messages.success(request, _("Peserta mundur. Kursi ditawarkan kepada %(name)s (%(ref)s).")
                             % {"name": offered.applicant.full_name, "ref": offered.reference})
        else:
            messages.info(request, _("Peserta mundur. Tidak ada pendaftar di daftar tunggu untuk program ini."))
    return redirect("delivery:cohort_detail", pk=enrolment.cohort_id)


@staff_view(CHANGE)
@require_POST
def enrolment_publication_consent(request, pk):
    """Record that a graduate agreed in writing to the publication of their story."""
    enrolment = get_object_or_404(Enrolment, pk=pk)
    if not scope_enrolments(request.user, Enrolment.objects.filter(pk=pk)).exists():
        return refuse(request)
    try:
        enrolment.record_publication_consent(request.user, request.POST.get("note", ""))
    except ValidationError as exc:
        _errors(request, exc)
    else:
        messages.success(request, _("Persetujuan publikasi dicatat: kisahnya kini boleh ditautkan ke kisah sukses."))
    return redirect("delivery:cohort_detail", pk=enrolment.cohort_id)


@staff_view(VIEW)
def session_attendance(request, pk):
    session = get_object_or_404(CohortSession.objects.select_related("cohort"), pk=pk)
    enrolments = list(scope_enrolments(
        request.user,
        session.cohort.enrolments.exclude(status="withdrawn")
        .select_related("application__applicant").order_by("application__applicant__full_name"),
    ))
    if request.method == "POST":
        # Only the rows shown (the user's scope) are read from the form.
        marks = {e.pk: request.POST.get(f"mark-{e.pk}", "") for e in enrolments}
        try:
            n = services.save_attendance(session, marks, request.user)
        except ValidationError as exc:
            _errors(request, exc)
        else:
            messages.success(request, _("Kehadiran disimpan (%(n)s baris diubah).") % {"n": n})
            return redirect("delivery:cohort_detail", pk=session.cohort_id)
    current = dict(session.attendance.values_list("enrolment_id", "mark"))
    # "Semua hadir" fills every row not yet marked with present; the editor then changes the exceptions.
    default = Attendance.Mark.PRESENT if request.GET.get("semua") == "hadir" else ""
    rows = [(e, current.get(e.pk, default)) for e in enrolments]
    return _render(request, "session_attendance.html", str(session), {
        "session": session, "rows": rows, "marks": Attendance.Mark.choices, "all_present": bool(default),
        "today": timezone.localdate()})


@staff_view(VIEW)
def session_sheet(request, pk):
    """Printable daftar hadir with a signature column, as Dinsos uses on paper."""
    session = get_object_or_404(CohortSession.objects.select_related("cohort__program", "cohort__intake"), pk=pk)
    enrolments = scope_enrolments(
        request.user,
        session.cohort.enrolments.exclude(status="withdrawn")
        .select_related("application__applicant__kelurahan").order_by("application__applicant__full_name"),
    )
    return TemplateResponse(request, "applicants/delivery/attendance_sheet.html",
                            {"session": session, "cohort": session.cohort, "enrolments": enrolments})


@staff_view(VIEW)
def cohort_participants_xlsx(request, pk):
    cohort = get_object_or_404(Cohort.objects.select_related("intake", "program"), pk=pk)
    enrolments = scope_enrolments(
        request.user,
        cohort.enrolments.exclude(status="withdrawn")
        .select_related("application__applicant__kelurahan").order_by("application__applicant__full_name"),
    )
    columns = ["no", "nik", "name", "reference", "kelurahan", "phone", "status", "signature"]
    counter = _Counter()
    rows = mask_export_rows(
        (
            (counter.next(), e.application.applicant.nik, e.application.applicant.full_name,
             e.application.reference or "", e.application.applicant.kelurahan.name, e.application.applicant.phone,
             e.get_status_display(), "")
            for e in enrolments.iterator(chunk_size=500)
        ),
        columns, request.user,
    )
    content = build_sheet(
        _("Peserta"),
        [_("DAFTAR PESERTA PELATIHAN"), f"{cohort.name} · {cohort.program} · {cohort.intake}",
         f"{cohort.venue}, {cohort.start_date:%d-%m-%Y} s.d. {cohort.end_date:%d-%m-%Y}"],
        [(_("No."), 5, "0"), (_("NIK"), 19, None), (_("Nama"), 28, None), (_("No. pendaftaran"), 16, None),
         (_("Kelurahan"), 18, None), (_("No. HP"), 16, None), (_("Status"), 14, None), (_("Tanda tangan"), 22, None)],
        rows,
    )
    log_personal_data_access(request.user, Enrolment, "ekspor xlsx",
                             filters={"kelas": cohort.name, **request.GET.dict()}, rows=counter.value)
    return _xlsx(content, f"peserta-kelas-{cohort.pk}.xlsx")


class _Counter:
    """Numbers streamed rows and remembers how many there were (for the export log)."""

    def __init__(self):
        self.value = 0

    def next(self) -> int:
        self.value += 1
        return self.value


# --- Awards -----------------------------------------------------------------------------------


def _award_queryset(request):
    qs = scope_awards(request.user, CapitalAward.objects.select_related(
        "intake", "package", "enrolment__application__applicant__kelurahan", "enrolment__cohort",
        "group__kelurahan", "proposed_by", "approved_by",
    ).order_by("intake", "enrolment__cohort__name", "place", "pk"))
    filters = {"intake": request.GET.get("intake", ""), "state": request.GET.get("state", ""),
               "kind": request.GET.get("kind", "")}
    if filters["intake"].isdigit():
        qs = qs.filter(intake_id=filters["intake"])
    if filters["state"] in CapitalAward.State.values:
        qs = qs.filter(state=filters["state"])
    if filters["kind"] == "person":
        qs = qs.filter(enrolment__isnull=False)
    elif filters["kind"] == "group":
        qs = qs.filter(group__isnull=False)
    return qs, filters


@staff_view(AWARD_VIEW, AWARD_CHANGE)
def award_list(request):
    qs, filters = _award_queryset(request)
    if request.GET.get("format") == "xlsx":
        return award_list_xlsx(request, qs, filters)
    return _render(request, "award_list.html", _("Daftar penerima modal usaha"), {
        "awards": qs[:PAGE_SIZE], "filters": filters, "intakes": Intake.objects.order_by("-registration_opens"),
        "states": CapitalAward.State.choices, "query": request.GET.urlencode()}, icon="tag")


def award_list_xlsx(request, qs, filters) -> HttpResponse:
    intake = Intake.objects.filter(pk=filters["intake"]).first() if filters["intake"].isdigit() else None
    counter = _Counter()

    def rows():
        for a in qs.iterator(chunk_size=500):
            i = counter.next()
            if a.enrolment_id:
                person = a.enrolment.application.applicant
                nik, name, kel, cls = person.nik, person.full_name, person.kelurahan.name, a.enrolment.cohort.name
            else:
                nik, name, kel, cls = "", a.group.name, a.group.kelurahan.name, a.group.business_type
            yield (i, nik, name, kel, cls, a.package.name, a.value_rupiah, a.get_state_display(),
                   a.handover_number, "")

    content = build_sheet(
        _("Penerima modal"),
        [_("DAFTAR PENERIMA MODAL USAHA"), str(intake) if intake else _("Semua gelombang"),
         _("Dicetak %(d)s") % {"d": timezone.localdate().strftime("%d-%m-%Y")}],
        [(_("No."), 5, "0"), (_("NIK"), 19, None), (_("Nama penerima"), 28, None), (_("Kelurahan"), 18, None),
         (_("Kelas / jenis usaha"), 22, None), (_("Paket"), 24, None), (_("Nilai"), 16, RUPIAH_FORMAT),
         (_("Status"), 12, None), (_("No. berita acara"), 18, None), (_("Tanda tangan"), 22, None)],
        mask_export_rows(rows(), ["no", "nik", "name", "kelurahan", "cohort", "package", "value", "state",
                                  "handover_number", "signature"], request.user),
    )
    log_personal_data_access(request.user, CapitalAward, "ekspor xlsx", filters=request.GET, rows=counter.value)
    return _xlsx(content, "daftar-penerima-modal-usaha.xlsx")


class HandoverForm(forms.Form):
    handed_over_on = forms.DateField(label=_("Tanggal serah terima"), widget=forms.DateInput(attrs={"type": "date"}))
    handover_number = forms.CharField(label=_("Nomor berita acara"), max_length=80)
    handover_document = forms.FileField(label=_("Berita acara bertanda tangan (PDF/JPG/PNG, maks. 10 MB)"),
                                        required=False)


@staff_view(AWARD_VIEW, AWARD_CHANGE)
def award_detail(request, pk):
    award = get_object_or_404(CapitalAward.objects.select_related(
        "intake", "package", "enrolment__application__applicant", "enrolment__cohort", "group"), pk=pk)
    if not scope_awards(request.user, CapitalAward.objects.filter(pk=pk)).exists():
        return refuse(request)
    form = HandoverForm(request.POST or None, request.FILES or None)
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "approve":
                award.approve(request.user)
            elif action == "cancel":
                award.cancel(request.user, request.POST.get("reason", ""))
            elif action == "hand_over":
                if not form.is_valid():
                    raise ValidationError(_("Periksa isian serah terima."))
                award.hand_over(request.user, on=form.cleaned_data["handed_over_on"],
                                number=form.cleaned_data["handover_number"],
                                document=form.cleaned_data["handover_document"])
            messages.success(request, _("Status modal usaha: %(s)s.") % {"s": award.get_state_display()})
            return redirect("delivery:award_detail", pk=award.pk)
        except ValidationError as exc:
            award.refresh_from_db()
            _errors(request, exc)
    from wagtail.models import ModelLogEntry

    history = ModelLogEntry.objects.for_instance(award).select_related("user").order_by("-timestamp")
    return _render(request, "award_detail.html", str(award), {
        "award": award, "form": form, "history": history,
        "can_change": request.user.has_perm(AWARD_CHANGE)}, icon="tag")


@staff_view(AWARD_VIEW, AWARD_CHANGE)
def award_document(request, pk):
    """The only way to read a signed handover document: after the permission check, never by public URL."""
    award = get_object_or_404(CapitalAward, pk=pk)
    if not award.handover_document:
        raise Http404
    return serve_private_file(
        request, award.handover_document, AWARD_VIEW,
        allowed=lambda user: scope_awards(user, CapitalAward.objects.filter(pk=pk)).exists(),
        log_object=award,
    )


# --- KUB --------------------------------------------------------------------------------------


@staff_view(VIEW)
def group_list(request):
    groups = scope_groups(
        request.user,
        BusinessGroup.objects.select_related("intake", "kelurahan", "chair__application__applicant")
        .annotate(n_members=Count("memberships", filter=Q(memberships__active=True)))
        .order_by("-created_at"),
    )
    live = dict(CapitalAward.objects.filter(group__isnull=False).exclude(state="cancelled")
                .values_list("group_id", "pk"))
    rows = [(g, live.get(g.pk)) for g in groups[:PAGE_SIZE]]
    return _render(request, "group_list.html", _("Kelompok Usaha Bersama (KUB)"), {
        "rows": rows, "packages": CapitalPackage.objects.filter(active=True, for_groups=True),
        "can_change": request.user.has_perm(CHANGE)})


class GroupForm(forms.Form):
    intake = forms.ModelChoiceField(Intake.objects.all(), label=_("Gelombang"))
    name = forms.CharField(label=_("Nama KUB"), max_length=150)
    business_type = forms.CharField(label=_("Jenis usaha"), max_length=150)
    kelurahan = forms.ModelChoiceField(Kelurahan.objects.select_related("kecamatan"), label=_("Kelurahan"))


@staff_view(CHANGE)
def group_create(request):
    form = GroupForm(request.POST or None, initial={"intake": request.GET.get("intake")})
    intake_id = request.POST.get("intake") or request.GET.get("intake")
    graduates = Enrolment.objects.none()
    if intake_id and str(intake_id).isdigit():
        graduates = scope_enrolments(
            request.user,
            Enrolment.objects.filter(cohort__intake_id=intake_id, status=Enrolment.Status.COMPLETED)
            .exclude(application__applicant__in=Enrolment.objects.filter(memberships__active=True)
                     .values("application__applicant"))
            .select_related("application__applicant__kelurahan", "cohort")
            .order_by("application__applicant__kelurahan__name", "application__applicant__full_name"),
        )[:PAGE_SIZE]
    if request.method == "POST" and form.is_valid():
        ids = [int(i) for i in request.POST.getlist("member") if i.isdigit()]
        members = list(scope_enrolments(request.user, Enrolment.objects.filter(pk__in=ids)))
        chair = next((m for m in members if str(m.pk) == request.POST.get("chair")), None)
        try:
            if chair is None:
                raise ValidationError(_("Pilih ketua dari anggota."))
            group = services.form_group(user=request.user, enrolments=members, chair=chair, **form.cleaned_data)
        except ValidationError as exc:
            _errors(request, exc)
        else:
            messages.success(request, _("KUB %(name)s dibentuk.") % {"name": group.name})
            return redirect("delivery:group_list")
    return _render(request, "group_form.html", _("Bentuk KUB"), {
        "form": form, "graduates": graduates, "intake_id": str(intake_id or ""),
        "selected": set(request.POST.getlist("member")), "chair_id": request.POST.get("chair", ""),
        "intakes": Intake.objects.order_by("-registration_opens")})


@staff_view(AWARD_CHANGE, AWARD_CHANGE)
@require_POST
def group_propose_award(request, pk):
    group = get_object_or_404(scope_groups(request.user, BusinessGroup.objects.all()), pk=pk)
    package = get_object_or_404(CapitalPackage, pk=request.POST.get("package"), for_groups=True)
    try:
        award = CapitalAward.propose(user=request.user, package=package, group=group)
    except ValidationError as exc:
        _errors(request, exc)
        return redirect("delivery:group_list")
    return redirect("delivery:award_detail", pk=award.pk)


# --- Follow-ups -------------------------------------------------------------------------------


YES_NO_NOT_ASKED = [("yes", gettext_lazy("Ya")), ("no", gettext_lazy("Tidak")),
                    ("not_asked", gettext_lazy("Tidak ditanyakan"))]
_ANSWER = {"yes": True, "no": False, "not_asked": None}


class AnswerField(forms.TypedChoiceField):
    """Yes / no / not asked, each chosen on purpose: nothing is preselected for a new answer."""

    widget = forms.RadioSelect

    def __init__(self, **kwargs):
        super().__init__(choices=YES_NO_NOT_ASKED, coerce=_ANSWER.get, empty_value="", **kwargs)

    def prepare_value(self, value):
        return {True: "yes", False: "no", None: "not_asked"}.get(value, value)


class FollowUpForm(forms.ModelForm):
    business_running = AnswerField(label=gettext_lazy("Usaha masih berjalan"))
    receiving_bansos = AnswerField(label=gettext_lazy("Masih menerima bansos"))

    class Meta:
        model = FollowUp
        fields = ["working_status", "business_running", "income_band", "receiving_bansos", "note"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk is None:
            for name in ("business_running", "receiving_bansos"):
                self.initial[name] = ""


def _month(value: str | None) -> datetime.date:
    try:
        return datetime.datetime.strptime(value or "", "%Y-%m").date()
    except ValueError:
        return timezone.localdate().replace(day=1)


@staff_view(VIEW)
def followup_due(request):
    month = _month(request.GET.get("month"))
    due = services.due_followups(month.year, month.month, scope=lambda qs: scope_enrolments(request.user, qs))
    return _render(request, "followup_due.html", _("Tindak lanjut jatuh tempo"), {
        "month": month, "due": due, "done": sum(1 for d in due if d.record)})


@staff_view(CHANGE)
def followup_record(request, enrolment_pk, milestone):
    enrolment = get_object_or_404(Enrolment.objects.select_related("application__applicant", "cohort"),
                                  pk=enrolment_pk, status=Enrolment.Status.COMPLETED)
    if not scope_enrolments(request.user, Enrolment.objects.filter(pk=enrolment.pk)).exists():
        return refuse(request)
    if milestone not in FollowUp.Milestone.values:
        raise Http404
    existing = FollowUp.objects.filter(enrolment=enrolment, milestone=milestone).first()
    form = FollowUpForm(request.POST or None, instance=existing)
    if request.method == "POST" and form.is_valid():
        try:
            services.record_followup(enrolment, milestone, request.user, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Tindak lanjut disimpan."))
            due_on = services.add_months(enrolment.cohort.end_date, milestone)
            return redirect(f"{_reverse('delivery:followup_due')}?month={due_on:%Y-%m}")
    return _render(request, "followup_form.html", _("Tindak lanjut %(m)s bulan") % {"m": milestone}, {
        "enrolment": enrolment, "form": form, "milestone": milestone})


def _reverse(name):
    from django.urls import reverse

    return reverse(name)
