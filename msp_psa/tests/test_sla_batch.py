# Copyright 2026 msp_psa authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from collections import Counter
from contextlib import contextmanager
from datetime import datetime, timedelta
from unittest.mock import patch

from freezegun import freeze_time

from odoo import Command
from odoo.tests import tagged

from .common import MspHelpdeskCommon, make_38h_calendar


def dt(text):
    return datetime.strptime(text, "%Y-%m-%d %H:%M")


def make_calendar(env, name, hours, days, tz="UTC"):
    return env["resource.calendar"].create(
        {
            "name": name,
            "tz": tz,
            "attendance_ids": [Command.clear()]
            + [
                Command.create(
                    {
                        "name": f"Day {day}",
                        "dayofweek": str(day),
                        "hour_from": hours[0],
                        "hour_to": hours[1],
                        "day_period": "morning",
                    }
                )
                for day in days
            ],
        }
    )


@tagged("post_install", "-at_install")
class TestSlaBatch(MspHelpdeskCommon):
    """The SLA clock of a batch reads each calendar's work intervals once and
    plans every ticket from them, to the second what resource.calendar gives;
    a holiday replans the open tickets it can move, and only those."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.office = make_calendar(cls.env, "Office 9-17", (9, 17), range(5))
        cls.extended = make_calendar(cls.env, "Extended 8-20", (8, 20), range(6))
        cls.stage_new = cls.env.ref("helpdesk_mgmt.helpdesk_ticket_stage_new")
        cls.policy = cls.env["msp.sla.policy"].create(
            {
                "name": "Standard",
                "calendar_id": cls.office.id,
                "line_ids": [
                    Command.create(
                        {"priority": "1", "response_hours": 1, "resolution_hours": 8}
                    ),
                    Command.create(
                        {
                            "priority": "2",
                            "response_hours": 1,
                            "resolution_hours": 24,
                            "calendar_id": cls.extended.id,
                        }
                    ),
                ],
            }
        )
        cls.agreement = cls._create_agreement(
            fixed_fee=500.0,
            fee_product_id=cls.product_fee.id,
            sla_policy_id=cls.policy.id,
        )
        cls.agreement.action_activate()
        cls.Policy = cls.env["msp.sla.policy"]

    def _tickets(self, start, priorities):
        with freeze_time(start):
            return self.env["helpdesk.ticket"].create(
                [
                    {
                        "name": f"Ticket {i}",
                        "description": "<p>Down.</p>",
                        "partner_id": self.client_contact.id,
                        "priority": priority,
                        "stage_id": self.stage_new.id,
                    }
                    for i, priority in enumerate(priorities)
                ]
            )

    @contextmanager
    def _calendar_reads(self):
        """Counts the reads of work intervals per calendar."""
        Calendar = type(self.env["resource.calendar"])
        original = Calendar._work_intervals_batch
        reads = Counter()

        def counting(calendar, *args, **kwargs):
            reads[calendar.name] += 1
            return original(calendar, *args, **kwargs)

        with patch.object(Calendar, "_work_intervals_batch", counting):
            yield reads

    def test_batch_planner_equals_resource_calendar(self):
        """A grid of starts around both DST changes of Brussels, on a 38-hour
        week with lunch breaks and on a 24×7 calendar, with a holiday of the
        calendar, a company-wide one and a leave across the spring change."""
        office = make_38h_calendar(self.env)
        full = make_calendar(
            self.env, "Brussels 24x7", (0, 24), range(7), tz="Europe/Brussels"
        )
        Leave = self.env["resource.calendar.leaves"]
        for calendar in (office, full):
            Leave.create(
                [
                    {  # Easter Monday, Brussels time
                        "name": "Easter Monday",
                        "calendar_id": calendar.id,
                        "date_from": dt("2026-04-05 22:00"),
                        "date_to": dt("2026-04-06 21:59"),
                    },
                    {
                        "name": "Across the spring change",
                        "calendar_id": calendar.id,
                        "date_from": dt("2026-03-28 23:30"),
                        "date_to": dt("2026-03-29 03:15"),
                    },
                ]
            )
        Leave.create(
            {
                "name": "Company afternoon off",
                "calendar_id": False,
                "date_from": dt("2026-10-23 11:00"),
                "date_to": dt("2026-10-23 16:00"),
            }
        )
        starts = [
            dt(first) + timedelta(minutes=601 * i)
            for first in ("2026-03-24 00:00", "2026-10-19 00:00")
            for i in range(24)
        ]
        checked = 0
        for calendar in (office, full):
            # a window too short for most figures: widened as they need
            clock = self.Policy._get_clock(calendar, starts[0], starts[0])
            for start in starts:
                for minutes in (0, 1, 59.5, 217.5, 456, 2400):
                    expected = self.Policy._plan_minutes(calendar, start, minutes)
                    self.assertEqual(
                        clock.plan(start, minutes),
                        expected,
                        f"{calendar.name}: {minutes} min from {start}",
                    )
                    checked += 1
                for hours in (1, 30, 200):
                    end = start + timedelta(hours=hours, seconds=7)
                    self.assertEqual(
                        clock.minutes(start, end),
                        self.Policy._business_minutes(calendar, start, end),
                        f"{calendar.name}: minutes {start} to {end}",
                    )
        self.assertEqual(checked, 2 * 48 * 6)
        # plan_hours's 14-day steps cut an interval in two, and the hours left
        # after the pieces are not those after the whole interval: here the
        # deadline is the next morning's start, not the evening's end
        edge = make_calendar(self.env, "Edge", (6.1, 21.6), range(7))
        clock = self.Policy._get_clock(edge, dt("2026-03-04 14:59"))
        self.assertEqual(
            self.Policy._plan_minutes(edge, dt("2026-03-04 14:59"), 18067),
            dt("2026-03-24 06:06"),
        )
        self.assertEqual(
            clock.plan(dt("2026-03-04 14:59"), 18067), dt("2026-03-24 06:06")
        )

    def test_create_reads_each_calendar_once(self):
        with self._calendar_reads() as reads:
            tickets = self._tickets("2026-01-09 10:00", ["1", "2"] * 20)  # Friday
        self.assertEqual(
            reads, Counter({"Office 9-17": 1, "Extended 8-20": 1}), "not per ticket"
        )
        office = tickets.filtered(lambda t: t.priority == "1")
        extended = tickets - office
        # office: 8 h from Friday 10:00 is Monday 10:00
        self.assertEqual(
            set(office.mapped("msp_resolution_deadline")), {dt("2026-01-12 10:00")}
        )
        # the priority's own hours, 8-20 Monday to Saturday: Friday 10-20,
        # Saturday 8-20, Monday 8-10
        self.assertEqual(
            set(extended.mapped("msp_resolution_deadline")), {dt("2026-01-12 10:00")}
        )
        self.assertEqual(
            set(extended.mapped("msp_response_deadline")), {dt("2026-01-09 11:00")}
        )

    def test_cron_and_time_remaining_read_each_calendar_once(self):
        tickets = self._tickets("2026-01-09 10:00", ["1", "2"] * 10)
        tickets += self._tickets("2026-01-09 13:00", ["1", "2"] * 10)
        with freeze_time("2026-01-09 14:00"):
            # a policy change marks every open ticket due
            self.policy.at_risk_percent = 50
            due = tickets.filtered(
                lambda t: t.msp_sla_next_check <= dt("2026-01-09 14:00")
            )
            self.assertEqual(due, tickets)
            with self._calendar_reads() as reads:
                self.env["helpdesk.ticket"]._cron_msp_sla_check()
            self.assertEqual(reads, Counter({"Office 9-17": 1, "Extended 8-20": 1}))
            # at risk from half the target: response 10:30 / 13:30
            self.assertEqual(
                set(tickets[:20].mapped("msp_response_status")), {"breached"}
            )
            self.assertEqual(
                set(tickets[20:].mapped("msp_response_status")), {"at_risk"}
            )
            tickets.invalidate_recordset(["msp_sla_remaining_hours"])
            with self._calendar_reads() as reads:
                remaining = tickets.mapped("msp_sla_remaining_hours")
            self.assertEqual(reads, Counter({"Office 9-17": 1, "Extended 8-20": 1}))
        # the first open target of each: the response, 1 h from 10:00 or 13:00
        self.assertEqual(remaining, [-3.0] * 20 + [0.0] * 20)

    def test_holiday_replans_the_tickets_it_can_move(self):
        early = self._tickets("2026-01-05 09:00", ["1"])  # due Monday 5th 17:00
        moved, extended = self._tickets("2026-01-09 10:00", ["1", "2"])
        self.assertEqual(moved.msp_resolution_deadline, dt("2026-01-12 10:00"))
        self.assertEqual(extended.msp_resolution_deadline, dt("2026-01-12 10:00"))
        Leave = self.env["resource.calendar.leaves"]
        Ticket = self.env["helpdesk.ticket"]
        checks = {t: t.msp_sla_next_check for t in early | moved | extended}

        def marked():
            return {t for t, check in checks.items() if t.msp_sla_next_check != check}

        with freeze_time("2026-01-09 11:00"):
            holiday = Leave.create(
                {
                    "name": "Bank holiday",
                    "calendar_id": self.office.id,
                    "date_from": dt("2026-01-12 00:00"),
                    "date_to": dt("2026-01-12 23:59"),
                }
            )
            # only the ticket on the office calendar whose window reaches
            # Monday: not the one due before, not the one on other hours
            self.assertEqual(marked(), {moved})
            Ticket._cron_msp_sla_check()
        self.assertEqual(moved.msp_resolution_deadline, dt("2026-01-13 10:00"))
        self.assertEqual(extended.msp_resolution_deadline, dt("2026-01-12 10:00"))
        checks = {t: t.msp_sla_next_check for t in early | moved | extended}
        with freeze_time("2026-01-09 11:10"):
            # moved to the priority's own calendar: that ticket, not the others
            holiday.calendar_id = self.extended
            self.assertEqual(marked(), {moved, extended})
            Ticket._cron_msp_sla_check()
        self.assertEqual(moved.msp_resolution_deadline, dt("2026-01-12 10:00"))
        # Friday 10-20, Saturday 8-20, Monday off, Tuesday 8-10
        self.assertEqual(extended.msp_resolution_deadline, dt("2026-01-13 10:00"))
        checks = {t: t.msp_sla_next_check for t in early | moved | extended}
        with freeze_time("2026-01-09 11:20"):
            holiday.unlink()
            self.assertEqual(marked(), {extended})
            Ticket._cron_msp_sla_check()
        self.assertEqual(extended.msp_resolution_deadline, dt("2026-01-12 10:00"))
        checks = {t: t.msp_sla_next_check for t in early | moved | extended}
        with freeze_time("2026-01-09 11:30"):
            # a holiday of every calendar, and a leave of one person
            Leave.create(
                {
                    "name": "Company day off",
                    "calendar_id": False,
                    "date_from": dt("2026-01-12 00:00"),
                    "date_to": dt("2026-01-12 23:59"),
                }
            )
            self.assertEqual(marked(), {moved, extended})
            Ticket._cron_msp_sla_check()
            self.assertEqual(moved.msp_resolution_deadline, dt("2026-01-13 10:00"))
            checks = {t: t.msp_sla_next_check for t in early | moved | extended}
            Leave.create(
                {
                    "name": "Dentist",
                    "calendar_id": self.office.id,
                    "resource_id": self.env["resource.resource"]
                    .create({"name": "Tech", "calendar_id": self.office.id})
                    .id,
                    "date_from": dt("2026-01-09 12:00"),
                    "date_to": dt("2026-01-09 14:00"),
                }
            )
            self.assertEqual(marked(), set(), "one person's leave moves no SLA")
