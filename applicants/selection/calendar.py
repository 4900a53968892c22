"""Office hours for interviews: which slots exist, and which are already taken by an interviewer or a room.

Residents come to the office in working hours only: working days, a day window with a lunch break, no
holiday listed by editors (programs.Holiday), nothing in the past. A round that does not fit before the
last day is refused as a whole, so nobody is invited at night or on a Sunday.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.translation import gettext as _

from applicants.models import Interview
from programs.models import Holiday

WEEKDAYS = [
    (0, "Senin"), (1, "Selasa"), (2, "Rabu"), (3, "Kamis"), (4, "Jumat"), (5, "Sabtu"), (6, "Minggu"),
]
DEFAULT_SPAN_DAYS = 14  # last interview day when none is given: two weeks after the start


@dataclass(frozen=True)
class OfficeHours:
    working_days: frozenset[int] = field(default_factory=lambda: frozenset(range(5)))  # Monday = 0
    day_start: datetime.time = datetime.time(8, 0)
    day_end: datetime.time = datetime.time(16, 0)
    break_start: datetime.time | None = datetime.time(12, 0)
    break_end: datetime.time | None = datetime.time(13, 0)

    def errors(self) -> dict[str, str]:
        """Field -> Indonesian message for hours that cannot hold a single interview."""
        errors = {}
        if not self.working_days:
            errors["working_days"] = _("Choose at least one working day.")
        if self.day_end <= self.day_start:
            errors["day_end"] = _("The end time must be after the start time.")
        if (self.break_start is None) != (self.break_end is None):
            errors["break_end"] = _("Fill in both the break start and end times, or leave both empty.")
        elif self.break_start is not None and not (self.day_start <= self.break_start < self.break_end <= self.day_end):
            errors["break_end"] = _("The break must be within working hours and end after it starts.")
        return errors


def normalise_place(place: str) -> str:
    """Rooms are typed by hand: 'Aula  kelurahan' and 'aula Kelurahan' are one room."""
    return " ".join(place.split()).casefold()


def _aware(day: datetime.date, time: datetime.time) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, time))


def office_slots(
    start: datetime.datetime, last_day: datetime.date, minutes: int, hours: OfficeHours
) -> Iterator[datetime.datetime]:
    """Every slot start from `start` (or now, if later) to the end of `last_day` inside office hours."""
    start = timezone.localtime(max(start, timezone.now()))
    length = datetime.timedelta(minutes=minutes)
    holidays = Holiday.dates_between(start.date(), last_day)
    day = start.date()
    while day <= last_day:
        if day.weekday() in hours.working_days and day not in holidays:
            windows = [(hours.day_start, hours.day_end)]
            if hours.break_start is not None:
                windows = [(hours.day_start, hours.break_start), (hours.break_end, hours.day_end)]
            for window_start, window_end in windows:
                when, end = _aware(day, window_start), _aware(day, window_end)
                while when + length <= end:
                    if when >= start:
                        yield when
                    when += length
        day += datetime.timedelta(days=1)


class Bookings:
    """Interviews still waiting to happen for one interviewer or in one room, to refuse double booking."""

    def __init__(self, interviewer, place: str, first: datetime.datetime, last: datetime.datetime):
        self.place = normalise_place(place)
        self.interviewer_id = interviewer.pk
        rows = (
            Interview.objects.filter(attendance=Interview.Attendance.SCHEDULED)
            .filter(scheduled_at__lt=last, scheduled_at__gte=first - datetime.timedelta(hours=4))
            .values_list("scheduled_at", "duration_minutes", "interviewer_id", "place")
        )
        # Room names are free text, so the room filter is done here on the normalised name.
        self.busy = [
            (at, at + datetime.timedelta(minutes=duration or 1))
            for at, duration, interviewer_id, room in rows
            if interviewer_id == self.interviewer_id or normalise_place(room) == self.place
        ]

    def is_free(self, when: datetime.datetime, minutes: int) -> bool:
        end = when + datetime.timedelta(minutes=minutes)
        return not any(start < end and when < stop for start, stop in self.busy)

    def book(self, when: datetime.datetime, minutes: int) -> None:
        self.busy.append((when, when + datetime.timedelta(minutes=minutes)))


def clash_error(when: datetime.datetime, minutes: int, interviewer, place: str, exclude_application=None) -> str:
    """Why one interview may not be put at `when` ('' when it may): the interviewer or the room is taken."""
    end = when + datetime.timedelta(minutes=minutes)
    waiting = Interview.objects.filter(
        attendance=Interview.Attendance.SCHEDULED, scheduled_at__lt=end,
        scheduled_at__gte=when - datetime.timedelta(hours=4),
    ).select_related("interviewer")
    if exclude_application is not None:
        waiting = waiting.exclude(application=exclude_application)
    room = normalise_place(place)
    for other in waiting:
        if other.scheduled_at + datetime.timedelta(minutes=other.duration_minutes or 1) <= when:
            continue
        local = timezone.localtime(other.scheduled_at).strftime("%d-%m-%Y %H.%M")
        if other.interviewer_id == interviewer.pk:
            return _("%(who)s already has an interview at %(at)s.") % {
                "who": interviewer.get_full_name() or interviewer.get_username(), "at": local}
        if normalise_place(other.place) == room:
            return _("Venue %(place)s is already used by another interview at %(at)s.") % {
                "place": other.place, "at": local,
            }
    return ""
