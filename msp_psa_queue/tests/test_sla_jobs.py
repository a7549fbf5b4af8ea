# Copyright 2026 msp_psa authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from freezegun import freeze_time

from odoo import Command
from odoo.tests import new_test_user, tagged

from .common import MspQueueCommon

CHANNEL = "root.msp.sla"


@tagged("post_install", "-at_install")
class TestSlaJobs(MspQueueCommon):
    """The SLA check as queue jobs: for a company using several workers the
    cron enqueues one job per worker and checks nothing itself; the jobs
    raise each due escalation once. A company using one worker keeps its
    check in the cron."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # 9-17 Monday to Friday, in UTC so the figures read as written.
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
        cls.policy = cls.env["msp.sla.policy"].create(
            {
                "name": "Standard",
                "calendar_id": calendar.id,
                "line_ids": [
                    Command.create(
                        {"priority": "1", "response_hours": 1, "resolution_hours": 8}
                    ),
                ],
            }
        )
        cls.tech = new_test_user(
            cls.env, login="tech", groups="helpdesk_mgmt.group_helpdesk_user"
        )
        cls.env["msp.sla.escalation"].create(
            {
                "policy_id": cls.policy.id,
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
            sla_policy_id=cls.policy.id,
        )
        agreement.action_activate()
        stage = cls.env.ref("helpdesk_mgmt.helpdesk_ticket_stage_new")
        with freeze_time("2026-01-12 09:00"):  # 8 h: 75 % at 15:00
            cls.tickets = cls.env["helpdesk.ticket"].create(
                [
                    {
                        "name": f"Printer {index} down",
                        "description": "<p>It does not print.</p>",
                        "partner_id": cls.client_contact.id,
                        "priority": "1",
                        "stage_id": stage.id,
                    }
                    for index in range(3)
                ]
            )
        cls.steps = cls.tickets.msp_sla_escalation_ids

    def _notes(self, ticket):
        return ticket.message_ids.filtered(
            lambda m: "SLA escalation (Resolution at 75 %)" in (m.body or "")
        )

    def test_cron_enqueues_jobs_and_checks_nothing_itself(self):
        self.assertEqual(len(self.steps), 3)
        self.env.company.msp_billing_workers = 2
        with self.trap_jobs() as trap, freeze_time("2026-01-12 15:01"):
            self.env["helpdesk.ticket"]._cron_msp_sla_check()
            trap.assert_jobs_count(2, only=self.env["helpdesk.ticket"]._msp_job_sla)
            for worker in (1, 2):
                trap.assert_enqueued_job(
                    self.env["helpdesk.ticket"]._msp_job_sla,
                    args=(worker,),
                    properties={"identity_key": f"msp_psa_queue.sla.worker.{worker}"},
                )
            self.assertEqual({job.channel for job in trap.enqueued_jobs}, {CHANNEL})
            self.assertEqual(set(self.steps.mapped("state")), {"planned"})
            self._perform_trapped(trap)
        self.assertEqual(set(self.steps.mapped("state")), {"done"})

    def test_jobs_raise_each_escalation_once_no_duplicate_job(self):
        self.env.company.msp_billing_workers = 2
        counter = self.job_counter()
        with freeze_time("2026-01-12 15:01"):
            self.env["helpdesk.ticket"]._cron_msp_sla_check()
            self.env["helpdesk.ticket"]._cron_msp_sla_check()
        jobs = counter.search_created()
        self.assertEqual(len(jobs), 2, "one per worker, not two each")
        self.assertEqual(set(jobs.mapped("channel")), {CHANNEL})
        self.assertEqual(set(self.steps.mapped("state")), {"planned"})
        with freeze_time("2026-01-12 15:01"):
            self._perform(jobs)
        self.assertEqual(set(self.steps.mapped("state")), {"done"})
        for ticket in self.tickets:
            self.assertEqual(len(self._notes(ticket)), 1)
            self.assertEqual(ticket.priority, "2", "raised by one level, once")
            self.assertEqual(ticket.user_id, self.tech)
        # Checked again later: nothing is raised twice.
        with freeze_time("2026-01-12 17:30"):
            self.env["helpdesk.ticket"]._cron_msp_sla_check()
            self._perform(counter.search_created() - jobs)
        self.assertEqual(self.tickets.mapped("priority"), ["2", "2", "2"])
        for ticket in self.tickets:
            self.assertEqual(len(self._notes(ticket)), 1)

    def test_setting_one_stays_in_the_cron(self):
        counter = self.job_counter()
        with freeze_time("2026-01-12 15:01"):
            self.env["helpdesk.ticket"]._cron_msp_sla_check()
        self.assertEqual(counter.count_created(), 0)
        self.assertEqual(set(self.steps.mapped("state")), {"done"})
        for ticket in self.tickets:
            self.assertEqual(len(self._notes(ticket)), 1)
