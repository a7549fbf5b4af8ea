# Copyright 2026 msp_psa authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from freezegun import freeze_time

from odoo import Command
from odoo.exceptions import AccessError, ValidationError
from odoo.tests import new_test_user, tagged

from .common import MspHelpdeskCommon


@tagged("post_install", "-at_install")
class TestTimeDecision(MspHelpdeskCommon):
    """Every hour of client work carries a stored billing decision, judged by
    its work date, and frozen once invoiced."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.remote = cls.env.ref("msp_psa.work_type_remote")
        cls.onsite = cls.env.ref("msp_psa.work_type_onsite")
        cls.project_work = cls.env.ref("msp_psa.work_type_project")
        cls.labour = cls._create_product(
            name="Remote labour", type="service", lst_price=80.0
        )
        cls.project = cls.env["project.project"].create({"name": "Support"})
        cls.employee = cls.env["hr.employee"].create({"name": "Tech"})

    def _timesheet(self, agreement, day, hours, work_type=None, **vals):
        return self.env["account.analytic.line"].create(
            {
                "name": vals.pop("name", "Work"),
                "project_id": self.project.id,
                "date": day,
                "unit_amount": hours,
                "msp_agreement_id": agreement.id if agreement else False,
                "msp_work_type_id": work_type.id if work_type else False,
                "employee_id": self.employee.id,
                **vals,
            }
        )

    def _run(self, agreements, day):
        with freeze_time(day):
            run = self.env["msp.billing.run"].create({"date": day, "trigger": "manual"})
            run._run(agreement_ids=agreements.ids)
        return run

    def _block_agreement(self, hours=10.0):
        agreement = self._create_agreement(
            billing_model="block_hours",
            fee_product_id=self.product_fee.id,
            block_hours=hours,
            block_price=1000.0,
            block_product_id=self.product_fee.id,
            overage_rate=150.0,
        )
        agreement.action_activate()
        return agreement

    def test_covered_billable_and_new_work_type(self):
        agreement = self._create_agreement(
            fixed_fee=500.0,
            fee_product_id=self.product_fee.id,
            rate_ids=[
                Command.create({"work_type_id": self.remote.id, "covered": True}),
                Command.create(
                    {
                        "work_type_id": self.onsite.id,
                        "product_id": self.labour.id,
                        "price_unit": 120.0,
                    }
                ),
                Command.create({"covered": True}),
            ],
        )
        agreement.action_activate()
        covered = self._timesheet(agreement, "2026-01-05", 1.0, self.remote)
        onsite = self._timesheet(agreement, "2026-01-05", 2.0, self.onsite)
        untyped = self._timesheet(agreement, "2026-01-05", 0.5)
        self.project_work.product_id = self.labour
        new_kind = self._timesheet(agreement, "2026-01-05", 1.0, self.project_work)
        self.assertEqual(covered.msp_billing_decision, "covered")
        self.assertEqual(
            covered.msp_decision_reason, "Remote Support is covered by the fee"
        )
        self.assertEqual(
            (onsite.msp_billing_decision, onsite.msp_price_unit, onsite.msp_product_id),
            ("billable", 120.0, self.labour),
        )
        self.assertEqual(untyped.msp_billing_decision, "covered")
        # A work type the agreement does not list is not covered until added.
        self.assertEqual(new_kind.msp_billing_decision, "billable")
        self.assertEqual(new_kind.msp_price_unit, 80.0)
        self.env["msp.agreement.rate"].create(
            {
                "agreement_id": agreement.id,
                "work_type_id": self.project_work.id,
                "covered": True,
            }
        )
        self.assertEqual(new_kind.msp_billing_decision, "covered")

    def test_non_billable_needs_a_reason(self):
        agreement = self._create_agreement(
            billing_model="time_materials",
            fixed_fee=0.0,
            rate_ids=[Command.create({"product_id": self.labour.id, "price_unit": 90})],
        )
        line = self._timesheet(agreement, "2026-01-05", 1.0)
        self.assertEqual(line.msp_billing_decision, "billable")
        with self.assertRaisesMsg(ValidationError, "Say why 1.* not billable"):
            line.msp_non_billable = True
        line.write({"msp_non_billable": True, "msp_non_billable_reason": "Our fault"})
        self.assertEqual(line.msp_billing_decision, "non_billable")
        self.assertEqual(line.msp_decision_reason, "Our fault")
        self.assertFalse(line.msp_to_review)

    def test_unmapped_ticket_time_is_a_leak_until_mapped(self):
        ticket = self.env["helpdesk.ticket"].create(
            {
                "name": "New laptop",
                "description": "<p>Set up</p>",
                "partner_id": self.client_contact.id,
                "project_id": self.project.id,
            }
        )
        self.assertFalse(ticket.msp_agreement_id)
        line = self._timesheet(False, "2026-01-05", 2.0, ticket_id=ticket.id)
        self.assertEqual(line.msp_billing_decision, "billable")
        self.assertTrue(line.msp_to_review)
        leaks = self.env["account.analytic.line"].search(
            [("msp_to_review", "=", True), ("id", "=", line.id)]
        )
        self.assertEqual(leaks, line, "the leakage queue lists it")
        agreement = self._create_agreement(
            billing_model="time_materials",
            fixed_fee=0.0,
            rate_ids=[Command.create({"product_id": self.labour.id, "price_unit": 90})],
        )
        agreement.action_activate()
        ticket.msp_agreement_id = agreement  # staff map the ticket
        self.assertEqual(line.msp_agreement_id, agreement)
        self.assertEqual(line.msp_price_unit, 90.0)
        self.assertFalse(line.msp_to_review)

    def test_block_drains_in_work_date_order(self):
        agreement = self._block_agreement(10.0)
        late = self._timesheet(agreement, "2026-01-20", 6.0)
        self.assertEqual(
            (late.msp_billing_decision, late.msp_prepaid_hours), ("prepaid", 6.0)
        )
        # Logged afterwards but worked before: it draws the block first.
        early = self._timesheet(agreement, "2026-01-10", 6.0)
        self.assertEqual(
            (early.msp_billing_decision, early.msp_prepaid_hours), ("prepaid", 6.0)
        )
        self.assertEqual(late.msp_billing_decision, "billable")
        self.assertEqual((late.msp_prepaid_hours, late.msp_overage_hours), (4.0, 2.0))
        self.assertEqual(late.msp_price_unit, 150.0)
        # February has a block of its own.
        feb = self._timesheet(agreement, "2026-02-02", 3.0)
        self.assertEqual(feb.msp_billing_decision, "prepaid")
        # Deleting the early line gives its hours back to the later one.
        early.unlink()
        self.assertEqual(
            (late.msp_billing_decision, late.msp_overage_hours), ("prepaid", 0.0)
        )

    def test_block_thresholds_schedule_activities_once(self):
        agreement = self._block_agreement(10.0)

        def alerts():
            return agreement.activity_ids.filtered(
                lambda a: "block hours used" in (a.summary or "")
            ).mapped("summary")

        with freeze_time("2026-01-15"):
            self._timesheet(agreement, "2026-01-05", 6.0)
            self.assertEqual(alerts(), [])
            self._timesheet(agreement, "2026-01-06", 1.5)
            self.assertEqual(alerts(), ["70 % of the block hours used"])
            self._timesheet(agreement, "2026-01-07", 0.5)
            self.assertEqual(len(alerts()), 1, "70 % is told once")
            self._timesheet(agreement, "2026-01-08", 3.0)
            self.assertEqual(
                sorted(alerts()),
                ["100 % of the block hours used", "70 % of the block hours used"],
            )

    def test_invoiced_time_is_frozen_and_billed_as_decided(self):
        agreement = self._create_agreement(
            billing_model="time_materials",
            billing_timing="arrears",
            fixed_fee=0.0,
            rate_ids=[
                Command.create(
                    {
                        "work_type_id": self.remote.id,
                        "product_id": self.labour.id,
                        "price_unit": 95.0,
                    }
                )
            ],
        )
        agreement.action_activate()
        line = self._timesheet(agreement, "2026-01-05", 1.5, self.remote)
        no_product = self._timesheet(agreement, "2026-01-06", 1.0, self.onsite)
        self.assertFalse(no_product.msp_billing_decision)
        self.assertTrue(no_product.msp_to_review)
        run = self._run(agreement, "2026-02-01")
        move = run.invoice_ids
        self.assertEqual(move.amount_untaxed, 142.5)
        self.assertIn("1 h of time have no billing decision", move.msp_review_note)
        self.assertFalse(no_product.msp_invoice_line_id)
        # The rate changes: the invoiced line keeps its decision.
        agreement.rate_ids.write({"covered": True})
        self.assertEqual(line.msp_billing_decision, "billable")
        self.assertEqual(line.msp_price_unit, 95.0)
        with self.assertRaisesMsg(ValidationError, "cancel the invoice"):
            line.unit_amount = 3.0

    def test_rolled_over_hours_drain_earliest_expiry_first(self):
        agreement = self._block_agreement(10.0)
        agreement.block_rollover_months = 2
        self._timesheet(agreement, "2026-01-10", 6.0)
        feb = self._timesheet(agreement, "2026-02-10", 12.0)
        # 4 h left of January's block (expires end of March) go first.
        self.assertEqual(
            (feb.msp_billing_decision, feb.msp_prepaid_hours), ("prepaid", 12.0)
        )
        self.assertEqual(
            feb.msp_decision_reason,
            "Drawn from the block of 1–31 Jan 2026 + 1–28 Feb 2026",
        )
        # A back-dated January line takes January's hours: February runs over.
        self._timesheet(agreement, "2026-01-15", 3.0)
        self.assertEqual(feb.msp_billing_decision, "billable")
        self.assertEqual((feb.msp_prepaid_hours, feb.msp_overage_hours), (11.0, 1.0))
        with freeze_time("2026-02-20"):
            agreement.invalidate_recordset(
                ["block_hours_used", "block_hours_remaining"]
            )
            self.assertEqual(agreement.block_hours_used, 12.0)
            # Blocks valid on 20 Feb: January's (0 left) and February's (0 left),
            # less 1 h of overage.
            self.assertEqual(agreement.block_hours_remaining, -1.0)
        # Without roll-over, January's hours lapse.
        agreement.block_rollover_months = 0
        self.assertEqual((feb.msp_prepaid_hours, feb.msp_overage_hours), (10.0, 2.0))

    def test_task_time_follows_the_project_agreement(self):
        agreement = self._create_agreement(
            billing_model="time_materials",
            fixed_fee=0.0,
            rate_ids=[
                Command.create({"product_id": self.labour.id, "price_unit": 110})
            ],
        )
        agreement.action_activate()
        project = self.env["project.project"].create(
            {"name": "Server migration", "partner_id": self.client.id}
        )
        task = self.env["project.task"].create(
            {"name": "Move mailboxes", "project_id": project.id}
        )
        line = self.env["account.analytic.line"].create(
            {
                "name": "Mailbox move",
                "project_id": project.id,
                "task_id": task.id,
                "date": "2026-01-05",
                "unit_amount": 2.0,
                "employee_id": self.employee.id,
            }
        )
        self.assertFalse(line.msp_billing_decision, "internal time until mapped")
        self.assertFalse(line.msp_to_review)
        project.msp_agreement_id = agreement
        self.assertEqual(line.msp_agreement_id, agreement)
        self.assertEqual(
            (line.msp_billing_decision, line.msp_price_unit), ("billable", 110.0)
        )

    def test_helpdesk_user_works_tickets_without_msp_rights(self):
        agent = new_test_user(
            self.env,
            login="agent",
            groups="helpdesk_mgmt.group_helpdesk_user_own,hr_timesheet.group_hr_timesheet_user",
        )
        self.env["hr.employee"].create({"name": "Agent", "user_id": agent.id})
        policy = self.env["msp.sla.policy"].create(
            {
                "name": "Basic",
                "line_ids": [Command.create({"priority": "1", "response_hours": 2})],
            }
        )
        agreement = self._block_agreement(10.0)
        agreement.sla_policy_id = policy
        ticket = (
            self.env["helpdesk.ticket"]
            .with_user(agent)
            .create(
                {
                    "name": "Mail stuck",
                    "description": "<p>Outbox</p>",
                    "partner_id": self.client_contact.id,
                    "user_id": agent.id,
                    "project_id": self.project.id,
                }
            )
        )
        self.assertEqual(ticket.msp_sla_policy_id, policy)
        ticket.message_post(
            body="Looking", message_type="comment", subtype_xmlid="mail.mt_comment"
        )
        self.assertTrue(ticket.msp_first_response_date)
        line = (
            self.env["account.analytic.line"]
            .with_user(agent)
            .create(
                {
                    "name": "Cleared the queue",
                    "project_id": self.project.id,
                    "ticket_id": ticket.id,
                    "date": "2026-01-05",
                    "unit_amount": 1.0,
                }
            )
        )
        self.assertEqual(line.sudo().msp_billing_decision, "prepaid")
        with self.assertRaises(AccessError):
            policy.with_user(agent).write({"name": "Hacked"})

    def test_time_outside_the_term_is_a_leak(self):
        agreement = self._create_agreement(
            billing_model="time_materials",
            fixed_fee=0.0,
            date_start="2026-03-01",
            rate_ids=[Command.create({"product_id": self.labour.id, "price_unit": 90})],
        )
        before = self._timesheet(agreement, "2026-02-27", 1.0)
        self.assertFalse(before.msp_billing_decision)
        self.assertTrue(before.msp_to_review)
        self.assertIn("outside the term", before.msp_decision_reason)
        before.date = "2026-03-02"
        self.assertEqual(before.msp_billing_decision, "billable")
        self.assertFalse(before.msp_to_review)

    def test_billing_model_is_a_label_that_rewrites_no_time(self):
        agreement = self._create_agreement(
            billing_model="time_materials",
            fixed_fee=0.0,
            rate_ids=[Command.create({"product_id": self.labour.id, "price_unit": 90})],
        )
        agreement.action_activate()
        line = self._timesheet(agreement, "2026-01-05", 1.0)
        self.env.flush_all()

        def row_version():
            # A new row version (ctid) is what any UPDATE of the line leaves.
            self.env.cr.execute(
                "SELECT ctid FROM account_analytic_line WHERE id = %s", [line.id]
            )
            return self.env.cr.fetchone()[0]

        before = row_version()
        agreement.billing_model = "fixed"
        self.env.flush_all()
        self.assertEqual(row_version(), before, "the time is not written again")
        self.assertEqual(
            (line.msp_billing_decision, line.msp_price_unit), ("billable", 90.0)
        )
        # A term that decides does decide again.
        agreement.rate_ids.price_unit = 100.0
        self.env.flush_all()
        self.assertNotEqual(row_version(), before)
        self.assertEqual(line.msp_price_unit, 100.0)
