# Copyright 2026 msp_psa authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Pure helpers: a technician's capacity from time intervals.

Intervals are ``(start, end)`` pairs of timezone-aware datetimes (or of any
ordered values whose difference is a ``timedelta``). Nothing here reads
records: the models read the calendars, public holidays and leave of many
employees at once (``resource.calendar._attendance_intervals_batch`` and
``_leave_intervals_batch``) and hand the intervals over.

Capacity = calendar hours − public holidays − approved leave; a leave day
that is also a public holiday is counted once, as a public holiday.
"""

from collections import defaultdict
from datetime import datetime, time, timedelta


def normalise(intervals):
    """Sorted, merged, non-empty intervals."""
    merged = []
    for start, end in sorted(i[:2] for i in intervals):
        if end <= start:
            continue
        if merged and start <= merged[-1][1]:
            if end > merged[-1][1]:
                merged[-1] = (merged[-1][0], end)
        else:
            merged.append((start, end))
    return merged


def subtract(intervals, removed):
    """The parts of ``intervals`` outside ``removed``."""
    result = []
    removed = normalise(removed)
    for start, end in normalise(intervals):
        cursor = start
        for r_start, r_end in removed:
            if r_end <= cursor or r_start >= end:
                continue
            if r_start > cursor:
                result.append((cursor, r_start))
            cursor = max(cursor, r_end)
            if cursor >= end:
                break
        if cursor < end:
            result.append((cursor, end))
    return result


def intersect(intervals, other):
    """The parts of ``intervals`` inside ``other``."""
    return subtract(intervals, subtract(intervals, other))


def clip(intervals, start, end):
    """The parts of ``intervals`` between ``start`` and ``end``."""
    return intersect(intervals, [(start, end)])


def hours(intervals):
    """Total length of ``intervals`` in hours (overlaps counted once)."""
    return (
        sum((end - start).total_seconds() for start, end in normalise(intervals))
        / 3600.0
    )


def split_by_day(intervals):
    """{date: hours} of ``intervals``, cut at midnight of their own timezone
    (give intervals expressed in the technician's timezone)."""
    days = defaultdict(float)
    for start, end in normalise(intervals):
        cursor = start
        while cursor < end:
            midnight = datetime.combine(
                cursor.date() + timedelta(days=1), time.min, tzinfo=cursor.tzinfo
            )
            if cursor.tzinfo is not None and hasattr(cursor.tzinfo, "localize"):
                # pytz zones: midnight at the day's own offset.
                midnight = cursor.tzinfo.localize(midnight.replace(tzinfo=None))
            stop = min(end, midnight)
            days[cursor.date()] += (stop - cursor).total_seconds() / 3600.0
            cursor = stop
    return dict(days)


def daily_capacity(attendance, holidays, leaves):
    """{date: {"calendar", "holiday", "leave", "capacity"}} in hours.

    ``attendance`` are the calendar's working intervals, ``holidays`` the
    public holidays (leaves of the whole calendar or company), ``leaves`` the
    technician's own approved leave; all in the technician's timezone.
    """
    attendance = normalise(attendance)
    holiday_time = intersect(attendance, holidays)
    after_holidays = subtract(attendance, holidays)
    leave_time = intersect(after_holidays, leaves)
    available = subtract(after_holidays, leaves)
    per = {
        "calendar": split_by_day(attendance),
        "holiday": split_by_day(holiday_time),
        "leave": split_by_day(leave_time),
        "capacity": split_by_day(available),
    }
    days = sorted(set().union(*(figures.keys() for figures in per.values())))
    return {day: {key: round(per[key].get(day, 0.0), 6) for key in per} for day in days}


def leave_days(leaves):
    """The local dates touched by approved leave intervals."""
    return set(split_by_day(leaves))


def ratio(part, whole):
    """``part`` ÷ ``whole`` in percent, rounded to 2 decimals; ``None`` when
    there is no capacity to divide by (a flag, not a zero)."""
    if not whole or whole <= 0:
        return None
    return round(100.0 * part / whole, 2)
