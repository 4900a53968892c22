"""Two editors booking one room for two interviewers at the same instant: exactly one interview is
booked, the other refused with the room's message. On PostgreSQL the room's transaction lock
serialises them; SQLite runs write transactions one at a time already."""

import datetime
import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections
from django.utils import timezone

from applicants.models import Interview
from applicants.selection import calendar, services
from tests.factories import ApplicationFactory, IntakeFactory, UserFactory

MONDAY = datetime.date(2030, 1, 7)


@pytest.mark.django_db(transaction=True)
def test_one_room_at_one_instant_is_booked_once_by_two_editors_racing(monkeypatch):
    if connection.vendor != "postgresql":
        pytest.skip("threads need a server database; SQLite's in-memory test database is one connection")
    intake = IntakeFactory()
    first, second = ApplicationFactory(intake=intake), ApplicationFactory(intake=intake)
    editor = UserFactory(editor=True)
    interviewers = UserFactory(interviewer=True), UserFactory(interviewer=True)
    when = timezone.make_aware(datetime.datetime.combine(MONDAY, datetime.time(9)))
    # Widen the race: each editor, having found the room free, waits for the other before writing.
    # With the lock the second editor is still waiting for it, so the wait times out and it is refused.
    barrier = threading.Barrier(2)
    found_free = calendar.clash_error

    def slow_clash_error(*args, **kwargs):
        error = found_free(*args, **kwargs)
        try:
            barrier.wait(timeout=2)
        except threading.BrokenBarrierError:
            pass
        return error

    monkeypatch.setattr(services, "clash_error", slow_clash_error)
    outcomes = []

    def book(application, interviewer):
        try:
            services.schedule_one(application, when, "Aula Kelurahan", interviewer, editor)
            outcomes.append("booked")
        except ValidationError as exc:
            outcomes.append(" ".join(exc.messages))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=book, args=pair) for pair in zip((first, second), interviewers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert len(outcomes) == 2 and outcomes.count("booked") == 1, outcomes
    assert "sudah dipakai" in next(o for o in outcomes if o != "booked")
    assert Interview.objects.filter(scheduled_at=when).count() == 1
