# Copyright 2026 msp_psa authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from freezegun import freeze_time

from odoo import Command
from odoo.exceptions import AccessError, UserError
from odoo.tests import Form, new_test_user, tagged
from odoo.tools.safe_eval import safe_eval

from .common import MspHelpdeskCommon


@tagged("post_install", "-at_install")
class TestLeakage(MspHelpdeskCommon):
    """The Leakage Queue fixes the cause of a leak: assign the agreement, mark
    the time non-billable with a reason, or bill it as time & materials."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Line = cls.env["account.analytic.line"]
        cls.remote = cls.env.ref("msp_psa.work_type_remote")
        cls.onsite = cls.env.ref("msp_psa.work_type_onsite")
        cls.labour = cls._create_product(
            name="Remote labour", type="service", lst_price=80.0
        )
        cls.onsite_labour = cls._create_product(
            name="Onsite labour", type="service", lst_price=140.0
        )
        cls.onsite.product_id = cls.onsite_labour
        cls.project = cls.env["project.project"].create({"name": "Support"})
        cls.employee = cls.env["hr.employee"].create({"name": "Tech"})
        cls.agreement = cls._create_agreement(
            billing_model="time_materials",
            billing_timing="arrears",
            fixed_fee=0.0,
            rate_ids=[
                Command.create(
                    {
                        "work_type_id": cls.onsite.id,
                        "product_id": cls.onsite_labour.id,
                        "price_unit": 120.0,
                    }
                )
            ],
        )
        cls.agreement.action_activate()
        cls.other_agreement = cls._create_agreement(
            partner_id=cls.other_client.id,
            fixed_fee=100.0,
            fee_product_id=cls.product_fee.id,
        )
        cls.other_agreement.action_activate()
        cls.draft_agreement = cls._create_agreement(fixed_fee=100.0)

    def _ticket(self, name="Printer jam", partner=None, **vals):
        ticket = self.env["helpdesk.ticket"].create(
            {
                "name": name,
                "description": "<p>Help</p>",
                "partner_id": (partner or self.client_contact).id,
                "project_id": self.project.id,
                **vals,
            }
        )
        ticket.msp_agreement_id = False  # the client's new agreement did not cover it
        return ticket

    def _line(self, ticket, day="2026-01-05", amount=2.0, work_type=None, **vals):
        return self.Line.create(
            {
                "name": vals.pop("name", "Work"),
                "project_id": self.project.id,
                "ticket_id": ticket.id if ticket else False,
                "date": day,
                "unit_amount": amount,
                "msp_work_type_id": (work_type or self.onsite).id,
                "employee_id": self.employee.id,
                **vals,
            }
        )

    def _queue(self):
        action = self.env.ref("msp_psa.msp_leakage_action")
        return self.Line.search(safe_eval(action.domain))

    def test_badge_and_amount_at_stake(self):
        ticket = self._ticket()
        leak = self._line(ticket, amount=1.5)
        self.assertEqual(leak.msp_billing_decision, "billable")
        self.assertEqual(leak.msp_billing_status, "leaked", "not 'Billable'")
        # No agreement: the work type's list price is what would apply.
        self.assertEqual(leak.msp_amount_at_stake, 210.0)
        undecided = self._line(
            False, amount=0.5, work_type=self.remote, msp_agreement_id=self.agreement.id
        )
        self.assertFalse(undecided.msp_billing_decision)
        self.assertEqual(undecided.msp_billing_status, "undecided")
        self.assertEqual(self._queue() & (leak | undecided), leak | undecided)
        # Before the term, the agreement's rate for the work type would apply.
        early = self._line(
            False, day="2025-12-20", amount=0.25, msp_agreement_id=self.agreement.id
        )
        self.assertTrue(early.msp_to_review)
        self.assertEqual(early.msp_amount_at_stake, 30.0)
        billable = self._line(False, amount=2.0, msp_agreement_id=self.agreement.id)
        self.assertEqual(billable.msp_billing_status, "billable")
        self.assertEqual(billable.msp_amount_at_stake, 240.0)
        wizard = Form(
            self.env["msp.leakage.wizard"].with_context(
                **(leak | early).action_msp_leakage_non_billable()["context"]
            )
        )
        self.assertEqual(wizard.amount_at_stake, 240.0)
        self.assertEqual(wizard.hours, 1.75)

    def test_assign_agreement(self):
        ticket = self._ticket()
        leak = self._line(ticket)
        other = self._line(self._ticket("Server down", partner=self.other_contact))
        for bad, message in [
            (self.other_agreement.id, "is an agreement of Northwind: it cannot cover"),
            (self.draft_agreement.id, "is not active"),
            (False, "Choose the agreement"),
            ("7", "'7' is not a valid agreement"),
            (True, "True is not a valid agreement"),
            (999999, "There is no agreement with id 999999"),
            (2**63, f"There is no agreement with id {2**63}"),
            (-3, "There is no agreement with id -3"),
        ]:
            with self.assertRaisesMsg(UserError, message):
                leak.action_msp_assign_agreement(bad)
            self.assertFalse(ticket.msp_agreement_id)
            self.assertTrue(leak.msp_to_review)
        # Two clients' time at once: nothing is written.
        with self.assertRaisesMsg(UserError, "it cannot cover .*Server down"):
            (leak | other).action_msp_assign_agreement(self.agreement.id)
        self.assertFalse(ticket.msp_agreement_id)
        self.assertTrue(leak.msp_to_review)
        action = leak.action_msp_leakage_assign()
        self.assertEqual(action["res_model"], "msp.leakage.wizard")
        with Form(
            self.env["msp.leakage.wizard"].with_context(**action["context"])
        ) as wizard:
            self.assertEqual(wizard.partner_id, self.client)
            wizard.agreement_id = self.agreement
        wizard.record.action_apply()
        self.assertEqual(ticket.msp_agreement_id, self.agreement)
        self.assertEqual(
            (leak.msp_billing_status, leak.msp_price_unit, leak.msp_amount_at_stake),
            ("billable", 120.0, 240.0),
        )
        self.assertNotIn(leak, self._queue())
        no_ticket = self._line(
            False, day="2025-12-20", msp_agreement_id=self.agreement.id
        )
        with self.assertRaisesMsg(UserError, "is not time of a ticket"):
            no_ticket.action_msp_assign_agreement(self.agreement.id)

    def test_mark_non_billable(self):
        leak = self._line(self._ticket(), amount=1.25, name="Warranty repair")
        for bad in ("", "   ", None, 42):
            with self.assertRaisesMsg(
                UserError, r"Say why Warranty repair \(2026-01-05, 1.25 h\)"
            ):
                leak.action_msp_mark_non_billable(bad)
            self.assertFalse(leak.msp_non_billable)
        leak.action_msp_mark_non_billable("  Hardware under warranty ")
        self.assertEqual(
            (
                leak.msp_billing_decision,
                leak.msp_non_billable_reason,
                leak.msp_decision_reason,
                leak.msp_non_billable_hours,
                leak.msp_amount_at_stake,
            ),
            (
                "non_billable",
                "Hardware under warranty",
                "Hardware under warranty",
                1.25,
                0,
            ),
        )
        self.assertNotIn(leak, self._queue())

    def test_bill_as_time_and_materials(self):
        ticket = self._ticket()
        no_agreement = self._line(ticket)
        with self.assertRaisesMsg(UserError, "has no agreement: a billing run bills"):
            no_agreement.action_msp_bill_time_materials(self.labour.id, 90.0)
        early = self._line(
            False, day="2025-12-20", amount=1.5, msp_agreement_id=self.agreement.id
        )
        for product, price, message in [
            (self.labour.id, -5.0, "-5.0 is not an hourly rate"),
            (self.labour.id, "90", "'90' is not an hourly rate"),
            (self.labour.id, float("nan"), "nan is not an hourly rate"),
            (self.labour.id, None, "None is not an hourly rate"),
            ([self.labour.id], 90.0, "is not a valid product"),
            (888888, 90.0, "There is no product with id 888888"),
            (False, 90.0, "Choose the product"),
        ]:
            with self.assertRaisesMsg(UserError, message):
                early.action_msp_bill_time_materials(product, price)
            self.assertFalse(early.msp_tm_product_id)
            self.assertTrue(early.msp_to_review)
        with Form(
            self.env["msp.leakage.wizard"].with_context(
                **early.action_msp_leakage_time_materials()["context"]
            )
        ) as wizard:
            wizard.product_id = self.labour
            self.assertEqual(wizard.price_unit, 80.0)
            wizard.price_unit = 95.0
        wizard.record.action_apply()
        self.assertEqual(
            (
                early.msp_billing_status,
                early.msp_product_id,
                early.msp_price_unit,
                early.msp_billable_hours,
                early.msp_amount_at_stake,
            ),
            ("billable", self.labour, 95.0, 1.5, 142.5),
        )
        self.assertNotIn(early, self._queue())
        # The next billing run of the agreement bills it.
        with freeze_time("2026-02-01"):
            run = self.env["msp.billing.run"].create(
                {"date": "2026-02-01", "trigger": "manual"}
            )
            run._run(agreement_ids=self.agreement.ids)
        line = run.invoice_ids.invoice_line_ids.filtered(
            lambda li: li.msp_line_kind == "time"
        )
        self.assertEqual(
            (line.product_id, line.quantity, line.price_unit, line.price_subtotal),
            (self.labour, 1.5, 95.0, 142.5),
        )
        self.assertEqual(early.msp_invoice_line_id, line)
        # Invoiced time is not changed any more.
        with self.assertRaisesMsg(UserError, "is invoiced on"):
            early.action_msp_mark_non_billable("Too late")

    def test_access_and_missing_lines(self):
        leak = self._line(self._ticket())
        outsider = new_test_user(self.env, login="outsider", groups="base.group_user")
        with self.assertRaises(AccessError):
            leak.with_user(outsider).action_msp_mark_non_billable("Mine")
        self.assertFalse(leak.msp_non_billable)
        gone = self._line(self._ticket("Gone"))
        gone_id = gone.id
        gone.unlink()
        with self.assertRaisesMsg(UserError, f"Time {gone_id} no longer exists"):
            (leak | self.Line.browse(gone_id)).action_msp_mark_non_billable("Mine")
        self.assertFalse(leak.msp_non_billable)
        with self.assertRaisesMsg(UserError, "Select the time"):
            self.Line.action_msp_mark_non_billable("Nothing")

    def test_tickets_without_agreement_are_clients_tickets(self):
        client_ticket = self._ticket("Guest Wi-Fi down")
        own = self._ticket("Office move", partner=self.env.company.partner_id)
        staff = self._ticket("Laptop for me", partner=self.env.user.partner_id)
        action = self.env.ref("msp_psa.helpdesk_ticket_unmapped_action")
        listed = self.env["helpdesk.ticket"].search(
            safe_eval(action.domain) + [("msp_unmapped", "=", True)]
        )
        self.assertIn(client_ticket, listed)
        self.assertNotIn(own, listed)
        self.assertNotIn(staff, listed)
        self.assertEqual(
            client_ticket.display_name, f"{client_ticket.number} - Guest Wi-Fi down"
        )
