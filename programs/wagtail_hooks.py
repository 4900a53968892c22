"""Admin for what `programs` owns and holds no personal data: instructors, classes, capital packages."""

from wagtail.snippets.models import register_snippet

from programs.models import CapitalPackage, Cohort, Instructor

register_snippet(Instructor)
register_snippet(Cohort)
register_snippet(CapitalPackage)
