# Copyright 2026 msp_psa authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from collections import defaultdict

from freezegun import freeze_time

from odoo import Command, fields
from odoo.tests import BaseCase, TransactionCase, tagged
from odoo.tools.safe_eval import safe_eval

from odoo.addons.msp_psa.tools import hours

from .common import MspHelpdeskCommon

MEASURES = [
    "msp_covered_hours",
    "msp_prepaid_hours",
    "msp_overage_hours",
    "msp_billable_hours",
    "msp_non_billable_hours",
    "msp_undecided_hours",
    "unit_amount",
]


def report(env, extra_domain=()):
    """Hours by Billing Decision as its pivot shows them:
    {(agreement, first day of the month): {measure: hours}}."""
    action = env.ref("msp_psa.msp_hours_report_action")
    domain = safe_eval(action.domain) + list(extra_domain)
    return {
        (agreement, month): dict(zip(MEASURES, sums, strict=True))
        for agreement, month, *sums in env["account.analytic.line"]._read_group(
            domain,
            ["msp_agreement_id", "date:month"],
            [f"{measure}:sum" for measure in MEASURES],
        )
    }


def invoiced(moves):
    """{(agreement, first day of the month, line kind): quantity} of the
    invoices' time lines, by the month of their service period."""
    quantities = defaultdict(float)
    for line in moves.invoice_line_ids:
        if line.msp_line_kind in ("time", "overage", "block_usage"):
            month = line.start_date.replace(day=1)
            quantities[(line.msp_agreement_id, month, line.msp_line_kind)] += (
                line.quantity
            )
    return quantities


class TestHoursSplit(BaseCase):
    """The pure split of a line's hours by the way they are billed."""

    def test_split_adds_up_to_the_hours(self):
        self.assertEqual(
            hours.split_hours(2.5, "billable", 1.5, 1.0, False),
            {
                "covered": 0.0,
                "prepaid": 1.5,
                "overage": 1.0,
                "billable": 0.0,
                "non_billable": 0.0,
                "undecided": 0.0,
            },
        )
        tm = hours.split_hours(2.0, "billable", 0.0, 0.0, False)
        self.assertEqual((tm["billable"], sum(tm.values())), (2.0, 2.0))
        self.assertEqual(
            hours.split_hours(1.5, "prepaid", 1.5, 0.0, False)["prepaid"], 1.5
        )
        self.assertEqual(hours.split_hours(1.0, "covered", 0, 0, False)["covered"], 1.0)
        self.assertEqual(
            hours.split_hours(0.5, "non_billable", 0, 0, False)["non_billable"], 0.5
        )
        # Billable without an agreement to bill it under: nothing bills it.
        leaked = hours.split_hours(0.75, "billable", 0, 0, True)
        self.assertEqual((leaked["undecided"], leaked["billable"]), (0.75, 0.0))
        # Internal time is no client's hours.
        self.assertEqual(sum(hours.split_hours(3.0, False, 0, 0, False).values()), 0)

    def test_status_never_says_billable_for_a_leak(self):
        self.assertEqual(hours.status("billable", True), "leaked")
        self.assertEqual(hours.status(False, True), "undecided")
        self.assertEqual(hours.status("billable", False), "billable")
        self.assertFalse(hours.status(False, False))


