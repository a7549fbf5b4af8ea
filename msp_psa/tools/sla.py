# Copyright 2026 msp_psa authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""The SLA clock of one ticket (no ORM, scalar arguments only).

Time is counted on a *clock*: two functions over naive UTC datetimes, the
business minutes between two moments and the moment at which a number of
business minutes has elapsed from another. The model builds the clock from the
target's calendar (``resource.calendar`` through ``msp.sla.policy``'s
``_business_minutes`` and ``_plan_minutes``); :func:`wall_clock` is 24×7 and
:func:`interval_clock` runs on a list of work intervals.

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


def interval_clock(intervals):
    """Business time inside ``intervals``, (start, end) pairs of working time
    in order and not overlapping (as a calendar's work intervals are)."""
    intervals = [(start, end) for start, end in intervals if end > start]
    starts = [start for start, _end in intervals]

    def minutes(start, end):
        if not start or not end or end <= start:
            return 0.0
        total = 0.0
        for work_start, work_end in intervals[
            max(bisect_right(starts, start) - 1, 0) :
        ]:
            if work_start >= end:
                break
            overlap = min(end, work_end) - max(start, work_start)
            if overlap > timedelta(0):
                total += overlap.total_seconds() / 60
        return total

    def plan(start, minutes):
        left = timedelta(minutes=max(minutes, 0.0))
        for work_start, work_end in intervals:
            if work_end <= start:
                continue
            begin = max(start, work_start)
            if begin + left <= work_end:
                return begin + left
            left -= work_end - begin
        return None

    return Clock(minutes, plan)


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
