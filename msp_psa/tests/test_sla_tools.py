# Copyright 2026 msp_psa authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from datetime import datetime, timedelta

from odoo.tests import BaseCase

from odoo.addons.msp_psa.tools import sla


def dt(text):
    return datetime.strptime(text, "%Y-%m-%d %H:%M")


def office_hours(first="2026-03-02", weeks=3):
    """9-17 Monday to Friday from Monday ``first``, as a calendar's work
    intervals."""
    monday = dt(f"{first} 00:00")
    return [
        (day + timedelta(hours=9), day + timedelta(hours=17))
        for day in (monday + timedelta(days=n) for n in range(7 * weeks))
        if day.weekday() < 5
    ]


class TestSlaTools(BaseCase):
    """The clock of one target, without records: office hours 9-17 Monday to
    Friday (2 March 2026 is a Monday), a 4-hour target, at risk from 75 %."""

    def setUp(self):
        super().setUp()
        self.office = sla.interval_clock(office_hours())
        self.start = dt("2026-03-02 10:00")

    def target(self, now, pauses=(), target=240, done_at=None):
        return sla.target_clock(
            self.office, self.start, list(pauses), target, 0.75, now, done_at
        )

    def test_interval_clock(self):
        clock = self.office
        # Friday 16:00 to Monday 10:00: one hour on Friday, one on Monday
        self.assertEqual(
            clock.minutes(dt("2026-03-06 16:00"), dt("2026-03-09 10:00")), 120
        )
        self.assertEqual(
            clock.minutes(dt("2026-03-07 10:00"), dt("2026-03-07 12:00")), 0
        )
        self.assertEqual(
            clock.minutes(dt("2026-03-09 10:00"), dt("2026-03-06 16:00")), 0
        )
        self.assertEqual(
            clock.plan(dt("2026-03-06 16:00"), 120), dt("2026-03-09 10:00")
        )
        # out of hours, the clock starts at the next working minute
        self.assertEqual(clock.plan(dt("2026-03-07 12:00"), 0), dt("2026-03-09 09:00"))
        self.assertIsNone(clock.plan(dt("2026-03-20 16:00"), 600))

    def test_on_track(self):
        result = self.target(dt("2026-03-02 11:00"))
        self.assertEqual(result.status, "running")
        self.assertEqual(result.deadline, dt("2026-03-02 14:00"))
        # at risk once 3 of the 4 hours have elapsed
        self.assertEqual(result.next_check, dt("2026-03-02 13:00"))
        self.assertIsNone(result.minutes_used)

    def test_at_risk(self):
        result = self.target(dt("2026-03-02 13:00"))
        self.assertEqual(result.status, "at_risk")
        self.assertEqual(result.next_check, dt("2026-03-02 14:00"))

    def test_breached(self):
        result = self.target(dt("2026-03-02 14:01"))
        self.assertEqual(result.status, "breached")
        self.assertEqual(result.deadline, dt("2026-03-02 14:00"))
        self.assertIsNone(result.next_check)

    def test_deadline_across_the_night_and_weekend(self):
        start = dt("2026-03-06 15:00")  # Friday
        result = sla.target_clock(
            self.office, start, [], 240, 0.75, dt("2026-03-06 16:00")
        )
        self.assertEqual(result.deadline, dt("2026-03-09 11:00"))
        self.assertEqual(result.next_check, dt("2026-03-09 10:00"))

    def test_met_and_done_after_the_deadline(self):
        met = self.target(dt("2026-03-03 12:00"), done_at=dt("2026-03-02 13:30"))
        self.assertEqual(met.status, "met")
        self.assertEqual(met.minutes_used, 210)
        self.assertEqual(met.deadline, dt("2026-03-02 14:00"))
        self.assertIsNone(met.next_check)
        # done exactly at the deadline is met
        self.assertEqual(
            self.target(dt("2026-03-03 12:00"), done_at=dt("2026-03-02 14:00")).status,
            "met",
        )
        late = self.target(dt("2026-03-03 12:00"), done_at=dt("2026-03-03 10:00"))
        self.assertEqual(late.status, "breached")
        self.assertEqual(late.minutes_used, 480)  # 10-17, then 9-10

    def test_closed_pauses_move_the_deadline(self):
        # waited on the client 11:00-12:30 Monday and 16:00 Monday to 9:30
        # Tuesday: 1.5 hours, then 1.5 business hours
        pauses = [
            (dt("2026-03-02 11:00"), dt("2026-03-02 12:30")),
            (dt("2026-03-02 16:00"), dt("2026-03-03 09:30")),
        ]
        self.assertEqual(sla.paused_minutes(self.office, self.start, pauses), 180)
        result = self.target(dt("2026-03-02 13:00"), pauses, target=480)
        self.assertEqual(result.status, "running")
        # 8 hours + 3 paused from Monday 10:00: 7 on Monday, 4 on Tuesday
        self.assertEqual(result.deadline, dt("2026-03-03 13:00"))
        self.assertEqual(result.next_check, dt("2026-03-03 11:00"))
        done = self.target(
            dt("2026-03-03 12:00"), pauses, target=480, done_at=dt("2026-03-03 11:00")
        )
        self.assertEqual((done.status, done.minutes_used), ("met", 360))
        # a pause begun before the clock started counts from the start
        early = [(dt("2026-03-02 09:00"), dt("2026-03-02 11:00"))]
        self.assertEqual(sla.paused_minutes(self.office, self.start, early), 60)

    def test_pause_open_at_now(self):
        pauses = [
            (dt("2026-03-02 11:00"), dt("2026-03-02 12:00")),
            (dt("2026-03-02 13:00"), None),
        ]
        # stands still: 2 hours used (10-11, 12-13) whenever it is asked
        for now in (dt("2026-03-02 14:00"), dt("2026-03-05 14:00")):
            result = self.target(now, pauses)
            self.assertEqual(result.status, "running")
            self.assertEqual(result.minutes_used, 120)
            self.assertIsNone(result.deadline)
            self.assertIsNone(result.next_check)
        # the open pause is not among the closed pauses
        self.assertEqual(sla.paused_minutes(self.office, self.start, pauses), 60)
        # paused once 3 of the 4 hours were used: at risk; beyond 4: breached
        self.assertEqual(
            self.target(
                dt("2026-03-03 14:00"), [(dt("2026-03-02 13:00"), None)]
            ).status,
            "at_risk",
        )
        self.assertEqual(
            self.target(
                dt("2026-03-04 14:00"), [(dt("2026-03-02 15:00"), None)]
            ).status,
            "breached",
        )
        # responded while paused: the pause counts up to the response
        done = self.target(
            dt("2026-03-03 14:00"),
            [(dt("2026-03-02 11:00"), None)],
            done_at=dt("2026-03-02 12:00"),
        )
        self.assertEqual((done.status, done.minutes_used), ("met", 60))
        self.assertEqual(done.deadline, dt("2026-03-02 15:00"))

    def test_around_the_clock(self):
        clock = sla.wall_clock()
        start = dt("2026-03-07 22:00")  # a Saturday night
        result = sla.target_clock(clock, start, [], 240, 0.75, dt("2026-03-07 23:00"))
        self.assertEqual(result.deadline, dt("2026-03-08 02:00"))
        self.assertEqual(result.next_check, dt("2026-03-08 01:00"))
        pauses = [(dt("2026-03-07 23:00"), dt("2026-03-08 00:30"))]
        self.assertEqual(
            sla.target_clock(clock, start, pauses, 240, 0.75, start).deadline,
            dt("2026-03-08 03:30"),
        )
        self.assertEqual(clock.minutes(start, start - timedelta(hours=1)), 0.0)

    def test_no_target(self):
        result = self.target(dt("2026-03-02 11:00"), target=0, done_at=self.start)
        self.assertEqual(result, sla.TargetClock())
        self.assertEqual(result.status, "none")

    def test_overall_state_and_next_check(self):
        self.assertEqual(sla.overall_state("none", "none"), "none")
        self.assertEqual(sla.overall_state("met", "breached", paused=True), "breached")
        self.assertEqual(sla.overall_state("met", "none"), "met")
        self.assertEqual(sla.overall_state("met", "at_risk", paused=True), "paused")
        self.assertEqual(sla.overall_state("running", "at_risk"), "at_risk")
        self.assertEqual(sla.overall_state("met", "running"), "on_track")
        running = self.target(dt("2026-03-02 11:00"))
        at_risk = self.target(dt("2026-03-02 13:30"))
        self.assertEqual(
            sla.next_check(running, at_risk, sla.TargetClock()),
            dt("2026-03-02 13:00"),
        )
        self.assertIsNone(sla.next_check(sla.TargetClock()))
