# Copyright 2026 msp_psa authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from datetime import datetime

from freezegun import freeze_time

from odoo import Command
from odoo.tests import new_test_user, tagged

from .common import MspHelpdeskCommon


def dt(text):
    return datetime.strptime(text, "%Y-%m-%d %H:%M")


@tagged("post_install", "-at_install")
class TestSla(MspHelpdeskCommon):
    """The SLA clock runs in business minutes on the policy's calendar, stops
    while the ticket waits on the customer, and escalates once."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # 9-17 Monday to Friday, in UTC so the figures read as written.
        cls.calendar = cls.env["resource.calendar"].create(
            {
                "name": "Office 9-17",
                "tz": "UTC",
                "attendance_ids": [Command.clear()]
                + [
                    Command.create(
                        {
                            "name": f"Day {day}",
                            "dayofweek": str(day),
                            "hour_from": 9,
                            "hour_to": 17,
                            "day_period": "morning",
                        }
                    )
                    for day in range(5)
                ],
            }
        )
        cls.stage_new = cls.env.ref("helpdesk_mgmt.helpdesk_ticket_stage_new")
        cls.stage_waiting = cls.env.ref("helpdesk_mgmt.helpdesk_ticket_stage_awaiting")
        cls.stage_progress = cls.env.ref(
            "helpdesk_mgmt.helpdesk_ticket_stage_in_progress"
        )
        cls.stage_done = cls.env.ref("helpdesk_mgmt.helpdesk_ticket_stage_done")
        cls.stage_done.mail_template_id = False
        cls.policy = cls.env["msp.sla.policy"].create(
            {
                "name": "Standard",
                "calendar_id": cls.calendar.id,
                "pause_stage_ids": [Command.set(cls.stage_waiting.ids)],
                "at_risk_percent": 75,
                "line_ids": [
                    Command.create(
                        {"priority": "1", "response_hours": 1, "resolution_hours": 8}
                    ),
                    Command.create(
                        {"priority": "2", "response_hours": 1, "resolution_hours": 4}
                    ),
                    Command.create(
                        {
                            "priority": "3",
                            "response_hours": 0.5,
                            "resolution_hours": 4,
                            "around_the_clock": True,
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
        cls.tech = new_test_user(
            cls.env, login="tech", groups="helpdesk_mgmt.group_helpdesk_user"
        )

    def _ticket(self, start, priority="1", **vals):
        with freeze_time(start):
            return self.env["helpdesk.ticket"].create(
                {
                    "name": "Printer down",
                    "description": "<p>It does not print.</p>",
                    "partner_id": self.client_contact.id,
                    "priority": priority,
                    "stage_id": self.stage_new.id,
                    **vals,
                }
            )

    def _move(self, ticket, when, stage):
        with freeze_time(when):
            ticket.stage_id = stage

    def test_deadlines_in_business_hours_across_the_weekend(self):
        ticket = self._ticket("2026-01-09 15:00", priority="2")  # a Friday
        self.assertEqual(ticket.msp_agreement_id, self.agreement)
        self.assertEqual(ticket.msp_sla_policy_id, self.policy)
        self.assertEqual(ticket.msp_response_deadline, dt("2026-01-09 16:00"))
        # 4 h: Friday 15-17, then Monday 9-11
        self.assertEqual(ticket.msp_resolution_deadline, dt("2026-01-12 11:00"))
        self.assertEqual(ticket.msp_sla_state, "on_track")

    def test_public_holiday_is_not_business_time(self):
        self.env["resource.calendar.leaves"].create(
            {
                "name": "Bank holiday",
                "calendar_id": self.calendar.id,
                "date_from": dt("2026-01-12 00:00"),
                "date_to": dt("2026-01-12 23:59"),
            }
        )
        ticket = self._ticket("2026-01-09 15:00", priority="2")
        self.assertEqual(ticket.msp_resolution_deadline, dt("2026-01-13 11:00"))

    def test_around_the_clock_priority(self):
        ticket = self._ticket("2026-01-09 22:00", priority="3")
        self.assertEqual(ticket.msp_response_deadline, dt("2026-01-09 22:30"))
        self.assertEqual(ticket.msp_resolution_deadline, dt("2026-01-10 02:00"))

    def test_pause_over_the_weekend_counts_business_time_only(self):
        ticket = self._ticket("2026-01-09 10:00")  # Friday, 8 h to resolve
        # Friday 10-17 is 7 h, then Monday 9-10
        self.assertEqual(ticket.msp_resolution_deadline, dt("2026-01-12 10:00"))
        self._move(ticket, "2026-01-09 16:00", self.stage_waiting)
        self.assertTrue(ticket.msp_sla_paused)
        self.assertFalse(ticket.msp_resolution_deadline, "no deadline while paused")
        self._move(ticket, "2026-01-12 09:00", self.stage_progress)
        # Friday 16:00 to Monday 09:00 is one business hour (Friday 16-17).
        pause = ticket.msp_sla_pause_ids
        self.assertEqual(len(pause), 1)
        self.assertEqual(pause.business_minutes, 60.0)
        self.assertEqual(pause.reason, "Awaiting")
        self.assertEqual(pause.user_id, self.env.user)
        self.assertEqual(ticket.msp_paused_hours, 1.0)
        self.assertEqual(ticket.msp_resolution_deadline, dt("2026-01-12 11:00"))

    def test_pause_friday_16_to_monday_10(self):
        ticket = self._ticket("2026-01-09 10:00")
        self._move(ticket, "2026-01-09 16:00", self.stage_waiting)
        self._move(ticket, "2026-01-12 10:00", self.stage_progress)
        # Friday 16-17 and Monday 9-10: two business hours, not 66 wall-clock.
        self.assertEqual(ticket.msp_sla_pause_ids.business_minutes, 120.0)
        self.assertEqual(ticket.msp_resolution_deadline, dt("2026-01-12 12:00"))

    def test_priority_change_keeps_the_time_paused(self):
        ticket = self._ticket("2026-01-09 10:00")
        self._move(ticket, "2026-01-09 11:00", self.stage_waiting)
        self._move(ticket, "2026-01-09 13:00", self.stage_progress)
        self.assertEqual(ticket.msp_paused_hours, 2.0)
        with freeze_time("2026-01-09 13:30"):
            ticket.priority = "2"  # 4 h: 10:00 + 4 h + 2 h paused
        self.assertEqual(ticket.msp_sla_line_id.priority, "2")
        self.assertEqual(ticket.msp_paused_hours, 2.0)
        self.assertEqual(ticket.msp_resolution_deadline, dt("2026-01-09 16:00"))
        with freeze_time("2026-01-09 13:40"):
            ticket.priority = "3"  # 24×7: the same two hours, now wall-clock
        self.assertEqual(ticket.msp_resolution_deadline, dt("2026-01-09 16:00"))

    def test_first_response_is_the_first_public_reply_by_staff(self):
        ticket = self._ticket("2026-01-09 10:00")
        with freeze_time("2026-01-09 10:20"):
            ticket.message_post(body="Internal note", subtype_xmlid="mail.mt_note")
            ticket.message_post(
                body="Customer again",
                author_id=self.client_contact.id,
                message_type="comment",
                subtype_xmlid="mail.mt_comment",
            )
        self.assertFalse(ticket.msp_first_response_date)
        with freeze_time("2026-01-09 10:45"):
            ticket.with_user(self.tech).message_post(
                body="On it", message_type="comment", subtype_xmlid="mail.mt_comment"
            )
        self.assertEqual(ticket.msp_first_response_date, dt("2026-01-09 10:45"))
        self.assertEqual(ticket.msp_first_response_hours, 0.75)
        self.assertEqual(ticket.msp_response_status, "met")
        self.assertEqual(ticket.msp_sla_state, "on_track", "resolution still runs")
        with freeze_time("2026-01-09 12:00"):
            ticket.message_post(
                body="Later", message_type="comment", subtype_xmlid="mail.mt_comment"
            )
        self.assertEqual(ticket.msp_first_response_date, dt("2026-01-09 10:45"))

    def test_recompute_writes_what_the_user_cannot(self):
        """The clock is a fact: a user who may read the ticket but not write
        it still moves it (the recompute writes as superuser)."""
        ticket = self._ticket("2026-01-09 10:00")
        reader = new_test_user(self.env, login="reader", groups="base.group_user")
        ticket.message_subscribe(partner_ids=reader.partner_id.ids)
        with freeze_time("2026-01-09 10:50"):
            ticket.with_user(reader)._msp_sla_recompute()
        self.assertEqual(ticket.msp_response_status, "at_risk")
        self.assertEqual(ticket.msp_sla_state, "at_risk")
        self.assertEqual(ticket.msp_sla_next_check, dt("2026-01-09 11:00"))

    def test_at_risk_breach_and_met_by_the_cron(self):
        ticket = self._ticket("2026-01-09 10:00")
        cron = self.env["helpdesk.ticket"]._cron_msp_sla_check
        self.assertEqual(ticket.msp_sla_next_check, dt("2026-01-09 10:45"))
        with freeze_time("2026-01-09 10:50"):
            cron()
            ticket.invalidate_recordset(["msp_sla_remaining_hours"])
            # 10 business minutes to the response deadline
            self.assertAlmostEqual(ticket.msp_sla_remaining_hours, 10 / 60, places=4)
        self.assertEqual(ticket.msp_response_status, "at_risk")
        self.assertEqual(ticket.msp_sla_state, "at_risk")
        with freeze_time("2026-01-09 11:05"):
            cron()
        self.assertEqual(ticket.msp_response_status, "breached")
        self.assertEqual(ticket.msp_sla_state, "breached")
        breached = self.env["helpdesk.ticket"].search(
            [("msp_sla_state", "=", "breached"), ("id", "=", ticket.id)]
        )
        self.assertEqual(breached, ticket, "the 'breached' filter finds it")
        # A ticket answered and closed in time is met.
        quick = self._ticket("2026-01-12 09:00")
        with freeze_time("2026-01-12 09:30"):
            quick.message_post(
                body="Fixed", message_type="comment", subtype_xmlid="mail.mt_comment"
            )
        self._move(quick, "2026-01-12 11:00", self.stage_done)
        self.assertEqual(quick.msp_resolution_status, "met")
        self.assertEqual(quick.msp_resolution_hours, 2.0)
        self.assertEqual(quick.msp_sla_state, "met")
        self.assertFalse(quick.msp_sla_next_check)

    def test_escalation_raised_once(self):
        self.env["msp.sla.escalation"].create(
            {
                "policy_id": self.policy.id,
                "target": "resolution",
                "percent": 75,
                "notify": True,
                "raise_priority": True,
                "activity": True,
                "reassign_user_id": self.tech.id,
            }
        )
        ticket = self._ticket("2026-01-12 09:00")  # 8 h: 75 % at 15:00
        planned = ticket.msp_sla_escalation_ids
        self.assertEqual(planned.date_due, dt("2026-01-12 15:00"))
        cron = self.env["helpdesk.ticket"]._cron_msp_sla_check
        with freeze_time("2026-01-12 14:00"):
            cron()
        self.assertEqual(planned.state, "planned")
        with freeze_time("2026-01-12 15:01"):
            cron()
            cron()
        self.assertEqual(planned.state, "done")
        notes = ticket.message_ids.filtered(
            lambda m: "SLA escalation (Resolution at 75 %)" in (m.body or "")
        )
        self.assertEqual(len(notes), 1)
        self.assertEqual(ticket.priority, "2", "raised by one level, once")
        self.assertEqual(ticket.user_id, self.tech)
        activities = ticket.activity_ids.filtered(
            lambda a: "SLA escalation" in (a.summary or "")
        )
        self.assertEqual(len(activities), 1)
        self.assertEqual(len(ticket.msp_sla_escalation_ids), 1)
        with freeze_time("2026-01-12 16:00"):
            cron()
        self.assertEqual(ticket.priority, "2")

    def test_company_default_policy_and_no_policy(self):
        other = self.env["msp.sla.policy"].create(
            {
                "name": "Default",
                "line_ids": [Command.create({"priority": "1", "resolution_hours": 24})],
            }
        )
        self.env.company.msp_sla_policy_id = other
        ticket = self._ticket("2026-01-09 10:00", partner_id=self.other_contact.id)
        self.assertFalse(ticket.msp_agreement_id)
        self.assertEqual(ticket.msp_sla_policy_id, other)
        self.assertEqual(ticket.msp_resolution_deadline, dt("2026-01-10 10:00"))
        self.assertEqual(ticket.msp_response_status, "none")
        low = self._ticket("2026-01-09 10:00", priority="0")
        self.assertEqual(low.msp_sla_state, "none", "no target for low priority")

    def _quick_slow_and_open(self):
        """quick: answered and closed in time (2 targets met); slow: closed
        late without a reply (2 breached); answered: answered in time, still
        open (1 met, resolution undecided)."""
        quick = self._ticket("2026-01-12 09:00")
        with freeze_time("2026-01-12 09:30"):
            quick.message_post(
                body="Fixed", message_type="comment", subtype_xmlid="mail.mt_comment"
            )
        self._move(quick, "2026-01-12 11:00", self.stage_done)
        slow = self._ticket("2026-01-12 09:00")
        self._move(slow, "2026-01-13 12:00", self.stage_done)  # 11 h, no reply
        answered = self._ticket("2026-01-12 09:00")
        with freeze_time("2026-01-12 09:15"):
            answered.message_post(
                body="Looking", message_type="comment", subtype_xmlid="mail.mt_comment"
            )
        self.env.flush_all()
        return quick, slow, answered

    def test_sla_report(self):
        quick, slow, answered = self._quick_slow_and_open()
        self.assertEqual(
            (answered.msp_response_status, answered.msp_resolution_status),
            ("met", "running"),
        )
        Report = self.env["msp.sla.report"]
        domain = [("agreement_id", "=", self.agreement.id)]
        groups = Report._read_group(
            domain,
            [],
            [
                "ticket_count:sum",
                "met_count:sum",
                "decided_count:sum",
                "met_percent:avg",
                "response_met_percent:avg",
                "resolution_met_percent:avg",
                "breach_count:sum",
                "first_response_hours:avg",
                "resolution_hours:avg",
            ],
        )
        # 3 targets met of 5 decided: 60 %, not the average of the tickets'
        # shares (100, 0, 100: 66.67); the open ticket has no resolution time.
        self.assertEqual(groups, [(3, 3, 5, 60.0, 66.67, 50.0, 1, 0.375, 6.5)])
        # per ticket, as the pivot reads it; '—' (False) where nothing is decided
        rows = dict(Report._read_group(domain, ["ticket_id"], ["met_percent:avg"]))
        self.assertEqual(rows, {quick: 100.0, slow: 0.0, answered: 100.0})
        rows = dict(
            Report._read_group(domain, ["ticket_id"], ["resolution_met_percent:sum"])
        )
        self.assertEqual(rows, {quick: 100.0, slow: 0.0, answered: False})
        rows = dict(Report._read_group(domain, ["ticket_id"], ["resolution_hours:avg"]))
        self.assertEqual(rows, {quick: 2.0, slow: 11.0, answered: False})
        # the web client's read_group (pivot, graph) gives the same ratio
        [web] = Report.read_group(domain, ["met_percent:avg"], [])
        self.assertEqual(web["met_percent"], 60.0)

    def test_met_percent_two_met_one_breached_one_open(self):
        """A policy with a resolution target only: one target per ticket."""
        policy = self.env["msp.sla.policy"].create(
            {
                "name": "Resolution only",
                "calendar_id": self.calendar.id,
                "line_ids": [Command.create({"priority": "1", "resolution_hours": 4})],
            }
        )
        agreement = self._create_agreement(
            partner_id=self.other_client.id,
            fixed_fee=100.0,
            fee_product_id=self.product_fee.id,
            sla_policy_id=policy.id,
        )
        agreement.action_activate()

        def ticket(**vals):
            return self._ticket(
                "2026-01-12 09:00", partner_id=self.other_contact.id, **vals
            )

        met_1, met_2, late, still_open = ticket(), ticket(), ticket(), ticket()
        self._move(met_1, "2026-01-12 10:00", self.stage_done)
        self._move(met_2, "2026-01-12 11:00", self.stage_done)
        self._move(late, "2026-01-13 12:00", self.stage_done)  # 11 business h
        self.assertEqual(still_open.msp_agreement_id, agreement)
        self.env.flush_all()
        Report = self.env["msp.sla.report"]
        domain = [("agreement_id", "=", agreement.id)]
        [(tickets, met, decided, pct, breaches)] = Report._read_group(
            domain,
            [],
            [
                "ticket_count:sum",
                "met_count:sum",
                "decided_count:sum",
                "met_percent:avg",
                "breach_count:sum",
            ],
        )
        self.assertEqual((tickets, met, decided, pct, breaches), (4, 2, 3, 66.67, 1))
        # a group where nothing is decided has no met %, not 0
        self.assertEqual(
            Report._read_group(
                [*domain, ("ticket_id", "=", still_open.id)], [], ["met_percent:avg"]
            ),
            [(False,)],
        )
        with freeze_time("2026-02-01"):
            summary = agreement._msp_portal_sla_results(3)
        self.assertEqual(
            summary,
            {
                "tickets": 4,
                "met": 2,
                "breached": 1,
                "met_pct": 66.67,
                "avg_first_response_hours": None,
                "avg_resolution_hours": (1 + 2 + 11) / 3,
            },
        )

    def test_paused_state(self):
        ticket = self._ticket("2026-01-09 10:00")
        with freeze_time("2026-01-09 10:20"):
            ticket.message_post(
                body="Can you send a photo?",
                message_type="comment",
                subtype_xmlid="mail.mt_comment",
            )
        self._move(ticket, "2026-01-09 11:00", self.stage_waiting)
        self.assertEqual(ticket.msp_sla_state, "paused")
        self.assertEqual(
            dict(ticket._fields["msp_sla_state"]._description_selection(self.env))[
                ticket.msp_sla_state
            ],
            "Paused",
        )
        self.assertFalse(ticket.msp_sla_next_check, "the cron leaves it alone")
        with freeze_time("2026-01-14 10:00"):  # long past the 8 h target
            self.env["helpdesk.ticket"]._cron_msp_sla_check()
        self.assertEqual(ticket.msp_sla_state, "paused")
        self.assertFalse(ticket.msp_resolution_hours)
        portal = ticket._msp_portal_sla()
        self.assertEqual(portal["state_label"], "Paused")
        self.assertEqual(
            [(t["name"], t["status_label"], t["done"]) for t in portal["targets"]],
            [
                ("First response", "Met", dt("2026-01-09 10:20")),
                ("Resolution", "Paused", False),
            ],
        )
        self.env.flush_all()
        row = self.env["msp.sla.report"].search([("ticket_id", "=", ticket.id)])
        self.assertEqual(row.sla_state, "paused")
        self.assertEqual((row.met_count, row.decided_count), (1, 1))
        self.assertFalse(row.resolution_hours)
        self._move(ticket, "2026-01-12 09:00", self.stage_progress)
        self.assertEqual(ticket.msp_sla_state, "on_track")
        # a breach stays a breach while paused
        late = self._ticket("2026-01-09 10:00")
        self._move(late, "2026-01-09 11:30", self.stage_waiting)  # 1 h: no reply
        self.assertEqual(late.msp_response_status, "breached")
        self.assertEqual(late.msp_sla_state, "breached")

    def test_portal_sla_summary(self):
        self._quick_slow_and_open()
        with freeze_time("2026-03-01"):
            recent = self.agreement._msp_portal_sla_results(3)
            year = self.agreement._msp_portal_sla_results(12)
        with freeze_time("2026-06-01"):
            self.assertEqual(self.agreement._msp_portal_sla_results(3)["tickets"], 0)
            self.assertIsNone(self.agreement._msp_portal_sla_results(3)["met_pct"])
        self.assertEqual(recent, year)
        self.assertEqual(
            year,
            {
                "tickets": 3,
                "met": 3,
                "breached": 2,
                "met_pct": 60.0,
                "avg_first_response_hours": 0.375,
                "avg_resolution_hours": 6.5,
            },
        )
        targets = self.agreement._msp_portal_sla_targets()
        self.assertEqual(
            [
                (t["priority"], t["response_hours"], t["resolution_hours"], t["hours"])
                for t in targets
            ],
            [
                ("Very High", 0.5, 4.0, "24×7"),
                ("High", 1.0, 4.0, "Office 9-17"),
                ("Medium", 1.0, 8.0, "Office 9-17"),
            ],
        )

    def test_policy_change_replans_open_tickets_through_the_cron(self):
        ticket = self._ticket("2026-01-09 10:00")  # 8 h: Monday 10:00
        self.assertEqual(ticket.msp_resolution_deadline, dt("2026-01-12 10:00"))
        with freeze_time("2026-01-09 10:30"):
            self.policy.line_ids.filtered(lambda x: x.priority == "1").write(
                {"resolution_hours": 4}
            )
            self.assertLessEqual(ticket.msp_sla_next_check, dt("2026-01-09 10:30"))
            self.env["helpdesk.ticket"]._cron_msp_sla_check()
        self.assertEqual(ticket.msp_resolution_deadline, dt("2026-01-09 14:00"))
