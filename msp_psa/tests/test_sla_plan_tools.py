# Copyright 2026 msp_psa authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from datetime import datetime, timedelta

from odoo.tests import BaseCase

from odoo.addons.msp_psa.tools import sla


def dt(text):
    return datetime.strptime(text, "%Y-%m-%d %H:%M")


def calendar_fetch(hours=(9, 17), days=range(5), holidays=(), reads=None):
    """A calendar as ``msp.sla.policy._get_work_intervals`` gives it: work
    intervals ``hours`` on weekdays ``days`` less ``holidays`` ((start, end)
    pairs), clipped to the window asked; each window asked is logged in
    ``reads``."""

    def fetch(window_start, window_end):
        if reads is not None:
            reads.append((window_start, window_end))
        day = datetime.combine(window_start.date(), datetime.min.time())
        intervals = []
        while day <= window_end:
            if day.weekday() in days:
                start = day + timedelta(hours=hours[0])
                end = day + timedelta(hours=hours[1])
                pieces = [(start, end)]
                for off_start, off_end in holidays:
                    pieces = [
                        piece
                        for begin, stop in pieces
                        for piece in (
                            (begin, min(stop, off_start)),
                            (max(begin, off_end), stop),
                        )
                        if piece[0] < piece[1]
                    ]
                intervals += [
                    (max(begin, window_start), min(stop, window_end))
                    for begin, stop in pieces
                    if max(begin, window_start) < min(stop, window_end)
                ]
            day += timedelta(days=1)
        return intervals

    return fetch


