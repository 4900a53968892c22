"""Admin for what `programs` owns and holds no personal data: instructors, classes, capital packages,
and the round screens (intakes with their kelurahan quotas, programs)."""

from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.snippets.models import register_snippet

from programs.admin_views import RoundViewSetGroup
from programs.models import CapitalPackage, Cohort, Instructor

register_snippet(Instructor)
register_snippet(Cohort)
register_snippet(CapitalPackage)


@hooks.register("register_admin_viewset")
def register_round_viewsets():
    return RoundViewSetGroup()


@hooks.register("register_log_actions")
def register_round_log_actions(actions):
    for action, label in [
        ("sigap.intake.copy", _("Gelombang disalin dari gelombang sebelumnya")),
        ("sigap.intake.quotas", _("Kuota kelurahan disimpan")),
    ]:
        actions.register_action(action, label, label)
