"""Demo complaints (seed_demo): one ticket in each state, one overdue and one appeal, so the register,
the ticket screen and the status page show something real."""

from __future__ import annotations

import datetime

from django.contrib.auth import get_user_model
from django.utils import timezone

from applicants.complaints.services import open_appeal, submit_ticket
from applicants.enums import ApplicationStatus
from applicants.models import Application, Ticket
from programs.models import Kecamatan


def seed(stdout=None) -> dict[str, int]:
    if Ticket.objects.exists():  # idempotent: the demo tickets are made once
        return {"tickets": 0}
    User = get_user_model()
    editor = User.objects.filter(username="editor").first() or User.objects.filter(is_superuser=True).first()
    kecamatan = list(Kecamatan.objects.order_by("code")[:3])
    rejected = (Application.objects.filter(status=ApplicationStatus.REJECTED).select_related("applicant__kelurahan")
                .order_by("pk").first())

    def submit(**data):
        return submit_ticket({"kind": Ticket.Kind.COMPLAINT, **data})[0]

    submit(category=Ticket.Category.WRONG_RECIPIENT, kecamatan=kecamatan[0], description=(
        "Tetangga saya menerima paket modal usaha padahal sudah punya toko besar dan mobil."))
    if rejected is not None:
        objection = submit(kind=Ticket.Kind.OBJECTION, category=Ticket.Category.REJECTION, application=rejected,
                           description="Saya ditolak setelah wawancara, padahal suami saya baru kena PHK.")
        objection.take_in_review(editor)
        objection.assign(editor, editor)
    overdue = submit(category=Ticket.Category.INTERVIEW, kecamatan=kecamatan[1], contact_name="Rahmat",
                     contact_phone="+6281298765432",
                     description="Jadwal wawancara saya diganti dua kali tanpa kabar.")
    received = timezone.now() - datetime.timedelta(days=20)
    Ticket.objects.filter(pk=overdue.pk).update(created_at=received, due_at=Ticket.deadline_for(
        overdue.category, received))
    answered = submit(category=Ticket.Category.CLASS, kecamatan=kecamatan[2], description=(
        "Kelas menjahit sering mulai terlambat satu jam dan mesin jahitnya kurang."))
    answered.take_in_review(editor)
    answered.give_answer(editor, decision_code=Ticket.Decision.UPHELD, answer=(
        "Terima kasih. Jadwal kelas sudah ditegaskan kepada instruktur dan dua mesin jahit ditambah mulai pekan depan."
    ))
    answered.close(editor)
    open_appeal(answered, "Mesin jahit tambahan belum datang sampai sekarang.")
    count = Ticket.objects.count()
    if stdout:
        stdout.write(f"Pengaduan demo: {count} tiket (satu lewat batas waktu, satu banding).")
    return {"tickets": count}
