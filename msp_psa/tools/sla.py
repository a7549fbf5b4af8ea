# Copyright 2026 msp_psa authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""The SLA clock of one ticket (no ORM, scalar arguments only).

Time is counted on a *clock*: two functions over naive UTC datetimes, the
business minutes between two moments and the moment at which a number of
business minutes has elapsed from another. :func:`wall_clock` is 24×7;
:func:`interval_clock` runs on a fixed list of work intervals and
:class:`WindowClock` on the work intervals of a calendar read for a time
window (``msp.sla.policy._get_clock`` reads them once for all the tickets of a
batch), extending the window when a figure reaches beyond it.
:func:`business_minutes` and :func:`plan_minutes` give, from the intervals,
the figures ``resource.calendar``'s ``get_work_hours_count`` and
``plan_hours`` would give (same rounding, same 14-day steps, same four-year
horizon).

A ticket's clock starts at ``start``; it stands still during its pauses,
``(date_start, date_end)`` pairs in order, the last one open (``date_end``
empty) while the ticket waits.
"""

from bisect import bisect_right
from collections.abc import Callable
from datetime import timedelta
from typing import NamedTuple


class Clock(NamedTuple):
    """Business time: ``minutes(start, end)`` between two datetimes (0 when
    ``end`` is not after ``start``), ``plan(start, minutes)`` the datetime at
    which ``minutes`` have elapsed from ``start``."""

    minutes: Callable
    plan: Callable


def wall_clock():
    """24×7: every minute counts."""

    def minutes(start, end):
        if not start or not end or end <= start:
            return 0.0
        return (end - start).total_seconds() / 60

    def plan(start, minutes):
        return start + timedelta(minutes=minutes)

    return Clock(minutes, plan)


# resource.calendar.plan_hours looks for working time 14 days at a time, at
# most 100 times: a plan further than that from its start has no answer.
PLAN_STEP = timedelta(days=14)
PLAN_STEPS = 100
PLAN_HORIZON = PLAN_STEP * PLAN_STEPS


class OutOfWindow(Exception):
    """The figure needs work intervals beyond the window they were read for."""


def business_minutes(intervals, starts, start, end):
    """Business minutes between ``start`` and ``end`` inside ``intervals``
    (sorted, disjoint (start, end) pairs; ``starts`` their starts), rounded
    as ``msp.sla.policy._business_minutes`` rounds calendar hours: the hours
    of each piece summed in order, then minutes to the hundredth."""
    if not start or not end or end <= start:
        return 0.0
    hours = 0.0
    for work_start, work_end in intervals[max(bisect_right(starts, start) - 1, 0) :]:
        if work_start >= end:
            break
        begin, stop = max(work_start, start), min(work_end, end)
        if begin < stop:
            hours += (stop - begin).total_seconds() / 3600
    return round(hours * 60, 2)


def plan_minutes(intervals, starts, start, minutes, complete=True):
    """The moment (to the second) at which ``minutes`` business minutes have
    elapsed from ``start`` inside ``intervals``; 0 or less: the next working
    moment. None when there is no such moment within :data:`PLAN_HORIZON`.

    Walks the intervals in the 14-day steps of ``resource.calendar.plan_hours``
    (an interval across a step counts as two pieces), so that the figure is
    the one the calendar gives to the microsecond. When the intervals run out
    before the horizon and ``complete`` is false (they were read for a window
    that ends there), raises :class:`OutOfWindow`.
    """
    hours = max(minutes, 0.0) / 60
    first = max(bisect_right(starts, start) - 1, 0)
    for work_start, work_end in intervals[first:]:
        begin = max(work_start, start)
        while begin < work_end:
            step = (begin - start) // PLAN_STEP
            if step >= PLAN_STEPS:
                return None
            stop = min(work_end, start + PLAN_STEP * (step + 1))
            piece = (stop - begin).total_seconds() / 3600
            if hours <= piece:
                return (begin + timedelta(hours=hours)).replace(microsecond=0)
            hours -= piece
            begin = stop
    if complete:
        return None
    raise OutOfWindow()


def _sorted_intervals(intervals):
    intervals = sorted((start, end) for start, end in intervals if end > start)
    return intervals, [start for start, _end in intervals]


def interval_clock(intervals):
    """Business time inside ``intervals``, (start, end) pairs of working time
    not overlapping (as a calendar's work intervals are); no working time
    outside them."""
    intervals, starts = _sorted_intervals(intervals)

    def minutes(start, end):
        return business_minutes(intervals, starts, start, end)

    def plan(start, minutes):
        return plan_minutes(intervals, starts, start, minutes)

    return Clock(minutes, plan)


class WindowClock:
    """Business time on the work intervals of one calendar, read by
    ``fetch(window_start, window_end)`` (naive UTC datetimes in, sorted
    disjoint (start, end) pairs out) for a window: first the one given, then,
    when a figure needs time outside it, a window widened to cover it (at
    least doubled towards the future), read again and the figure retried.

    Every ticket of a batch on the calendar is counted and planned from the
    same read; ``loads`` counts the reads."""

    def __init__(self, fetch, window_start, window_end):
        self._fetch = fetch
        self.loads = 0
        self.window = None
        self._load(window_start, window_end)

    def _load(self, window_start, window_end):
        self._intervals, self._starts = _sorted_intervals(
            self._fetch(window_start, window_end)
        )
        self.window = (window_start, window_end)
        self.loads += 1

    def _cover(self, start, end):
        low, high = self.window
        if start < low or end > high:
            self._load(min(low, start), max(high, end))

    def minutes(self, start, end):
        if not start or not end or end <= start:
            return 0.0
        self._cover(start, end)
        return business_minutes(self._intervals, self._starts, start, end)

    def plan(self, start, minutes):
        self._cover(start, start)
        while True:
            horizon = start + PLAN_HORIZON
            try:
                return plan_minutes(
                    self._intervals,
                    self._starts,
                    start,
                    minutes,
                    complete=self.window[1] >= horizon,
                )
            except OutOfWindow:
                low, high = self.window
                grown = high + max(high - low, timedelta(days=30))
                self._cover(start, min(grown, horizon))


def paused_minutes(clock, start, pauses, until=None):
    """Business minutes the clock stood still from ``start``: in the closed
    pauses when ``until`` is empty, else in every pause begun before ``until``,
    counted up to ``until``."""
    if until is None:
        return sum(
            clock.minutes(max(pause_start, start), pause_end)
            for pause_start, pause_end in pauses
            if pause_end
        )
    return sum(
        clock.minutes(max(pause_start, start), min(pause_end or until, until))
        for pause_start, pause_end in pauses
        if pause_start < until
    )


def elapsed_minutes(clock, start, pauses, at):
    """Business minutes the clock ran from ``start`` to ``at``, pauses
    excluded."""
    return clock.minutes(start, at) - paused_minutes(clock, start, pauses, at)


class TargetClock(NamedTuple):
    """Where one target (first response or resolution) stands.

    ``status`` is none, running, at_risk, met or breached. ``deadline`` is
    empty without a target and while the ticket waits (the clock stands
    still, so the deadline moves). ``minutes_used`` is measured when the clock
    stands for the target: done (the time to respond or resolve) or paused
    (the time used so far); empty while it runs. ``next_check`` is when the
    status can next change by the clock alone (the at-risk point, then the
    deadline); empty when it cannot.
    """

    deadline: object = None
    status: str = "none"
    minutes_used: float | None = None
    next_check: object = None


def target_clock(clock, start, pauses, target, at_risk_share, now, done_at=None):
    """The state of a target of ``target`` business minutes (0: no target) at
    ``now``; ``done_at`` is when it was done (first response, closing).

    The deadline is planned from ``start`` for the target plus the time
    paused, so that a change of target (priority, agreement) keeps the pauses.
    """
    if not target:
        return TargetClock()
    if done_at:
        paused = paused_minutes(clock, start, pauses, done_at)
        used = clock.minutes(start, done_at) - paused
        return TargetClock(
            deadline=clock.plan(start, target + paused),
            status="met" if used <= target else "breached",
            minutes_used=used,
        )
    open_pause_start = next((begin for begin, end in pauses if not end), None)
    if open_pause_start:
        used = elapsed_minutes(clock, start, pauses, open_pause_start)
        if used > target:
            status = "breached"
        elif used >= at_risk_share * target:
            status = "at_risk"
        else:
            status = "running"
        return TargetClock(status=status, minutes_used=used)
    paused = paused_minutes(clock, start, pauses)
    deadline = clock.plan(start, target + paused)
    at_risk = clock.plan(start, at_risk_share * target + paused)
    if now > deadline:
        return TargetClock(deadline=deadline, status="breached")
    if now >= at_risk:
        return TargetClock(deadline=deadline, status="at_risk", next_check=deadline)
    return TargetClock(deadline=deadline, status="running", next_check=at_risk)


def overall_state(*statuses, paused=False):
    """One SLA state from the statuses of the response and resolution targets.

    A breach is final; otherwise a ticket whose clock stands still (in a pause
    stage) is paused, whatever share of its targets has elapsed.
    """
    statuses = [status for status in statuses if status != "none"]
    if not statuses:
        return "none"
    if "breached" in statuses:
        return "breached"
    if all(status == "met" for status in statuses):
        return "met"
    if paused:
        return "paused"
    if "at_risk" in statuses:
        return "at_risk"
    return "on_track"


def next_check(*targets):
    """The earliest moment a target's status can change by the clock alone."""
    checks = [target.next_check for target in targets if target.next_check]
    return min(checks) if checks else None