@tagged("post_install", "-at_install")
class TestHoursReport(MspHelpdeskCommon):
    """Hours by Billing Decision counts each hour as the invoice bills it."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.project = cls.env["project.project"].create({"name": "Support"})
        cls.employee = cls.env["hr.employee"].create({"name": "Tech"})
        cls.labour = cls._create_product(
            name="Remote labour", type="service", lst_price=80.0
        )

    def _timesheet(self, agreement, day, amount, **vals):
        return self.env["account.analytic.line"].create(
            {
                "name": vals.pop("name", "Work"),
                "project_id": self.project.id,
                "date": day,
                "unit_amount": amount,
                "msp_agreement_id": agreement.id,
                "employee_id": self.employee.id,
                **vals,
            }
        )

    def test_block_line_split_between_prepaid_and_overage(self):
        agreement = self._create_agreement(
            billing_model="block_hours",
            fee_product_id=self.product_fee.id,
            block_hours=5.0,
            block_price=600.0,
            block_product_id=self.product_fee.id,
            overage_rate=135.0,
        )
        agreement.action_activate()
        first = self._timesheet(agreement, "2026-01-10", 3.5)
        split = self._timesheet(agreement, "2026-01-21", 2.5)
        after = self._timesheet(agreement, "2026-01-24", 1.0)
        self.assertEqual(split.msp_billing_decision, "billable")
        self.assertEqual(
            (
                split.msp_prepaid_hours,
                split.msp_overage_hours,
                split.msp_billable_hours,
            ),
            (1.5, 1.0, 0.0),
        )
        # Time & materials by decision of staff on a block agreement.
        extra = self._timesheet(agreement, "2026-01-25", 0.5, name="Cabling")
        extra.action_msp_bill_time_materials(self.labour.id, 95.0)
        self.assertEqual(
            (extra.msp_billable_hours, extra.msp_prepaid_hours), (0.5, 0.0)
        )
        lines = first | split | after | extra
        for line in lines:
            self.assertAlmostEqual(
                sum(line[m] for m in MEASURES[:-1]), line.unit_amount, places=6
            )
        january = report(self.env)[(agreement, fields.Date.to_date("2026-01-01"))]
        self.assertEqual(
            january,
            {
                "msp_covered_hours": 0.0,
                "msp_prepaid_hours": 5.0,
                "msp_overage_hours": 2.0,
                "msp_billable_hours": 0.5,
                "msp_non_billable_hours": 0.0,
                "msp_undecided_hours": 0.0,
                "unit_amount": 7.5,
            },
        )
        with freeze_time("2026-02-01"):
            run = self.env["msp.billing.run"].create(
                {"date": "2026-02-01", "trigger": "manual"}
            )
            run._run(agreement_ids=agreement.ids)
        move = run.invoice_ids
        self.assertEqual(len(move), 1)
        jan = fields.Date.to_date("2026-01-01")
        billed = invoiced(move)
        self.assertEqual(billed[(agreement, jan, "overage")], 2.0)
        self.assertEqual(billed[(agreement, jan, "time")], 0.5)
        self.assertEqual(billed[(agreement, jan, "block_usage")], 7.0)
        tm = move.invoice_line_ids.filtered(lambda li: li.msp_line_kind == "time")
        self.assertEqual((tm.product_id, tm.price_unit), (self.labour, 95.0))
        self.assertEqual(extra.msp_invoice_line_id, tm)
        overage = move.invoice_line_ids.filtered(
            lambda li: li.msp_line_kind == "overage"
        )
        self.assertEqual(overage.price_subtotal, 270.0)
        self.assertTrue(all(line.msp_invoice_line_id for line in lines))

    def test_leaked_time_is_undecided_not_billable(self):
        ticket = self.env["helpdesk.ticket"].create(
            {
                "name": "Printer jam",
                "description": "<p>Jam</p>",
                "partner_id": self.client_contact.id,
                "project_id": self.project.id,
            }
        )
        line = self.env["account.analytic.line"].create(
            {
                "name": "Cleared the jam",
                "project_id": self.project.id,
                "ticket_id": ticket.id,
                "date": "2026-01-05",
                "unit_amount": 0.75,
                "employee_id": self.employee.id,
            }
        )
        self.assertEqual(line.msp_billing_status, "leaked")
        self.assertEqual((line.msp_billable_hours, line.msp_undecided_hours), (0, 0.75))
        agreement = self._create_agreement(
            billing_model="time_materials",
            fixed_fee=0.0,
            rate_ids=[Command.create({"product_id": self.labour.id, "price_unit": 90})],
        )
        agreement.action_activate()
        ticket.msp_agreement_id = agreement
        self.assertEqual(line.msp_billing_status, "billable")
        self.assertEqual((line.msp_billable_hours, line.msp_undecided_hours), (0.75, 0))


@tagged("post_install", "-at_install")
class TestDemoHoursReconcile(TransactionCase):
    """The demo's billing run and Hours by Billing Decision tell the same
    figures, agreement by agreement and month by month."""

    def setUp(self):
        super().setUp()
        if not self.env.ref("msp_psa.agreement_contoso_demo", raise_if_not_found=False):
            self.skipTest("demo data not installed")

    def test_every_cell_reads_a_number(self):
        """No blank cell where no hour falls in a category: 0:00, a number."""
        cells = report(self.env)
        self.assertTrue(cells)
        blanks = [
            (agreement.display_name, month, measure)
            for (agreement, month), sums in cells.items()
            for measure, value in sums.items()
            if value is None or value is False
        ]
        self.assertFalse(blanks)

    def test_report_matches_the_invoiced_hours(self):
        Run = self.env["msp.billing.run"].sudo()
        Run._cron_generate_invoices()
        moves = Run.search([]).invoice_ids
        self.assertTrue(moves)
        billed = invoiced(moves)
        months = {(agreement, month) for agreement, month, _kind in billed}
        self.assertTrue(months)
        figures = report(self.env)
        for agreement, month in months:
            row = figures[(agreement, month)]
            what = f"{agreement.display_name}, {month:%B %Y}"
            self.assertAlmostEqual(
                row["msp_overage_hours"],
                billed[(agreement, month, "overage")],
                places=2,
                msg=f"overage hours of {what}",
            )
            self.assertAlmostEqual(
                row["msp_billable_hours"],
                billed[(agreement, month, "time")],
                places=2,
                msg=f"billable hours of {what}",
            )
            if agreement.block_hours:
                self.assertAlmostEqual(
                    row["msp_prepaid_hours"] + row["msp_overage_hours"],
                    billed[(agreement, month, "block_usage")],
                    places=2,
                    msg=f"block hours used of {what}",
                )
        # Contoso's last month: 7 h worked, 5 h from the block, 2 h overage
        # invoiced; the 2.5 h line drawn 1.5 h from the block counts 1 h
        # overage, not 2.5 h billable.
        contoso = self.env.ref("msp_psa.agreement_contoso_demo")
        split = self.env.ref("msp_psa.ticket_contoso_onboarding_timesheet_2_demo")
        last_month = split.date.replace(day=1)
        self.assertEqual((split.msp_prepaid_hours, split.msp_overage_hours), (1.5, 1.0))
        row = figures[(contoso, last_month)]
        self.assertEqual(
            (
                row["msp_prepaid_hours"],
                row["msp_overage_hours"],
                row["msp_billable_hours"],
                row["unit_amount"],
            ),
            (5.0, 2.0, 0.0, 7.0),
        )
        self.assertEqual(billed[(contoso, last_month, "overage")], 2.0)
        fabrikam = self.env.ref("msp_psa.agreement_fabrikam_demo")
        self.assertEqual(figures[(fabrikam, last_month)]["msp_billable_hours"], 4.5)
        self.assertEqual(billed[(fabrikam, last_month, "time")], 4.5)
