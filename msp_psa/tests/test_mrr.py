# Copyright 2026 msp_psa authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""One MRR: the form, the kanban, the MRR report, the portal and the PDF show
the figure the engine bills for a full period, per month."""

import re
from datetime import timedelta

from odoo import fields
from odoo.tests import BaseCase, HttpCase, tagged

from odoo.addons.msp_psa.tools import mrr, periods

from .common import MspPsaCommon

RECURRING_KINDS = {"fee", "block", "addition"}
DEMO_AGREEMENTS = ("acme", "northwind", "contoso", "fabrikam", "bluebird")


def change_days(agreement):
    """Days on which something an agreement bills per month changes."""
    days = set()
    for addition in agreement.addition_ids:
        days |= {addition.date_start} | set(
            addition.quantity_history_ids.mapped("date")
        )
        if addition.date_end:
            days.add(addition.date_end + timedelta(days=1))
    return days


def next_steady_period(agreement):
    """The first whole billing period not billed yet (not a stub, not cut by the
    end of the term) in which nothing billed per month changes."""
    months = periods.CYCLE_MONTHS[agreement.billing_cycle]
    changes = change_days(agreement)
    start = agreement.next_period_start
    for _i in range(48):
        period = agreement._get_period_at(start)
        if not period:
            return None
        full_end = periods.period_bounds(period[0], months, agreement.anchor_day)[1]
        if (
            periods.is_boundary(period[0], agreement.anchor_day)
            and period[1] == full_end
            and not any(period[0] < d <= period[1] for d in changes)
        ):
            return period
        start = period[1] + timedelta(days=1)
    return None


def recurring_per_month(agreement, period):
    """The recurring part of the invoice of ``period``, per month: fee, block and
    additions of that period (not settlements of earlier ones, not one-time
    additions, not time), as the engine bills it."""
    data = agreement._read_billing_data({agreement: [period]})
    lines, _warnings = agreement._prepare_invoice_lines([period], data)
    total = sum(
        line["quantity"] * line["price_unit"]
        for line in lines
        if line["msp_line_kind"] in RECURRING_KINDS and line["start_date"] >= period[0]
    )
    return total / periods.CYCLE_MONTHS[agreement.billing_cycle]


class TestMrrTools(BaseCase):
    def test_block_monthly(self):
        self.assertEqual(mrr.block_monthly(5, 600.0, 1), 600.0)
        self.assertEqual(mrr.block_monthly(20, 1500.0, 3), 500.0)
        self.assertEqual(mrr.block_monthly(0, 600.0, 1), 0.0)  # no hours, no block
        self.assertEqual(mrr.block_monthly(5, 0.0, 1), 0.0)

    def test_in_service(self):
        d = fields.Date.to_date
        self.assertTrue(mrr.in_service(d("2026-01-01"), None, d("2026-01-01")))
        self.assertTrue(
            mrr.in_service(d("2026-01-01"), d("2026-01-31"), d("2026-01-31"))
        )
        self.assertFalse(
            mrr.in_service(d("2026-01-01"), d("2026-01-31"), d("2026-02-01"))
        )
        self.assertFalse(mrr.in_service(d("2026-01-02"), None, d("2026-01-01")))
        self.assertFalse(mrr.in_service(None, None, d("2026-01-01")))

    def test_monthly_recurring(self):
        self.assertEqual(mrr.monthly_recurring(100.0, 600.0, [4.0, 0.0]), 704.0)
        self.assertEqual(mrr.monthly_recurring(0.0, 0.0, []), 0.0)


@tagged("post_install", "-at_install")
class TestMrr(MspPsaCommon):
    def test_block_counts_per_month_whatever_the_cycle(self):
        start = fields.Date.context_today(self.Agreement).replace(day=1)
        monthly = self._create_agreement(
            date_start=start,
            billing_model="block_hours",
            block_hours=5,
            block_price=600.0,
            block_product_id=self.product_fee.id,
            overage_rate=120.0,
        )
        self._create_addition(monthly, quantity=4, price_unit=26.0)
        quarterly = self._create_agreement(
            date_start=start,
            billing_model="block_hours",
            billing_cycle="quarterly",
            block_hours=20,
            block_price=1000.0,
            block_product_id=self.product_fee.id,
            fixed_fee=50.0,
            fee_product_id=self.product_fee.id,
        )
        (monthly | quarterly).action_activate()
        self.assertEqual(monthly.mrr, 704.0)
        self.assertEqual(quarterly.mrr_block, 333.33)
        self.assertEqual(quarterly.mrr, 383.33)
        rows = self.env["msp.mrr.report"].search(
            [("agreement_id", "in", (monthly | quarterly).ids)]
        )
        by_agreement = {
            agreement: total
            for agreement, total in self.env["msp.mrr.report"]._read_group(
                [("id", "in", rows.ids)], ["agreement_id"], ["mrr:sum"]
            )
        }
        self.assertAlmostEqual(by_agreement[monthly], 704.0, places=2)
        self.assertAlmostEqual(by_agreement[quarterly], 383.33, places=2)
        self.assertEqual(
            set(rows.filtered(lambda r: r.agreement_id == monthly).mapped("line_type")),
            {"block", "addition"},
        )
        self.assertAlmostEqual(
            rows.filtered(lambda r: r.line_type == "block").mapped("arr")[0]
            + rows.filtered(lambda r: r.line_type == "block").mapped("arr")[1],
            12 * (600.0 + 333.33),
            places=2,
        )
        # the engine bills the same per month over a full period
        for agreement in monthly | quarterly:
            period = next_steady_period(agreement)
            self.assertAlmostEqual(
                recurring_per_month(agreement, period), agreement.mrr, places=2
            )

    def test_changing_the_block_price_changes_the_mrr(self):
        agreement = self._create_agreement(
            billing_model="block_hours",
            block_hours=5,
            block_price=600.0,
            block_product_id=self.product_fee.id,
        )
        self.assertEqual(agreement.mrr, 600.0)
        agreement.block_price = 650.0
        self.assertEqual(agreement.mrr, 650.0)
        agreement.billing_cycle = "annual"
        self.assertEqual(agreement.mrr, 54.17)
        agreement.block_hours = 0  # no hours: no block is sold
        self.assertEqual(agreement.mrr, 0.0)


@tagged("post_install", "-at_install")
class TestDemoMrr(HttpCase):
    """The figure is the same on every screen, in the report and in what is billed."""

    def setUp(self):
        super().setUp()
        if not self.env.ref("msp_psa.agreement_contoso_demo", raise_if_not_found=False):
            self.skipTest("demo data not installed")

    def _demo(self, name):
        return self.env.ref(f"msp_psa.agreement_{name}_demo")

    def test_contoso_mrr_is_what_it_is_billed(self):
        contoso = self._demo("contoso")
        self.assertEqual(contoso.mrr, 704.0)
        self.assertEqual(
            contoso.currency_id.round(contoso.mrr - contoso.mrr_block), 104.0
        )

    def test_every_demo_agreement_bills_its_mrr(self):
        """MRR on the first day of the next steady full period x the months of
        the cycle is what that period's invoice bills as recurring."""
        report = self.env["msp.mrr.report"]
        by_agreement = dict(report._read_group([], ["agreement_id"], ["mrr:sum"]))
        for name in DEMO_AGREEMENTS:
            agreement = self._demo(name)
            with self.subTest(agreement=agreement.name):
                self.assertGreater(agreement.mrr, 0)
                # today: the report and the field agree (company currency here)
                self.assertEqual(
                    agreement.currency_id, agreement.company_id.currency_id
                )
                self.assertAlmostEqual(by_agreement[agreement], agreement.mrr, places=2)
                period = next_steady_period(agreement)
                self.assertTrue(period)
                at_start = agreement.with_context(date=period[0]).mrr
                self.assertAlmostEqual(
                    recurring_per_month(agreement, period), at_start, places=2
                )

    def test_mrr_follows_the_quantity_log(self):
        """Northwind's demo has a device joining in December: today's MRR counts
        today's devices, the MRR of the quarter after counts them all."""
        northwind = self._demo("northwind")
        devices = northwind.addition_ids.filtered(
            lambda a: a.kind_id.code == "workstation"
        )
        today = fields.Date.context_today(northwind)
        later = [e for e in devices.quantity_history_ids if e.date > today]
        if not later:
            self.skipTest("no future-dated device in the demo")
        day = max(e.date for e in later)
        step = devices.currency_id.round(
            (devices._get_quantity_at(day) - devices.quantity) * devices.price_unit
        )
        self.assertTrue(step)
        self.assertAlmostEqual(
            northwind.with_context(date=day).mrr, northwind.mrr + step, places=2
        )

    def test_portal_and_pdf_show_the_same_mrr(self):
        contoso = self._demo("contoso")
        shown = "704.00"
        # kanban and list read the field: the same value as the form
        kanban = self.env["msp.agreement"].web_search_read(
            [("id", "=", contoso.id)], {"mrr": {}}
        )
        self.assertEqual(kanban["records"][0]["mrr"], 704.0)
        html, _type = self.env["ir.actions.report"]._render_qweb_html(
            "msp_psa.msp_agreement_report_action", contoso.ids
        )
        self.assertIn(shown, html.decode())
        self.authenticate("portal_contoso", "portal_contoso")
        page = self.url_open(contoso.access_url)
        self.assertEqual(page.status_code, 200)
        monthly_total = re.search(
            r"Monthly total today</th>\s*<td>(.*?)</td>", page.text, re.DOTALL
        )
        self.assertIn(shown, monthly_total.group(1))
