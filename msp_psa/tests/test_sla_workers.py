# Copyright 2026 msp_psa authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from collections import Counter
from contextlib import closing, contextmanager
from datetime import datetime
from unittest.mock import patch

from freezegun import freeze_time
from psycopg2 import OperationalError

from odoo import Command, sql_db
from odoo.tests import new_test_user, tagged

from .common import MspHelpdeskCommon

CHECK = "2026-01-12 15:01"


def dt(text):
    return datetime.strptime(text, "%Y-%m-%d %H:%M")


@tagged("post_install", "-at_install")
class TestSlaWorkers(MspHelpdeskCommon):
    """The SLA check spread over the billing worker crons: the main job
    hands the company over, two workers recompute every due ticket once and
    raise every due step once, as the main job alone would."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        calendar = cls.env["resource.calendar"].create(
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
        policy = cls.env["msp.sla.policy"].create(
            {
                "name": "Standard",
                "calendar_id": calendar.id,
                "at_risk_percent": 75,
                "line_ids": [
                    Command.create(
                        {
                            "priority": priority,
                            "response_hours": 1,
                            "resolution_hours": 8,
                        }
                    )
                    for priority in ("1", "2")
                ],
            }
        )
        cls.tech = new_test_user(
            cls.env, login="tech", groups="helpdesk_mgmt.group_helpdesk_user"
        )
        cls.env["msp.sla.escalation"].create(
            {
                "policy_id": policy.id,
                "target": "resolution",
                "percent": 75,
                "notify": True,
                "raise_priority": True,
                "reassign_user_id": cls.tech.id,
            }
        )
        agreement = cls._create_agreement(
            fixed_fee=500.0,
            fee_product_id=cls.product_fee.id,
            sla_policy_id=policy.id,
        )
        agreement.action_activate()
        # 8 h to resolve from Monday 9:00: 75 % (the step) at 15:00
        with freeze_time("2026-01-12 09:00"):
            cls.tickets = cls.env["helpdesk.ticket"].create(
                [
                    {
                        "name": f"Ticket {index}",
                        "description": "<p>Down.</p>",
                        "partner_id": cls.client_contact.id,
                        "priority": "1",
                        "stage_id": cls.stage_new.id,
                    }
                    for index in range(5)
                ]
            )
        cls.steps = cls.tickets.msp_sla_escalation_ids
        cls.Ticket = cls.env["helpdesk.ticket"]
        cls.Run = cls.env["msp.billing.run"]

    @contextmanager
    def _recomputes(self):
        """Counts how many times each ticket is recomputed."""
        Ticket = type(self.Ticket)
        original = Ticket._msp_sla_recompute
        counts = Counter()

        def counting(tickets):
            counts.update(tickets.ids)
            return original(tickets)

        with patch.object(Ticket, "_msp_sla_recompute", counting):
            yield counts

    def _state(self):
        """What the check decided, ticket by ticket, and the notes it left."""
        self.env.invalidate_all()
        notes = Counter(
            self.env["mail.message"]
            .search(
                [
                    ("model", "=", "helpdesk.ticket"),
                    ("res_id", "in", self.tickets.ids),
                    ("body", "ilike", "SLA escalation"),
                ]
            )
            .mapped("res_id")
        )
        return {
            ticket.id: (
                ticket.msp_response_status,
                ticket.msp_resolution_status,
                ticket.msp_sla_state,
                ticket.msp_sla_next_check,
                ticket.priority,
                ticket.user_id.id,
                tuple(ticket.msp_sla_escalation_ids.mapped("state")),
                notes[ticket.id],
            )
            for ticket in self.tickets
        }

    def _single_job_result(self):
        with self.env.cr.savepoint(flush=True) as savepoint:
            with self._recomputes() as counts, freeze_time(CHECK):
                self.Ticket._cron_msp_sla_check()
            result = (self._state(), counts)
            savepoint.rollback()
        self.env.invalidate_all()
        return result

    def test_one_worker_unchanged(self):
        self.assertEqual(self.env.company.msp_billing_workers, 1)
        self.assertEqual(self.steps.mapped("state"), ["planned"] * 5)
        before = self._state()
        with freeze_time(CHECK, tick=True):
            # no company uses workers: a worker finds nothing to do
            self.assertEqual(self.Ticket._msp_work_sla(1), 0)
        self.assertEqual(self._state(), before)
        state, counts = self._single_job_result()
        with freeze_time(CHECK):
            self.Ticket._cron_msp_sla_check()
        self.assertEqual(self._state(), state)
        for ticket_state in state.values():
            # breached response, raised once: priority up, reassigned, 1 note
            self.assertEqual(ticket_state[0], "breached")
            self.assertEqual(ticket_state[4:], ("2", self.tech.id, ("done",), 1))
        self.assertEqual(set(counts), set(self.tickets.ids))

    def test_two_workers_check_each_ticket_once(self):
        state, counts = self._single_job_result()
        self.env.company.msp_billing_workers = 2
        crons = self.Run._worker_crons()
        triggers = self.env["ir.cron.trigger"].sudo()
        before = triggers.search_count(
            [("cron_id", "in", [c.id for c in crons.values()])]
        )
        untouched = self._state()
        with freeze_time(CHECK):
            self.Ticket._cron_msp_sla_check()
        self.assertEqual(self._state(), untouched, "the main job does nothing itself")
        self.assertEqual(
            triggers.search_count([("cron_id", "in", [c.id for c in crons.values()])]),
            before + 2,
        )
        with self._recomputes() as by_workers:
            # Worker 1 stops after its first batch (its time budget is spent)...
            with freeze_time(CHECK, tick=True):
                left = self.Ticket._msp_work_sla(1, batch_size=2, time_budget=1e-9)
            self.assertGreater(left, 0)
            # ... worker 2's cron does the rest (billing and recognition have
            # nothing to do) ...
            with freeze_time(CHECK, tick=True):
                self.assertEqual(self.Run._cron_billing_worker(2), 0)
            # ... and worker 1 called again finds nothing left.
            with freeze_time(CHECK, tick=True):
                self.assertEqual(self.Ticket._msp_work_sla(1), 0)
        self.assertEqual(self._state(), state, "what the main job alone decides")
        self.assertEqual(by_workers, counts, "each ticket recomputed as often")

    def test_ticket_locked_by_another_connection_is_skipped(self):
        """Tickets another connection holds (``FOR UPDATE``) are left to it.
        Committed rows are needed: the demo's tickets."""
        main = self.env.ref("base.main_company")
        demo = self.Ticket.sudo().search(
            [("company_id", "=", main.id), ("msp_sla_next_check", "!=", False)]
        )
        if not demo:
            self.skipTest("no demo tickets with an SLA check in this database")
        main.msp_billing_workers = 2
        now = max(demo.mapped("msp_sla_next_check"))
        held = demo[0]
        with closing(sql_db.db_connect(self.env.cr.dbname).cursor()) as other:
            try:
                other.execute("SET lock_timeout = '2s'")
                other.execute(
                    "SELECT id FROM helpdesk_ticket WHERE id = %s FOR UPDATE NOWAIT",
                    [held.id],
                )
            except OperationalError:
                self.skipTest("the demo ticket is locked by this test's transaction")
            taken = self.Ticket._msp_sla_take_tickets(now, main, set(), 500)
            self.assertEqual(set(taken), set((demo - held).ids))
            other.rollback()
        taken = self.Ticket._msp_sla_take_tickets(now, main, set(), 500)
        self.assertEqual(set(taken), set(demo.ids))
