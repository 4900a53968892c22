"""Complaints and objections: an anonymous complaint just received, variants as traits."""

import datetime

import factory
from django.utils import timezone

from applicants.models import Ticket
from applicants.models.complaints import hash_check_code
from programs.models import Kelurahan

CHECK_CODE = "UJIKODE234"  # every factory ticket's check code


def _first_kecamatan():
    return Kelurahan.objects.select_related("kecamatan").order_by("code").first().kecamatan


class TicketFactory(factory.django.DjangoModelFactory):
    """`in_review`, `answered`, `closed`, `overdue` (received 20 days ago, still open); `application=...`
    ties it to an application (its kecamatan follows); the check code is CHECK_CODE."""

    class Meta:
        model = Ticket

    class Params:
        in_review = factory.Trait(state=Ticket.State.IN_REVIEW)
        answered = factory.Trait(
            state=Ticket.State.ANSWERED, decision_code=Ticket.Decision.NOT_UPHELD,
            answer="Keputusan tetap: data register menunjukkan desil di atas batas program.",
            answered_at=factory.LazyFunction(timezone.now),
        )
        closed = factory.Trait(
            state=Ticket.State.CLOSED, decision_code=Ticket.Decision.UPHELD,
            answer="Jadwal wawancara ulang dikirim lewat WhatsApp.",
            answered_at=factory.LazyFunction(timezone.now), closed_at=factory.LazyFunction(timezone.now),
        )
        overdue = factory.Trait(
            created_at=factory.LazyFunction(lambda: timezone.now() - datetime.timedelta(days=20)),
        )

    number = factory.Sequence(lambda n: f"ADU-2026-{900000 + n:06d}")
    kind = Ticket.Kind.COMPLAINT
    category = Ticket.Category.INTERVIEW
    description = "Saya sudah datang wawancara tetapi nama saya tidak dipanggil."
    kecamatan = factory.LazyAttribute(
        lambda o: o.application.applicant.kelurahan.kecamatan if o.application else _first_kecamatan()
    )
    application = None
    created_at = factory.LazyFunction(timezone.now)
    due_at = factory.LazyAttribute(lambda o: Ticket.deadline_for(o.category, o.created_at))
    check_code_hash = factory.LazyFunction(lambda: hash_check_code(CHECK_CODE))
