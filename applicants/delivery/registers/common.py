"""What the delivery registers share: the link to a class page and the class filter's options."""

from django.urls import reverse

from programs.models import Cohort


def cohort_url(cohort_id: int) -> str:
    return reverse("delivery:cohort_detail", args=[cohort_id])


def cohorts():
    return Cohort.objects.select_related("intake").order_by("-start_date", "name")