class TestSlaPlanTools(BaseCase):
    """Planning from work intervals read once per calendar and window: office
    hours 9-17 Monday to Friday unless said otherwise (2 March 2026 is a
    Monday)."""

    def clock(self, fetch, start="2026-03-02 00:00", end="2026-03-31 00:00"):
        return sla.WindowClock(fetch, dt(start), dt(end))

    def test_weekend(self):
        clock = self.clock(calendar_fetch())
        # Friday 16:00: one hour on Friday, the next on Monday
        self.assertEqual(
            clock.plan(dt("2026-03-06 16:00"), 120), dt("2026-03-09 10:00")
        )
        self.assertEqual(
            clock.minutes(dt("2026-03-06 16:00"), dt("2026-03-09 10:00")), 120.0
        )
        # from Saturday, 0 minutes is Monday's first working minute
        self.assertEqual(clock.plan(dt("2026-03-07 12:00"), 0), dt("2026-03-09 09:00"))
        self.assertEqual(clock.plan(dt("2026-03-07 12:00"), -5), dt("2026-03-09 09:00"))
        # a deadline at the end of a day is that day's 17:00, not the next 9:00
        self.assertEqual(
            clock.plan(dt("2026-03-06 09:00"), 480), dt("2026-03-06 17:00")
        )
        self.assertEqual(clock.loads, 1)

    def test_holiday(self):
        holiday = (dt("2026-03-09 00:00"), dt("2026-03-10 00:00"))  # Monday
        clock = self.clock(calendar_fetch(holidays=[holiday]))
        self.assertEqual(
            clock.plan(dt("2026-03-06 16:00"), 120), dt("2026-03-10 10:00")
        )
        self.assertEqual(
            clock.minutes(dt("2026-03-06 16:00"), dt("2026-03-10 10:00")), 120.0
        )
        # half a day off: Wednesday morning
        half = (dt("2026-03-11 00:00"), dt("2026-03-11 13:00"))
        clock = self.clock(calendar_fetch(holidays=[half]))
        self.assertEqual(
            clock.plan(dt("2026-03-10 16:00"), 120), dt("2026-03-11 14:00")
        )

    def test_pause_across_a_weekend(self):
        clock = self.clock(calendar_fetch())
        start = dt("2026-03-06 10:00")  # Friday, 8 h to resolve
        pauses = [(dt("2026-03-06 16:00"), dt("2026-03-09 10:00"))]
        self.assertEqual(sla.paused_minutes(clock, start, pauses), 120.0)
        result = sla.target_clock(
            clock, start, pauses, 480, 0.75, dt("2026-03-09 11:00")
        )
        # 8 h + 2 h paused from Friday 10:00: 7 h Friday, 3 h Monday
        self.assertEqual(result.deadline, dt("2026-03-09 12:00"))
        self.assertEqual(result.status, "at_risk")
        self.assertEqual(result.next_check, dt("2026-03-09 12:00"))
        waiting = sla.target_clock(
            clock,
            start,
            [(dt("2026-03-06 15:00"), None)],
            480,
            0.75,
            dt("2026-03-09 11:00"),
        )
        self.assertEqual((waiting.status, waiting.minutes_used), ("running", 300.0))
        self.assertIsNone(waiting.deadline)

    def test_around_the_clock_calendar(self):
        # 0-24 every day, as a calendar of seven full days gives it: the days
        # touch but stay separate intervals
        clock = self.clock(calendar_fetch(hours=(0, 24), days=range(7)))
        start = dt("2026-03-07 22:00")
        self.assertEqual(clock.plan(start, 30 * 60), dt("2026-03-09 04:00"))
        self.assertEqual(clock.minutes(start, dt("2026-03-09 04:00")), 1800.0)
        # across the 14-day steps of plan_hours: still wall-clock time
        self.assertEqual(clock.plan(start, 20 * 24 * 60), start + timedelta(days=20))
        self.assertEqual(
            sla.wall_clock().plan(start, 20 * 24 * 60), start + timedelta(days=20)
        )

    def test_calendar_per_priority(self):
        """Two priorities on two calendars: each calendar read once for all
        the tickets of the batch, each ticket planned on its own."""
        office_reads, extended_reads = [], []
        office = self.clock(calendar_fetch(reads=office_reads))
        extended = self.clock(
            calendar_fetch(hours=(8, 20), days=range(6), reads=extended_reads)
        )
        starts = [dt("2026-03-06 16:00") + timedelta(hours=h) for h in range(0, 60, 3)]
        by_office = [office.plan(start, 240) for start in starts]
        by_extended = [extended.plan(start, 240) for start in starts]
        self.assertEqual(by_office[0], dt("2026-03-09 12:00"))
        self.assertEqual(by_extended[0], dt("2026-03-06 20:00"))
        self.assertEqual(by_extended[3], dt("2026-03-07 12:00"))  # Saturday 8-12
        self.assertEqual((len(office_reads), len(extended_reads)), (1, 1))

    def test_window_too_short_is_extended(self):
        reads = []
        clock = self.clock(
            calendar_fetch(reads=reads), "2026-03-02 00:00", "2026-03-03 00:00"
        )
        # 40 h from Monday 9:00 ends Friday 17:00, beyond the first window
        self.assertEqual(
            clock.plan(dt("2026-03-02 09:00"), 2400), dt("2026-03-06 17:00")
        )
        self.assertEqual(len(reads), 2)
        self.assertEqual(reads[1][0], dt("2026-03-02 00:00"))
        self.assertGreaterEqual(reads[1][1], dt("2026-03-06 17:00"))
        # a start before the window: read again from there
        self.assertEqual(
            clock.minutes(dt("2026-02-27 16:00"), dt("2026-03-02 10:00")), 120.0
        )
        self.assertEqual(reads[2][0], dt("2026-02-27 16:00"))
        # inside what was read: no more reads
        clock.plan(dt("2026-03-03 09:00"), 60)
        self.assertEqual(len(reads), 3)

    def test_no_working_time_within_the_horizon(self):
        reads = []
        clock = self.clock(calendar_fetch(days=(), reads=reads))
        self.assertIsNone(clock.plan(dt("2026-03-02 09:00"), 60))
        # the window grew to the four-year horizon of plan_hours, then stopped
        self.assertGreaterEqual(reads[-1][1], dt("2026-03-02 09:00") + sla.PLAN_HORIZON)
        self.assertLess(len(reads), 12)
        # working time past the horizon does not count either
        late = dt("2026-03-02 09:00") + sla.PLAN_HORIZON + timedelta(hours=1)
        self.assertIsNone(
            sla.plan_minutes(
                [(late, late + timedelta(hours=8))],
                [late],
                dt("2026-03-02 09:00"),
                60,
            )
        )

    def test_plan_minutes_steps_and_rounding(self):
        intervals = [(dt("2026-03-02 09:00"), dt("2026-03-02 17:00"))]
        starts = [intervals[0][0]]
        # to the second, as _plan_minutes rounds
        self.assertEqual(
            sla.plan_minutes(intervals, starts, dt("2026-03-02 09:00"), 0.01),
            dt("2026-03-02 09:00"),
        )
        self.assertEqual(
            sla.plan_minutes(intervals, starts, dt("2026-03-02 09:00"), 1.5),
            datetime(2026, 3, 2, 9, 1, 30),
        )
        with self.assertRaises(sla.OutOfWindow):
            sla.plan_minutes(
                intervals, starts, dt("2026-03-02 09:00"), 600, complete=False
            )
        self.assertIsNone(
            sla.plan_minutes(intervals, starts, dt("2026-03-02 09:00"), 600)
        )
        # business minutes: hours summed, then minutes to the hundredth
        self.assertEqual(
            sla.business_minutes(
                intervals,
                starts,
                datetime(2026, 3, 2, 9, 0, 0),
                datetime(2026, 3, 2, 9, 0, 1),
            ),
            0.02,
        )
        # an interval across a 14-day step counts as two pieces, as in
        # plan_hours: the hours left after them decide between the evening's
        # end and the next morning's start
        clock = self.clock(
            calendar_fetch(hours=(6.1, 21.6), days=range(7)),
            "2026-03-04 00:00",
            "2026-04-30 00:00",
        )
        self.assertEqual(
            clock.plan(dt("2026-03-04 14:59"), 18067), dt("2026-03-24 06:06")
        )
