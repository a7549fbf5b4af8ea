# Copyright 2026 msp_psa authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from datetime import date
from unittest.mock import patch

from freezegun import freeze_time

from odoo import Command, fields
from odoo.exceptions import AccessError, UserError
from odoo.tests import TransactionCase, new_test_user, tagged
from odoo.tools import mute_logger

from odoo.addons.msp_psa.models.msp_revenue_schedule_line import (
    MspRevenueScheduleLine,
)
from odoo.addons.msp_psa.tools import revenue

from .common import MspPsaCommon


@tagged("post_install", "-at_install")
class TestRevenueRecognition(MspPsaCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Move = cls.env["account.move"]
        cls.Schedule = cls.env["msp.revenue.schedule"]
        cls.Month = cls.env["msp.revenue.schedule.line"]
        cls.income = cls.company_data["default_account_revenue"]
        cls.deferred = cls._setup_deferred_revenue(cls.company_data)
        cls.misc_journal = cls.company_data["default_journal_misc"]

    @classmethod
    def _setup_deferred_revenue(cls, company_data, method="monthly"):
        company = company_data["company"]
        deferred = (
            cls.env["account.account"]
            .with_company(company)
            .create(
                {
                    "name": "Deferred Revenue",
                    "code": "239100",
                    "account_type": "liability_current",
                }
            )
        )
        company.write(
            {
                "msp_deferred_revenue_account_id": deferred.id,
                "msp_revenue_journal_id": company_data["default_journal_misc"].id,
                "msp_revenue_method": method,
            }
        )
        return deferred

    # ------------------------------------------------------------------
    # Helpers
    # ------------------------------------------------------------------
    def _invoice(
        self,
        amount,
        start,
        end,
        invoice_date,
        move_type="out_invoice",
        product=None,
        company_data=None,
        post=True,
        **vals,
    ):
        company_data = company_data or self.company_data
        line_vals = {
            "product_id": (product or self.product_fee).id,
            "quantity": 1.0,
            "price_unit": amount,
            "tax_ids": [Command.clear()],
            "start_date": start,
            "end_date": end,
        }
        line_vals.update(vals.pop("line_vals", {}))
        move = self.Move.with_company(company_data["company"]).create(
            {
                "move_type": move_type,
                "partner_id": self.client.id,
                "invoice_date": invoice_date,
                "journal_id": company_data["default_journal_sale"].id,
                "invoice_line_ids": [Command.create(line_vals)],
                **vals,
            }
        )
        if post:
            move.action_post()
        return move

    def _recognise(self, day):
        with freeze_time(day):
            self.Month._cron_recognize_revenue()

    def _balance(self, account, day=None, company=None):
        """The account's credit balance in company currency (posted items)."""
        domain = [
            ("account_id", "=", account.id),
            ("parent_state", "=", "posted"),
            ("company_id", "=", (company or self.env.company).id),
        ]
        if day:
            domain.append(("date", "<=", day))
        lines = self.env["account.move.line"].search(domain)
        return -round(sum(lines.mapped("balance")), 2)

    def _months(self, schedule, state=None):
        lines = schedule.line_ids.filtered(
            lambda line: not state or line.state == state
        )
        return [(str(line.date), line.amount, line.state) for line in lines]

    def _recognitions(self, company=None):
        return self.Move.search(
            [
                ("journal_id", "=", self.misc_journal.id if not company else False),
                ("company_id", "=", (company or self.env.company).id),
            ]
        )

    def _check(self, day, company=None):
        return self.env["msp.revenue.report"]._check_balance(
            day, company or self.env.company
        )

    def _assert_balances(self, day, deferred, income):
        self.assertEqual(self._balance(self.deferred, day), deferred)
        self.assertEqual(self._balance(self.income, day), income)
        ledger, schedules, difference, causes = self._check(day)
        self.assertEqual(
            (ledger, schedules, difference, causes), (deferred, deferred, 0.0, [])
        )

    # ------------------------------------------------------------------
    # The schedule maths
    # ------------------------------------------------------------------
    def test_split_rounding(self):
        self.assertEqual(
            revenue.split(1000.0, date(2026, 1, 1), date(2026, 3, 31), "monthly"),
            [
                (date(2026, 1, 31), 333.33),
                (date(2026, 2, 28), 333.34),
                (date(2026, 3, 31), 333.33),
            ],
        )
        seven = revenue.split(100.0, date(2026, 1, 1), date(2026, 7, 31), "monthly")
        self.assertEqual(
            [amount for __, amount in seven],
            [14.29, 14.28, 14.29, 14.28, 14.29, 14.28, 14.29],
        )
        for method in ("daily", "monthly"):
            for amount in (0.01, 0.05, 99.99, 100.0, 1000.0, 12345.67):
                months = revenue.split(
                    amount, date(2026, 1, 17), date(2027, 2, 3), method
                )
                self.assertAlmostEqual(sum(a for __, a in months), amount, places=6)
                self.assertTrue(all(round(a, 2) == a for __, a in months))

    def test_rounding_in_the_ledger(self):
        """100.00 over 7 months and 1,000.00 over 3: each month to the cent, and
        the deferred revenue account back to exactly zero at the end."""
        seven = self._invoice(100.0, "2026-01-01", "2026-07-31", "2026-01-01")
        three = self._invoice(
            1000.0, "2026-01-01", "2026-03-31", "2026-01-01", product=self.product_seat
        )
        self.assertEqual(
            three.msp_revenue_schedule_ids.line_ids.mapped("amount"),
            [333.33, 333.34, 333.33],
        )
        self._recognise("2026-02-28")
        self._assert_balances(date(2026, 2, 28), 404.76, 695.24)
        self._recognise("2026-07-31")
        self._assert_balances(date(2026, 7, 31), 0.0, 1100.0)
        self.assertEqual(
            (seven | three).msp_revenue_schedule_ids.mapped("state"), ["done", "done"]
        )

    def test_line_without_product(self):
        invoice = self._invoice(
            600.0,
            "2026-01-01",
            "2026-06-30",
            "2026-01-01",
            line_vals={
                "product_id": False,
                "name": "Prepaid support",
                "account_id": self.income.id,
            },
        )
        schedule = invoice.msp_revenue_schedule_ids
        self.assertEqual(schedule.income_account_id, self.income)
        self.assertEqual(set(schedule.line_ids.mapped("amount")), {100.0})

    # ------------------------------------------------------------------
    # Annual prepaid
    # ------------------------------------------------------------------
    def _annual_agreement_invoice(self):
        agreement = self._create_agreement(
            fixed_fee=1000.0,
            fee_product_id=self.product_fee.id,
            billing_cycle="annual",
        )
        agreement.action_activate()
        with freeze_time("2026-01-01"):
            run = self.env["msp.billing.run"].create(
                {"date": "2026-01-01", "trigger": "manual"}
            )
            run._run(agreement_ids=agreement.ids)
        invoice = run.invoice_ids
        self.assertEqual(invoice.amount_untaxed, 12000.0)
        with freeze_time("2026-01-01"):
            invoice.action_post()
        return agreement, invoice

    def test_annual_monthly(self):
        agreement, invoice = self._annual_agreement_invoice()
        line = invoice.invoice_line_ids
        self.assertEqual(line.account_id, self.deferred)
        self.assertEqual(line.msp_revenue_income_account_id, self.income)
        schedule = invoice.msp_revenue_schedule_ids
        self.assertEqual(len(schedule), 1)
        self.assertEqual(schedule.agreement_id, agreement)
        self.assertEqual(schedule.partner_id, self.client)
        self.assertEqual(schedule.amount_total, 12000.0)
        self.assertEqual(
            [(str(m.date), m.amount) for m in schedule.line_ids],
            [
                (str(revenue.month_end(date(2026, month, 1))), 1000.0)
                for month in range(1, 13)
            ],
        )
        self._assert_balances(date(2026, 1, 1), 12000.0, 0.0)

        self._recognise("2026-01-30")  # January is not over
        self.assertFalse(schedule.line_ids.move_id)
        self._recognise("2026-03-31")
        moves = schedule.line_ids.move_id
        self.assertEqual(
            sorted(str(d) for d in moves.mapped("date")),
            ["2026-01-31", "2026-02-28", "2026-03-31"],
        )
        self.assertTrue(all(m.state == "posted" for m in moves))
        self.assertEqual(moves.journal_id, self.misc_journal)
        january = moves.filtered(lambda m: m.date == date(2026, 1, 31))
        self.assertEqual(january.ref, "Revenue recognition 2026-01")
        self.assertEqual(
            sorted((ml.account_id.id, ml.debit, ml.credit) for ml in january.line_ids),
            sorted([(self.deferred.id, 1000.0, 0.0), (self.income.id, 0.0, 1000.0)]),
        )
        self.assertEqual(schedule.amount_recognised, 3000.0)
        self.assertEqual(schedule.amount_remaining, 9000.0)
        self._assert_balances(date(2026, 3, 31), 9000.0, 3000.0)
        self._assert_balances(date(2026, 1, 31), 11000.0, 1000.0)

        # Running again changes nothing.
        count = self.Move.search_count([("journal_id", "=", self.misc_journal.id)])
        self._recognise("2026-03-31")
        self._recognise("2026-04-02")
        self.assertEqual(
            self.Move.search_count([("journal_id", "=", self.misc_journal.id)]), count
        )
        self._recognise("2027-01-05")
        self.assertEqual(schedule.state, "done")
        self._assert_balances(date(2027, 1, 5), 0.0, 12000.0)

    def test_annual_daily_with_tax_and_analytic(self):
        self.env.company.msp_revenue_method = "daily"
        plan = self.env["account.analytic.plan"].create({"name": "MSP"})
        analytic = self.env["account.analytic.account"].create(
            {"name": "Managed IT", "plan_id": plan.id}
        )
        invoice = self._invoice(
            12000.0,
            "2026-01-01",
            "2026-12-31",
            "2026-01-01",
            line_vals={
                "tax_ids": [Command.set(self.tax_sale_a.ids)],
                "analytic_distribution": {str(analytic.id): 100},
            },
        )
        line = invoice.invoice_line_ids
        self.assertEqual(line.account_id, self.deferred)
        self.assertEqual(line.tax_ids, self.tax_sale_a)
        self.assertEqual(line.analytic_distribution, {str(analytic.id): 100})
        tax_line = invoice.line_ids.filtered("tax_line_id")
        self.assertEqual(
            tax_line.account_id,
            self.company_data[
                "default_tax_sale"
            ].invoice_repartition_line_ids.account_id,
        )
        self.assertEqual(-tax_line.balance, 1800.0)
        schedule = invoice.msp_revenue_schedule_ids
        self.assertEqual(
            [m.amount for m in schedule.line_ids][:3], [1019.18, 920.55, 1019.17]
        )
        self.assertEqual(sum(schedule.line_ids.mapped("amount")), 12000.0)
        self._recognise("2026-02-28")
        self._assert_balances(date(2026, 2, 28), 10060.27, 1939.73)
        income_items = schedule.line_ids.move_id.line_ids.filtered(
            lambda ml: ml.account_id == self.income
        )
        self.assertEqual(
            income_items.mapped("analytic_distribution"),
            [{str(analytic.id): 100}] * 2,
        )
        self.assertEqual(analytic.balance, 1939.73)

    # ------------------------------------------------------------------
    # Quarterly, mid-month
    # ------------------------------------------------------------------
    def test_quarterly_mid_month(self):
        invoice = self._invoice(3000.0, "2026-01-15", "2026-04-14", "2026-01-15")
        schedule = invoice.msp_revenue_schedule_ids
        # January weighs 17/31, February and March 1, April 14/30.
        self.assertEqual(
            [(str(m.date), m.amount) for m in schedule.line_ids],
            [
                ("2026-01-31", 545.65),
                ("2026-02-28", 995.01),
                ("2026-03-31", 995.0),
                ("2026-04-30", 464.34),
            ],
        )
        self.env.company.msp_revenue_method = "daily"
        daily = self._invoice(9000.0, "2026-01-15", "2026-04-14", "2026-01-15")
        # 90 days: 17, 28, 31, 14.
        self.assertEqual(
            [m.amount for m in daily.msp_revenue_schedule_ids.line_ids],
            [1700.0, 2800.0, 3100.0, 1400.0],
        )
        self._recognise("2026-02-28")
        self._assert_balances(date(2026, 2, 28), 5959.34, 6040.66)

    def test_invoiced_late_catches_up_in_its_month(self):
        """Months before the invoice's month are recognised with its month."""
        invoice = self._invoice(3000.0, "2026-01-01", "2026-03-31", "2026-02-10")
        self.assertEqual(
            self._months(invoice.msp_revenue_schedule_ids),
            [("2026-02-28", 2000.0, "planned"), ("2026-03-31", 1000.0, "planned")],
        )

    def test_not_deferred(self):
        within = self._invoice(500.0, "2026-01-01", "2026-01-31", "2026-01-01")
        no_dates = self._invoice(500.0, False, False, "2026-01-01")
        self.env.company.msp_revenue_threshold = 100.0
        small = self._invoice(99.99, "2026-01-01", "2026-12-31", "2026-01-01")
        for move in within | no_dates | small:
            self.assertEqual(move.invoice_line_ids.account_id, self.income)
            self.assertFalse(move.msp_revenue_schedule_ids)
        big = self._invoice(100.0, "2026-01-01", "2026-12-31", "2026-01-01")
        self.assertEqual(big.invoice_line_ids.account_id, self.deferred)

    def test_product_and_category_override(self):
        other = self.deferred.copy({"code": "239200", "name": "Deferred Blocks"})
        category = self.env["product.category"].create(
            {
                "name": "Prepaid",
                "msp_deferred_revenue_account_id": other.id,
                "msp_revenue_method": "daily",
            }
        )
        self.product_setup.categ_id = category
        invoice = self._invoice(
            900.0, "2026-01-01", "2026-03-31", "2026-01-01", product=self.product_setup
        )
        schedule = invoice.msp_revenue_schedule_ids
        self.assertEqual(schedule.deferred_account_id, other)
        self.assertEqual(schedule.method, "daily")
        self.product_setup.msp_revenue_method = "monthly"
        invoice = self._invoice(
            900.0, "2026-01-01", "2026-03-31", "2026-01-01", product=self.product_setup
        )
        self.assertEqual(invoice.msp_revenue_schedule_ids.method, "monthly")
        self.assertEqual(
            invoice.msp_revenue_schedule_ids.line_ids.mapped("amount"),
            [300.0, 300.0, 300.0],
        )

    def test_settings_line_by_line_in_one_posting(self):
        """Settings are read once per product and company in a posting, but
        each line still gets its own product's: two invoices posted together,
        two products each, a category override on one of them."""
        other = self.deferred.copy({"code": "239300", "name": "Deferred Setup"})
        self.product_setup.categ_id = self.env["product.category"].create(
            {
                "name": "Prepaid setup",
                "msp_deferred_revenue_account_id": other.id,
                "msp_revenue_method": "daily",
            }
        )
        setup_line = {
            "product_id": self.product_setup.id,
            "quantity": 1.0,
            "price_unit": 900.0,
            "tax_ids": [Command.clear()],
            "start_date": "2026-01-01",
            "end_date": "2026-03-31",
        }
        invoices = self._invoice(
            1200.0,
            "2026-01-01",
            "2026-12-31",
            "2026-01-01",
            post=False,
        )
        invoices.invoice_line_ids = [Command.create(setup_line)]
        invoices |= invoices.copy({"invoice_date": "2026-01-01"})
        self.assertEqual(len(invoices.invoice_line_ids), 4)
        invoices.action_post()
        for invoice in invoices:
            schedules = invoice.msp_revenue_schedule_ids
            self.assertEqual(
                sorted(
                    (s.product_id.id, s.deferred_account_id.id, s.method)
                    for s in schedules
                ),
                sorted(
                    [
                        (self.product_fee.id, self.deferred.id, "monthly"),
                        (self.product_setup.id, other.id, "daily"),
                    ]
                ),
            )
            for line in invoice.invoice_line_ids:
                expected = (
                    other if line.product_id == self.product_setup else self.deferred
                )
                self.assertEqual(line.account_id, expected)

    # ------------------------------------------------------------------
    # Credit notes, reset, cancellation, termination
    # ------------------------------------------------------------------
    def _refund(self, invoice, day, amount=None, start=None):
        refund = invoice._reverse_moves([{"invoice_date": day, "date": day}])
        if amount or start:
            # a credit of ``amount``: one unit at that price
            refund.invoice_line_ids.write(
                {
                    key: value
                    for key, value in (
                        ("quantity", amount and 1.0),
                        ("price_unit", amount),
                        ("start_date", start),
                    )
                    if value
                }
            )
        refund.action_post()
        return refund

    def test_full_credit_note_mid_schedule(self):
        invoice = self._invoice(12000.0, "2026-01-01", "2026-12-31", "2026-01-01")
        self._recognise("2026-06-14")
        self._assert_balances(date(2026, 6, 14), 7000.0, 5000.0)
        refund = self._refund(invoice, date(2026, 6, 15))
        self.assertEqual(refund.invoice_line_ids.account_id, self.deferred)
        schedule = refund.msp_revenue_schedule_ids
        self.assertEqual(schedule.amount_total, -12000.0)
        self.assertEqual(
            self._months(schedule)[:2],
            [("2026-06-30", -6000.0, "planned"), ("2026-07-31", -1000.0, "planned")],
        )
        # What was recognised stays until the credit note's month closes.
        self._assert_balances(date(2026, 6, 15), -5000.0, 5000.0)
        self._recognise("2026-06-30")
        self._assert_balances(date(2026, 6, 30), 0.0, 0.0)
        self._recognise("2026-12-31")
        self._assert_balances(date(2026, 12, 31), 0.0, 0.0)
        self.assertEqual(invoice.msp_revenue_schedule_ids.state, "done")
        self.assertEqual(schedule.state, "done")

    def test_partial_credit_note(self):
        invoice = self._invoice(12000.0, "2026-01-01", "2026-12-31", "2026-01-01")
        self._recognise("2026-05-31")
        self._refund(invoice, date(2026, 6, 15), amount=3000.0)
        self._recognise("2026-06-30")
        # 750 a month from now on: the credit note takes back a quarter.
        self._assert_balances(date(2026, 6, 30), 4500.0, 4500.0)
        self._recognise("2026-07-31")
        self._assert_balances(date(2026, 7, 31), 3750.0, 5250.0)
        self._recognise("2027-01-01")
        self._assert_balances(date(2027, 1, 1), 0.0, 9000.0)

    def test_early_termination(self):
        agreement, invoice = self._annual_agreement_invoice()
        self._recognise("2026-03-31")
        with freeze_time("2026-04-10"):
            agreement.action_cancel()
        schedule = invoice.msp_revenue_schedule_ids
        self.assertEqual(
            self._months(schedule, "planned"), [("2026-04-30", 9000.0, "planned")]
        )
        # The unused months, May to December, are credited.
        refund = self._refund(
            invoice, date(2026, 4, 20), amount=8000.0, start=date(2026, 5, 1)
        )
        self.assertEqual(refund.msp_revenue_schedule_ids.agreement_id, agreement)
        self.assertEqual(
            self._months(refund.msp_revenue_schedule_ids),
            [("2026-04-30", -8000.0, "planned")],
        )
        self._recognise("2026-04-30")
        self._assert_balances(date(2026, 4, 30), 0.0, 4000.0)
        self._recognise("2026-12-31")
        self._assert_balances(date(2026, 12, 31), 0.0, 4000.0)

    def test_termination_after_the_month_was_recognised(self):
        agreement, invoice = self._annual_agreement_invoice()
        self._recognise("2026-04-30")
        with freeze_time("2026-04-30"):
            agreement.action_cancel()
        schedule = invoice.msp_revenue_schedule_ids
        termination = schedule.line_ids.filtered(lambda m: m.kind == "termination")
        self.assertEqual(
            (str(termination.date), termination.amount, termination.state),
            ("2026-04-30", 8000.0, "planned"),
        )
        self._recognise("2026-04-30")
        self.assertIn("ended early", termination.move_id.ref)
        self.assertEqual(schedule.state, "done")
        self._assert_balances(date(2026, 4, 30), 0.0, 12000.0)

    def test_reset_to_draft_and_cancel(self):
        invoice = self._invoice(3000.0, "2026-01-01", "2026-03-31", "2026-01-01")
        self._recognise("2026-02-28")
        first = invoice.msp_revenue_schedule_ids
        recognition = first.line_ids.move_id[:1]
        with self.assertRaisesMsg(UserError, "cannot go back to draft"):
            recognition.button_draft()
        with freeze_time("2026-03-05"):
            invoice.button_draft()
        self.assertEqual(first.state, "cancelled")
        self.assertEqual(invoice.invoice_line_ids.account_id, self.income)
        reversal = first.line_ids.filtered(lambda m: m.kind == "reversal")
        self.assertEqual(
            (str(reversal.date), reversal.amount, reversal.state),
            ("2026-03-05", -2000.0, "posted"),
        )
        self.assertEqual(reversal.move_id.state, "posted")
        self.assertEqual(
            [m.state for m in first.line_ids.filtered(lambda m: m.kind != "reversal")],
            ["posted", "posted", "cancelled"],
        )
        # Nothing is lost, nothing deleted: the posted months stay posted.
        self._assert_balances(date(2026, 3, 5), 0.0, 0.0)
        with freeze_time("2026-03-06"):
            invoice.action_post()
        second = invoice.msp_revenue_schedule_ids - first
        self.assertEqual(second.amount_total, 3000.0)
        self._recognise("2026-03-31")
        self._assert_balances(date(2026, 3, 31), 0.0, 3000.0)
        with freeze_time("2026-04-02"):
            invoice.button_cancel()
        self.assertEqual(invoice.state, "cancel")
        self.assertEqual(second.state, "cancelled")
        self._assert_balances(date(2026, 4, 2), 0.0, 0.0)
        # A draft invoice whose schedules were cancelled can be deleted: the
        # cancelled schedules and their entries stay.
        invoice.button_draft()
        invoice.unlink()
        self.assertEqual(first.state, "cancelled")
        self.assertEqual(len(first.line_ids.filtered(lambda m: m.move_id)), 3)
        self._assert_balances(date(2026, 4, 2), 0.0, 0.0)
        # ... and the check still explains the past.
        self._assert_balances(date(2026, 3, 1), -4000.0, 4000.0)

    # ------------------------------------------------------------------
    # Lock dates, currencies, companies
    # ------------------------------------------------------------------
    def test_lock_date(self):
        invoice = self._invoice(3000.0, "2026-01-01", "2026-03-31", "2026-01-01")
        self.env.company.fiscalyear_lock_date = date(2026, 1, 31)
        self._recognise("2026-02-28")
        months = invoice.msp_revenue_schedule_ids.line_ids
        january = months.filtered(lambda m: m.date == date(2026, 1, 31))
        self.assertEqual(january.state, "posted")
        self.assertEqual(january.move_id.date, date(2026, 2, 1))
        self.assertIn("first open date", january.move_id.ref)
        self.assertIn("2026-01", january.move_id.ref)
        self.assertIn("Lock", str(january.move_id.narration))
        february = months.filtered(lambda m: m.date == date(2026, 2, 28))
        self.assertEqual(february.move_id.date, date(2026, 2, 28))
        self._assert_balances(date(2026, 1, 31), 3000.0, 0.0)
        self._assert_balances(date(2026, 2, 28), 1000.0, 2000.0)

    def test_foreign_currency(self):
        other = self.setup_other_currency("EUR")
        invoice = self._invoice(
            12000.0, "2026-01-01", "2026-12-31", "2026-01-01", currency_id=other.id
        )
        schedule = invoice.msp_revenue_schedule_ids
        self.assertEqual(schedule.currency_id, self.env.company.currency_id)
        self.assertEqual(schedule.amount_total, 6000.0)
        self.assertEqual(set(schedule.line_ids.mapped("amount")), {500.0})
        self._recognise("2026-03-31")
        self._assert_balances(date(2026, 3, 31), 4500.0, 1500.0)
        self.assertEqual(
            schedule.line_ids.move_id.line_ids.currency_id,
            self.env.company.currency_id,
        )

    def test_two_companies(self):
        data_2 = self.setup_other_company()
        company_2 = data_2["company"]
        self.env.user.company_ids |= company_2
        deferred_2 = self._setup_deferred_revenue(data_2)
        self._invoice(1200.0, "2026-01-01", "2026-12-31", "2026-01-01")
        self._invoice(
            2400.0, "2026-01-01", "2026-12-31", "2026-01-01", company_data=data_2
        )
        self._recognise("2026-02-28")
        moves = self.Month.search([]).move_id
        self.assertEqual(len(moves), 4)
        self.assertEqual(
            sorted((m.company_id.name, str(m.date)) for m in moves),
            sorted(
                [
                    (self.env.company.name, "2026-01-31"),
                    (self.env.company.name, "2026-02-28"),
                    (company_2.name, "2026-01-31"),
                    (company_2.name, "2026-02-28"),
                ]
            ),
        )
        self._assert_balances(date(2026, 2, 28), 1000.0, 200.0)
        self.assertEqual(self._balance(deferred_2, company=company_2), 2000.0)
        self.assertEqual(
            self._check(date(2026, 2, 28), company_2), (2000.0, 2000.0, 0.0, [])
        )
        # A user of the first company sees its schedules only.
        self.assertEqual(
            self.Schedule.with_user(self.env.user)
            .with_company(self.env.company)
            .with_context(allowed_company_ids=self.env.company.ids)
            .search([])
            .company_id,
            self.env.company,
        )

    def test_one_company_failing_stops_nothing_else(self):
        data_2 = self.setup_other_company()
        self.env.user.company_ids |= data_2["company"]
        deferred_2 = self._setup_deferred_revenue(data_2)
        self._invoice(1200.0, "2026-01-01", "2026-12-31", "2026-01-01")
        other = self._invoice(
            2400.0, "2026-01-01", "2026-12-31", "2026-01-01", company_data=data_2
        )
        deferred_2.deprecated = True
        with self.assertLogs(
            "odoo.addons.msp_psa.models.msp_revenue_schedule_line", "WARNING"
        ):
            self._recognise("2026-01-31")
        self._assert_balances(date(2026, 1, 31), 1100.0, 100.0)
        self.assertEqual(
            set(other.msp_revenue_schedule_ids.line_ids.mapped("state")), {"planned"}
        )
        deferred_2.deprecated = False
        self._recognise("2026-01-31")
        self.assertEqual(self._balance(deferred_2, company=data_2["company"]), 2200.0)

    def test_journal_required(self):
        self.env.company.msp_revenue_journal_id = False
        with self.assertRaisesMsg(UserError, "set a revenue recognition journal"):
            self._invoice(1200.0, "2026-01-01", "2026-12-31", "2026-01-01")

    # ------------------------------------------------------------------
    # The check, access
    # ------------------------------------------------------------------
    def test_check_lists_manual_entries(self):
        self._invoice(1200.0, "2026-01-01", "2026-12-31", "2026-01-01")
        manual = self.Move.create(
            {
                "move_type": "entry",
                "date": "2026-01-10",
                "journal_id": self.misc_journal.id,
                "line_ids": [
                    Command.create({"account_id": self.deferred.id, "balance": -50.0}),
                    Command.create({"account_id": self.income.id, "balance": 50.0}),
                ],
            }
        )
        manual.action_post()
        self.assertEqual(
            self._check(date(2026, 1, 31)),
            (1250.0, 1200.0, 50.0, [("no_schedule", 50.0)]),
        )
        report = self.env["msp.revenue.report"].create({"date": "2026-01-31"})
        action = report.action_balance()
        lines = self.env["msp.revenue.report.line"].search(action["domain"])
        self.assertEqual(
            [(line.partner_id, line.product_id, line.amount) for line in lines],
            [(self.client, self.product_fee, 1200.0)],
        )
        report.action_check()

    def _manual_deferred_entry(self, amount):
        manual = self.Move.create(
            {
                "move_type": "entry",
                "date": "2026-01-10",
                "journal_id": self.misc_journal.id,
                "line_ids": [
                    Command.create(
                        {"account_id": self.deferred.id, "balance": -amount}
                    ),
                    Command.create({"account_id": self.income.id, "balance": amount}),
                ],
            }
        )
        manual.action_post()
        return manual

    def _report_query_count(self):
        """Queries the check at 31 January takes, its caches warm, and its
        lines."""
        self._check(date(2026, 1, 31))
        report = self.env["msp.revenue.report"].create({"date": "2026-01-31"})
        self.env.flush_all()
        self.env.invalidate_all()
        before = self.env.cr.sql_log_count
        report._compute_report()
        self.env.flush_all()
        count = self.env.cr.sql_log_count - before
        return count, [(line.cause, line.amount) for line in report.line_ids]

    def test_check_reads_in_batches(self):
        """The check reads the schedules and the unexplained items once per
        report: more of them take no more queries."""
        self._invoice(1200.0, "2026-01-01", "2026-12-31", "2026-01-01")
        self._manual_deferred_entry(50.0)
        count_one, lines = self._report_query_count()
        self.assertEqual(sorted(lines), [("no_schedule", 50.0), ("schedule", 1200.0)])
        for amount in (600.0, 2400.0, 3600.0):
            self._invoice(amount, "2026-01-01", "2026-12-31", "2026-01-01")
        for amount in (20.0, 30.0):
            self._manual_deferred_entry(amount)
        count_more, lines = self._report_query_count()
        self.assertEqual(
            sorted(lines),
            [
                ("no_schedule", 20.0),
                ("no_schedule", 30.0),
                ("no_schedule", 50.0),
                ("schedule", 600.0),
                ("schedule", 1200.0),
                ("schedule", 2400.0),
                ("schedule", 3600.0),
            ],
        )
        self.assertLessEqual(count_more, count_one)

    def test_access(self):
        self._invoice(1200.0, "2026-01-01", "2026-12-31", "2026-01-01")
        plain = new_test_user(self.env, login="plain", groups="base.group_user")
        with self.assertRaises(AccessError):
            self.Schedule.with_user(plain).search([])
        with self.assertRaises(AccessError):
            self.Schedule.with_user(self.msp_user).search([])
        self.assertEqual(len(self.Schedule.with_user(self.msp_manager).search([])), 1)
        accountant = new_test_user(
            self.env, login="billing", groups="account.group_account_invoice"
        )
        schedule = self.Schedule.with_user(accountant).search([])
        self.assertEqual(schedule.amount_total, 1200.0)
        with self.assertRaises(AccessError):
            schedule.write({"amount_total": 1.0})

    # ------------------------------------------------------------------
    # The daily run: batches, progress, failures
    # ------------------------------------------------------------------
    def _progress(self):
        cron = self.env.ref("msp_psa.ir_cron_msp_recognize_revenue")
        return self.env["ir.cron.progress"].create({"cron_id": cron.id})

    def _failing_month(self, month, error):
        """Make the entry of ``month`` (a date) fail with ``error``."""
        original = MspRevenueScheduleLine._prepare_recognition_move

        def failing(lines, company, journal, day, kind, **kwargs):
            if day == month:
                raise error
            return original(lines, company, journal, day, kind, **kwargs)

        return patch.object(
            MspRevenueScheduleLine, "_prepare_recognition_move", failing
        )

    def _failed_schedules(self):
        return self.Schedule.search(
            [
                (
                    "line_ids",
                    "any",
                    [("state", "=", "planned"), ("recognition_issue_id", "!=", False)],
                )
            ]
        )

    def test_cron_batches_and_progress(self):
        invoice = self._invoice(1200.0, "2026-01-01", "2026-12-31", "2026-01-01")
        schedule = invoice.msp_revenue_schedule_ids
        progress = self._progress()
        batches = []
        original = MspRevenueScheduleLine._recognise_units

        def recording(lines, units):
            batches.append(len(units))
            return original(lines, units)

        with (
            patch.object(MspRevenueScheduleLine, "_recognise_units", recording),
            freeze_time("2026-03-31"),
        ):
            # three months due, two per batch
            self.Month.with_context(
                ir_cron_progress_id=progress.id
            )._cron_recognize_revenue(batch_size=2)
        self.assertEqual(batches, [2, 1])
        self.assertEqual((progress.done, progress.remaining), (3, 0))
        self.assertEqual(len(schedule.line_ids.move_id), 3)
        self._assert_balances(date(2026, 3, 31), 900.0, 300.0)
        # a second run posts nothing
        again = self._progress()
        with freeze_time("2026-03-31"):
            self.Month.with_context(
                ir_cron_progress_id=again.id
            )._cron_recognize_revenue(batch_size=2)
        self.assertEqual((again.done, again.remaining), (0, 0))
        self.assertEqual(len(schedule.line_ids.move_id), 3)
        self._assert_balances(date(2026, 3, 31), 900.0, 300.0)

    def test_failed_month_logged_then_retried(self):
        invoice = self._invoice(1200.0, "2026-01-01", "2026-12-31", "2026-01-01")
        schedule = invoice.msp_revenue_schedule_ids
        february = schedule.line_ids.filtered(lambda m: m.date == date(2026, 2, 28))
        Issue = self.env["msp.revenue.recognition.issue"]
        progress = self._progress()
        with (
            self._failing_month(date(2026, 2, 28), UserError("Period locked")),
            self.assertLogs(
                "odoo.addons.msp_psa.models.msp_revenue_schedule_line", "WARNING"
            ),
            freeze_time("2026-03-31"),
        ):
            self.Month.with_context(
                ir_cron_progress_id=progress.id
            )._cron_recognize_revenue()
        # the other months of the batch are posted, February stays planned
        self.assertEqual(
            self._months(schedule)[:3],
            [
                ("2026-01-31", 100.0, "posted"),
                ("2026-02-28", 100.0, "planned"),
                ("2026-03-31", 100.0, "posted"),
            ],
        )
        self.assertEqual((progress.done, progress.remaining), (2, 0))
        issue = Issue.search([("company_id", "=", self.env.company.id)])
        self.assertEqual(len(issue), 1)
        self.assertEqual(
            (issue.state, issue.date, issue.journal_id, issue.message, issue.amount),
            ("open", date(2026, 2, 28), self.misc_journal, "Period locked", 100.0),
        )
        self.assertEqual(issue.line_ids, february)
        self.assertEqual(self._failed_schedules(), schedule)
        # still failing the next day: the same failure, one more attempt
        with (
            self._failing_month(date(2026, 2, 28), UserError("Period still locked")),
            mute_logger("odoo.addons.msp_psa.models.msp_revenue_schedule_line"),
        ):
            self._recognise("2026-04-01")
        self.assertEqual(
            Issue.search([("company_id", "=", self.env.company.id)]), issue
        )
        self.assertEqual(
            (issue.attempt_count, issue.message), (2, "Period still locked")
        )
        self.assertEqual(february.state, "planned")
        # fixed: the next run posts it, once, in its month
        self._recognise("2026-04-02")
        self.assertEqual(february.state, "posted")
        self.assertEqual(february.move_id.date, date(2026, 2, 28))
        self.assertEqual(issue.state, "resolved")
        self.assertFalse(self._failed_schedules())
        self._recognise("2026-04-02")
        self.assertEqual(len(schedule.line_ids.move_id), 3)
        self._assert_balances(date(2026, 3, 31), 900.0, 300.0)

    def test_unbalanced_entry_refused_when_posted(self):
        """The entries are created without Odoo's balance check after each
        step: posting still refuses one that does not balance, and the month
        stays planned with its failure logged."""
        invoice = self._invoice(1200.0, "2026-01-01", "2026-12-31", "2026-01-01")
        schedule = invoice.msp_revenue_schedule_ids
        original = MspRevenueScheduleLine._prepare_recognition_move

        def unbalanced(lines, company, journal, day, kind, **kwargs):
            vals, keys = original(lines, company, journal, day, kind, **kwargs)
            if day == date(2026, 2, 28):
                item = vals["line_ids"][0][2]
                item["balance"] += 0.01
                item["amount_currency"] += 0.01
            return vals, keys

        with (
            patch.object(
                MspRevenueScheduleLine, "_prepare_recognition_move", unbalanced
            ),
            mute_logger("odoo.addons.msp_psa.models.msp_revenue_schedule_line"),
        ):
            self._recognise("2026-03-31")
        self.assertEqual(
            [state for _day, _amount, state in self._months(schedule)[:3]],
            ["posted", "planned", "posted"],
        )
        issue = self.env["msp.revenue.recognition.issue"].search(
            [("company_id", "=", self.env.company.id)]
        )
        self.assertEqual(issue.date, date(2026, 2, 28))
        self.assertIn("not balanced", issue.message)
        self.assertFalse(
            self.env["account.move"].search(
                [("ref", "=", "Revenue recognition 2026-02"), ("state", "=", "posted")]
            )
        )

    def test_failing_company_logged_visibly(self):
        data_2 = self.setup_other_company()
        self.env.user.company_ids |= data_2["company"]
        deferred_2 = self._setup_deferred_revenue(data_2)
        self._invoice(1200.0, "2026-01-01", "2026-12-31", "2026-01-01")
        other = self._invoice(
            2400.0, "2026-01-01", "2026-12-31", "2026-01-01", company_data=data_2
        )
        deferred_2.deprecated = True
        with mute_logger("odoo.addons.msp_psa.models.msp_revenue_schedule_line"):
            self._recognise("2026-01-31")
        issue = self.env["msp.revenue.recognition.issue"].search(
            [("company_id", "=", data_2["company"].id)]
        )
        self.assertEqual(issue.state, "open")
        self.assertEqual(issue.line_ids, other.msp_revenue_schedule_ids.line_ids[0])
        self.assertEqual(self._failed_schedules(), other.msp_revenue_schedule_ids)
        deferred_2.deprecated = False
        self._recognise("2026-01-31")
        self.assertEqual(issue.state, "resolved")
        self.assertFalse(self._failed_schedules())

    def test_programming_error_propagates(self):
        invoice = self._invoice(1200.0, "2026-01-01", "2026-12-31", "2026-01-01")
        schedule = invoice.msp_revenue_schedule_ids
        # Not Odoo's assertRaises, which would roll back to its own savepoint:
        # what the run leaves written is what is checked.
        raised = None
        with self._failing_month(date(2026, 2, 28), ZeroDivisionError("bug")):
            try:
                self._recognise("2026-03-31")
            except ZeroDivisionError as error:
                raised = error
        self.assertIsInstance(raised, ZeroDivisionError, "the cron call fails")
        # nothing of the batch is written, nothing is logged as a user's problem
        self.assertEqual(set(schedule.line_ids.mapped("state")), {"planned"})
        self.assertFalse(schedule.line_ids.move_id)
        self.assertFalse(self.env["msp.revenue.recognition.issue"].search([]))
        self._recognise("2026-03-31")
        self.assertEqual(len(schedule.line_ids.move_id), 3)
        self._assert_balances(date(2026, 3, 31), 900.0, 300.0)

    # ------------------------------------------------------------------
    # The months inserted in one statement when the invoice is posted, the
    # entry lines given what Odoo computes (issue 16)
    # ------------------------------------------------------------------
    def test_revenue_months_insert(self):
        move = self._invoice(1200.0, "2026-01-01", "2026-12-31", "2026-01-10")
        schedule = move.msp_revenue_schedule_ids
        # Seen at once in the same transaction, with the schedule's figures.
        self.assertEqual(len(schedule.line_ids), 12)
        self.assertEqual(
            (schedule.amount_total, schedule.amount_recognised),
            (1200.0, 0.0),
        )
        self.assertEqual(schedule.amount_remaining, 1200.0)
        self.assertEqual(sum(schedule.line_ids.mapped("amount")), 1200.0)
        self.assertEqual(
            set(schedule.line_ids.mapped(lambda m: (m.kind, m.state))),
            {("recognition", "planned")},
        )
        self.assertEqual(schedule.line_ids.create_uid, self.env.user)
        # The same fields as a month created through the ORM, which copies
        # them from its schedule (``create``).
        orm = self.Month.sudo().create(
            {
                "schedule_id": schedule.id,
                "date": "2026-12-31",
                "amount": 0.0,
                "kind": "termination",
            }
        )
        for month in schedule.line_ids - orm:
            for name in (
                "company_id",
                "partner_id",
                "agreement_id",
                "product_id",
                "income_account_id",
                "deferred_account_id",
            ):
                self.assertEqual(month[name], orm[name], name)
                self.assertEqual(month[name], schedule[name], name)
        self.assertEqual(orm.state, "planned")
        self.assertEqual(schedule.partner_id, self.client)
        self.assertEqual(schedule.income_account_id, self.income)
        self.assertEqual(schedule.deferred_account_id, self.deferred)

    def test_billing_user_posts_deferred_invoice(self):
        """A user who may only invoice posts a deferred invoice: its schedule
        and months are written without rights on them."""
        biller = new_test_user(
            self.env,
            login="biller_months",
            groups="account.group_account_invoice",
            company_id=self.env.company.id,
        )
        move = self._invoice(
            1200.0, "2026-01-01", "2026-12-31", "2026-01-10", post=False
        )
        move.with_user(biller).action_post()
        schedule = move.sudo().msp_revenue_schedule_ids
        self.assertEqual(len(schedule.line_ids), 12)
        self.assertEqual(schedule.line_ids.create_uid, biller)

    def test_entries_grouped_by_account(self):
        """Grouped by account: one income item per income account and
        analytic distribution, one deferred revenue item, none carrying a
        client; every month points to that item, and the ledger still agrees
        with the schedules. Back to one item per client, the next month's
        entry carries the clients again."""
        self.env.company.msp_revenue_entry_detail = "account"
        other = self.env["res.partner"].create({"name": "Fabrikam"})
        plan = self.env["account.analytic.plan"].create({"name": "Agreements"})
        analytic = self.env["account.analytic.account"].create(
            {"name": "AGR-7", "plan_id": plan.id}
        )
        self._invoice(1200.0, "2026-01-01", "2026-12-31", "2026-01-10")
        self._invoice(
            2400.0, "2026-01-01", "2026-12-31", "2026-01-10", partner_id=other.id
        )
        self._invoice(
            600.0,
            "2026-01-01",
            "2026-12-31",
            "2026-01-10",
            partner_id=other.id,
            line_vals={"analytic_distribution": {str(analytic.id): 100}},
        )
        self._recognise("2026-01-31")
        entry = self._recognitions()
        self.assertEqual(len(entry), 1)
        self.assertEqual(entry.state, "posted")
        items = sorted(
            (
                line.account_id.code,
                line.balance,
                line.analytic_distribution or {},
                line.partner_id.name or "",
            )
            for line in entry.line_ids
        )
        self.assertEqual(
            items,
            sorted(
                [
                    (self.income.code, -300.0, {}, ""),
                    (self.income.code, -50.0, {str(analytic.id): 100.0}, ""),
                    (self.deferred.code, 350.0, {}, ""),
                ]
            ),
        )
        january = self.Month.search(
            [("state", "=", "posted"), ("company_id", "=", self.env.company.id)]
        )
        self.assertEqual(len(january), 3)
        deferred_item = entry.line_ids.filtered(
            lambda line: line.account_id == self.deferred
        )
        self.assertEqual(january.move_line_id, deferred_item)
        self._assert_balances("2026-01-31", deferred=3850.0, income=350.0)

        self.env.company.msp_revenue_entry_detail = "client"
        self._recognise("2026-02-28")
        february = self._recognitions() - entry
        self.assertEqual(len(february), 1)
        self.assertEqual(
            sorted(
                (line.partner_id.name, line.balance)
                for line in february.line_ids
                if line.account_id == self.deferred
            ),
            sorted([("Fabrikam", 250.0), (self.client.name, 100.0)]),
        )
        self._assert_balances("2026-02-28", deferred=3500.0, income=700.0)

    def test_recognition_entry_lines_as_odoo_computes_them(self):
        """The fields the recognition gives its entry lines (to skip Odoo's
        computation line by line) are those Odoo computes."""
        self._invoice(1200.0, "2026-01-01", "2026-12-31", "2026-01-10")
        self._recognise("2026-01-31")
        entry = self._recognitions()
        self.assertEqual(len(entry), 1)
        self.assertEqual(entry.state, "posted")
        lines = entry.line_ids
        self.assertEqual(len(lines), 2)
        self.assertEqual(sorted(lines.mapped("balance")), [-100.0, 100.0])
        for line in lines:
            self.assertEqual(line.display_type, "product")
            self.assertEqual(line.amount_currency, line.balance)
            self.assertEqual(line.currency_id, self.env.company.currency_id)
            self.assertEqual(
                (line.debit, line.credit),
                (max(line.balance, 0.0), max(-line.balance, 0.0)),
            )
            self.assertFalse(line.tax_ids)
            self.assertEqual(line.partner_id, self.client)
        # A line of the same entry left to Odoo gets the same values.
        probe = (
            self.env["account.move"]
            .create(
                {
                    "move_type": "entry",
                    "journal_id": self.misc_journal.id,
                    "date": "2026-01-31",
                    "line_ids": [
                        Command.create(
                            {
                                "account_id": self.income.id,
                                "partner_id": self.client.id,
                                "balance": -100.0,
                                "name": "probe",
                            }
                        ),
                        Command.create(
                            {
                                "account_id": self.deferred.id,
                                "partner_id": self.client.id,
                                "balance": 100.0,
                                "name": "probe",
                            }
                        ),
                    ],
                }
            )
            .line_ids
        )
        names = [
            "display_type",
            "sequence",
            "quantity",
            "price_unit",
            "discount",
            "product_uom_id",
            "currency_id",
            "amount_currency",
            "tax_ids",
            "debit",
            "credit",
            "price_subtotal",
            "price_total",
            "tax_repartition_line_id",
            "tax_line_id",
        ]
        for ours, odoo in zip(
            lines.sorted("balance"), probe.sorted("balance"), strict=True
        ):
            for name in names:
                self.assertEqual(ours[name], odoo[name], name)

    def test_line_totals_as_odoo_computes_them(self):
        """Lines without price nor taxes get zero totals without Odoo's tax
        computation; every other line keeps Odoo's: the totals of each line
        equal those of Odoo's computation, in the invoice's currency."""
        tax = self.company_data["default_tax_sale"]
        fee = self.env["account.tax"].create(
            {
                "name": "Recycling fee",
                "amount_type": "fixed",
                "amount": 2.0,
                "type_tax_use": "sale",
                "company_id": self.env.company.id,
            }
        )
        cases = [
            {"price_unit": 0.0, "tax_ids": [Command.clear()]},
            {
                "price_unit": 0.0,
                "quantity": 3.0,
                "discount": 10.0,
                "tax_ids": [Command.clear()],
            },
            {"price_unit": 0.0, "tax_ids": [Command.set(tax.ids)]},
            {"price_unit": 0.0, "tax_ids": [Command.set(fee.ids)]},
            {
                "price_unit": 80.0,
                "quantity": 2.0,
                "discount": 10.0,
                "tax_ids": [Command.clear()],
            },
            {"price_unit": 80.0, "tax_ids": [Command.set(tax.ids)]},
        ]
        move = self.Move.create(
            {
                "move_type": "out_invoice",
                "partner_id": self.client.id,
                "invoice_date": "2026-01-10",
                "currency_id": self.setup_other_currency("EUR").id,
                "invoice_line_ids": [
                    Command.create(
                        dict({"name": f"case {index}", "quantity": 1.0}, **vals)
                    )
                    for index, vals in enumerate(cases)
                ],
            }
        )
        lines = move.invoice_line_ids.sorted("id")  # the order of ``cases``
        self.assertEqual(len(lines), len(cases))
        Tax = self.env["account.tax"]
        for line in lines:
            base_line = move._prepare_product_base_line_for_taxes_computation(line)
            Tax._add_tax_details_in_base_line(base_line, move.company_id)
            details = base_line["tax_details"]
            self.assertEqual(
                (line.price_subtotal, line.price_total),
                (
                    details["raw_total_excluded_currency"],
                    details["raw_total_included_currency"],
                ),
                line.name,
            )
        self.assertEqual(
            lines.mapped("price_subtotal"), [0.0, 0.0, 0.0, 0.0, 144.0, 80.0]
        )
        self.assertGreater(lines[3].price_total, 0.0)  # the fixed fee
        self.assertGreater(lines[-1].price_total, 80.0)
        # A free line given a price, and a priced one made free, follow.
        lines[0].price_unit = 50.0
        lines[-2].price_unit = 0.0
        self.assertEqual(
            (lines[0].price_subtotal, lines[-2].price_subtotal), (50.0, 0.0)
        )


@tagged("post_install", "-at_install")
class TestRevenueRecognitionDemo(TransactionCase):
    """The demo's prepaid annual and quarterly agreements: invoiced, deferred,
    the months that are over recognised, and the accounts agree."""

    def test_demo_deferred_and_recognised(self):
        annual = self.env.ref(
            "msp_psa.agreement_bluebird_backup_demo", raise_if_not_found=False
        )
        if not annual:
            self.skipTest("demo data not installed")
        quarterly = self.env.ref("msp_psa.agreement_northwind_training_demo")
        company = self.env.ref("base.main_company")
        deferred = company.msp_deferred_revenue_account_id
        self.assertTrue(deferred)
        schedules = self.env["msp.revenue.schedule"].search(
            [("agreement_id", "in", (annual | quarterly).ids)]
        )
        self.assertEqual(schedules.agreement_id, annual | quarterly)
        self.assertEqual(set(schedules.mapped("amount_total")), {3000.0, 600.0})
        for schedule in schedules:
            self.assertEqual(schedule.move_line_id.account_id, deferred)
            self.assertEqual(schedule.move_id.state, "posted")
            self.assertTrue(schedule.amount_recognised > 0)
            self.assertTrue(schedule.amount_remaining > 0)
        today = fields.Date.context_today(schedules)
        ledger, not_recognised, difference, causes = self.env[
            "msp.revenue.report"
        ]._check_balance(today, company)
        self.assertEqual(difference, 0.0)
        self.assertEqual(not_recognised, ledger)
        self.assertEqual(causes, [])
        self.assertEqual(ledger, sum(schedules.mapped("amount_remaining")))
