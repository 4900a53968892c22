"""The interest form page at /daftar/: register for the open intake, see the reference, check status.

The page holds what editors write (intro, privacy notice, thank-you text); the form writes structured
Applicant/Application records through applicants.intake.services.submit_application (one transaction).
Routes: "" (form), "terima-kasih/" (after a successful POST, PRG), "status/" (status check).
"""

from django.db.models import Prefetch
from django.http import HttpResponseRedirect
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.crypto import constant_time_compare
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.contrib.routable_page.models import RoutablePageMixin, path
from wagtail.fields import RichTextField
from wagtail.models import Page

from applicants.intake.forms import FormChoices, InterestForm, StatusCheckForm
from applicants.intake.services import KkLimitReached, current_consent_version, submit_application
from applicants.models import Application
from programs.models import Intake, Program

from .cache import memoized
from .post_guard import PostGuardMixin
from .site_data import PublicPageMixin

# The reference travels to the thank-you page in a short-lived signed cookie: no personal data in the
# URL, and no second database write (a session row) per submission on the one SQLite write lock.
REFERENCE_COOKIE = "sigap_ref"
REFERENCE_COOKIE_SALT = "sigap.intake.reference"
REFERENCE_COOKIE_AGE = 15 * 60
_NO_MATCH_NIK = "0" * 16


class InterestFormPage(PostGuardMixin, PublicPageMixin, RoutablePageMixin, Page):
    """The one registration page residents reach from the home page and program pages."""

    rate_limited_template = "public_pages/interest_form_page_429.html"

    intro = RichTextField(_("introduction"), blank=True)
    privacy_notice = RichTextField(
        _("privacy notice"), blank=True,
        help_text=_("Shown above the consent box. The official version a "
                    "resident agreed to is recorded with each application."),
    )
    thank_you_text = RichTextField(_("thank-you text"), blank=True)

    content_panels = [*Page.content_panels, FieldPanel("intro"), FieldPanel("privacy_notice"),
                      FieldPanel("thank_you_text")]

    max_count = 1
    parent_page_types = ["public_pages.HomePage"]
    subpage_types: list[str] = []

    class Meta:
        verbose_name = _("application form page")

    # --- helpers --------------------------------------------------------------------------------
    @staticmethod
    def current_intake() -> Intake | None:
        """The open intake (the one closing first, when windows overlap), with its active programs.

        Kept per process for the day (cache.memoized): saving an intake or program starts a new generation."""

        def load():
            return (
                Intake.open_intakes()
                .prefetch_related(Prefetch("programs", queryset=Program.objects.filter(is_active=True)))
                .order_by("registration_closes", "pk")
                .first()
            )

        return memoized(f"interest:intake:{timezone.localdate().isoformat()}", load)

    @staticmethod
    def form_choices(intake: Intake) -> FormChoices:
        return memoized(f"interest:choices:{intake.pk}", lambda: FormChoices.load(intake))

    @staticmethod
    def consent_version():
        # A version may be published for a later moment: looked up again at most every 30 s.
        return memoized("interest:consent", current_consent_version, seconds=30)

    def interest_form(self, intake, *args, **kwargs) -> InterestForm:
        return InterestForm(*args, intake=intake, choices=self.form_choices(intake), **kwargs)

    def _respond_form(self, request, intake, form, **context):
        consent = self.consent_version()
        return self._respond(
            request, intake=intake, form=form, consent_text=consent.text, consent_version_id=consent.pk, **context
        )

    def _respond(self, request, template=None, status=200, **context):
        response = self.render(request, template=template, context_overrides=context)
        response.status_code = status
        add_never_cache_headers(response)  # may hold what the resident typed
        return response


    # --- routes ---------------------------------------------------------------------------------
    @path("")
    def form_view(self, request):
        intake = self.current_intake()
        if intake is None:
            return self._respond(request, intake=None, form=None)
        if request.method != "POST":
            initial = {}
            slug = request.GET.get("program", "")
            if slug and any(p.slug == slug for p in intake.programs.all()):
                initial["program"] = slug
            return self._respond_form(request, intake, self.interest_form(intake, initial=initial))

        refused = self._guard_post(request, "submit")
        if refused is not None:
            return refused
        form = self.interest_form(intake, request.POST)
        if form.is_spam:
            # No record and no hint: the same kind of thank-you page, without a reference.
            return self._respond(request, template="public_pages/interest_form_page_thanks.html", reference=None)
        if not form.is_valid():
            return self._respond_form(request, intake, form)
        try:
            application, created = submit_application(
                form.cleaned_data, intake, consent_version=self.consent_version()
            )
        except KkLimitReached as exc:
            for field, messages in exc.message_dict.items():
                for message in messages:
                    form.add_error(field, message)
            return self._respond_form(request, intake, form)
        if not created:
            form.add_error("nik", _(
                "This NIK is already registered for this intake, so there is no need to apply again. Check "
                "your application status with your application number and NIK on the Check status page."
            ))
            return self._respond_form(request, intake, form, duplicate=True)
        response = HttpResponseRedirect(self.get_url(request) + self.reverse_subpage("thanks_view"))
        response.set_signed_cookie(
            REFERENCE_COOKIE, application.reference, salt=REFERENCE_COOKIE_SALT, max_age=REFERENCE_COOKIE_AGE,
            path=self.get_url(request), secure=request.is_secure(), httponly=True, samesite="Lax",
        )
        return response

    @path("terima-kasih/")
    def thanks_view(self, request):
        reference = request.get_signed_cookie(
            REFERENCE_COOKIE, default=None, salt=REFERENCE_COOKIE_SALT, max_age=REFERENCE_COOKIE_AGE
        )
        if not reference:
            return HttpResponseRedirect(self.get_url(request))
        return self._respond(request, template="public_pages/interest_form_page_thanks.html", reference=reference)

    @path("status/")
    def status_view(self, request):
        if request.method != "POST":
            return self._respond(request, template="public_pages/interest_form_page_status.html",
                                 form=StatusCheckForm())
        refused = self._guard_post(request, "status")
        if refused is not None:
            return refused
        form = StatusCheckForm(request.POST)
        context = {"form": form}
        if form.is_valid():
            application = find_by_reference_and_nik(form.cleaned_data["reference"], form.cleaned_data["nik"])
            if application is None:
                context["not_found"] = True
            else:
                context["application"] = application
        return self._respond(request, template="public_pages/interest_form_page_status.html", **context)


def find_by_reference_and_nik(reference: str, nik: str) -> Application | None:
    """The application only when both match. Same query and comparison whichever of the two is wrong."""
    application = (
        Application.objects.select_related("applicant").only(
            "reference", "status", "decision_reason", "applicant__nik"
        ).filter(reference=reference).first()
    )
    stored_nik = application.applicant.nik if application is not None else _NO_MATCH_NIK
    matches = constant_time_compare(stored_nik, nik)
    return application if (application is not None and matches) else None
