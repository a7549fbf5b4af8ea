# Copyright 2026 msp_psa authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from datetime import date

from freezegun import freeze_time

from odoo import Command
from odoo.exceptions import AccessError
from odoo.tests import new_test_user, tagged

from .common import MspPsaCommon


@tagged("post_install", "-at_install")
class TestProfitability(MspPsaCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.project = cls.env["project.project"].create({"name": "Support"})
        cls.tech = cls.env["hr.employee"].create({"name": "Tech Tom"})
        cls.product_m365 = cls._create_product(
            name="Microsoft 365 Business", type="service", lst_price=26.0
        )
        cls.cost_of_sales = cls.env["account.account"].create(
            {
                "code": "MSPCOS",
                "name": "Cost of licences",
                "account_type": "expense_direct_cost",
            }
        )
        cls.vendor = cls.env["res.partner"].create({"name": "Licence Distributor"})

    # ------------------------------------------------------------------
    # Helpers
    # ------------------------------------------------------------------
    def _set_rate(self, employee, day, cost):
        wizard = self.env["msp.cost.rate.wizard"].create(
            {"employee_id": employee.id, "date_from": day, "hourly_cost": cost}
        )
        wizard.action_confirm()
        return wizard

    def _timesheet(self, day, hours, agreement=None, employee=None):
        return self.env["account.analytic.line"].create(
            {
                "name": "Work",
                "project_id": self.project.id,
                "date": day,
                "unit_amount": hours,
                "msp_agreement_id": agreement.id if agreement else False,
                "employee_id": (employee or self.tech).id,
            }
        )

    def _run(self, agreement, day):
        with freeze_time(day):
            run = self.env["msp.billing.run"].create({"date": day, "trigger": "manual"})
            run._run(agreement_ids=agreement.ids)
        return run.invoice_ids

    def _bill(self, day, product, quantity, price, client=None, account=None):
        bill = self.env["account.move"].create(
            {
                "move_type": "in_invoice",
                "partner_id": self.vendor.id,
                "invoice_date": day,
                "date": day,
                "invoice_line_ids": [
                    Command.create(
                        {
                            "product_id": product.id,
                            "quantity": quantity,
                            "price_unit": price,
                            "account_id": (account or self.cost_of_sales).id,
                            "tax_ids": [Command.clear()],
                            "msp_client_id": client.id if client else False,
                        }
                    )
                ],
            }
        )
        bill.action_post()
        return bill

    def _crafted_month(self):
        """January 2026 of an agreement: fee 500, 3 seats at 25 (unit cost 18),
        10 Microsoft 365 licences at 26 (unit cost 20, bought on a vendor bill
        at 20), 2 hours of covered time at 40 an hour."""
        agreement = self._create_agreement(
            billing_model="per_user",
            fixed_fee=500.0,
            fee_product_id=self.product_fee.id,
        )
        self._create_addition(
            agreement, quantity=3, price_unit=25.0, date_start=date(2026, 1, 1)
        ).cost_unit = 18.0
        self._create_addition(
            agreement,
            product=self.product_m365,
            quantity=10,
            price_unit=26.0,
            date_start=date(2026, 1, 1),
        ).cost_unit = 20.0
        agreement.action_activate()
        invoice = self._run(agreement, "2026-01-01")
        invoice.action_post()
        self._set_rate(self.tech, date(2026, 1, 1), 40.0)
        self._timesheet(date(2026, 1, 12), 2.0, agreement)
        bill = self._bill(
            date(2026, 1, 20), self.product_m365, 10, 20.0, client=self.client
        )
        return agreement, invoice, bill

    def _row(self, agreement, month=date(2026, 1, 1)):
        Report = self.env["msp.profitability.report"]
        Report._msp_refresh_incremental()
        return Report.search(
            [("agreement_id", "=", agreement.id), ("month", "=", month)]
        )

    # ------------------------------------------------------------------
    # Costs
    # ------------------------------------------------------------------
    def test_cost_rate_change_recosts_only_later_lines(self):
        self._set_rate(self.tech, date(2026, 1, 1), 40.0)
        january = self._timesheet(date(2026, 1, 10), 2.0)
        february = self._timesheet(date(2026, 2, 10), 3.0)
        self.assertEqual((january.amount, february.amount), (-80.0, -120.0))
        wizard = self.env["msp.cost.rate.wizard"].create(
            {
                "employee_id": self.tech.id,
                "date_from": "2026-02-01",
                "hourly_cost": 50.0,
            }
        )
        self.assertEqual((wizard.line_count, wizard.hours), (1, 3.0))
        self.assertIn("1 timesheet lines (3:00) logged from 1 Feb 2026", wizard.warning)
        wizard.action_confirm()
        self.assertEqual(january.amount, -80.0)
        self.assertEqual(february.amount, -150.0)
        # New time takes the rate in force on its work date.
        self.assertEqual(self._timesheet(date(2026, 1, 20), 1.0).amount, -40.0)
        self.assertEqual(self._timesheet(date(2026, 3, 2), 1.0).amount, -50.0)
        # Moving a line's date re-costs it.
        january.date = date(2026, 2, 15)
        self.assertEqual(january.amount, -100.0)
        # The rate in force today is Odoo's hourly cost.
        self.assertEqual(self.tech.hourly_cost, 50.0)
        # A rate between the two re-costs up to the next one only.
        self._set_rate(self.tech, date(2026, 1, 15), 45.0)
        self.assertEqual(february.amount, -150.0)
        self.assertEqual(
            self.env["account.analytic.line"]
            .search([("employee_id", "=", self.tech.id), ("date", "=", "2026-01-20")])
            .amount,
            -45.0,
        )

    def test_addition_cost_is_dated(self):
        agreement = self._create_agreement()
        addition = self._create_addition(
            agreement, quantity=2, date_start=date(2026, 1, 1)
        )
        self.assertEqual(addition.cost_unit, 18.0)  # product cost
        addition.with_context(msp_cost_date="2026-03-01").cost_unit = 21.0
        costs = self.env["msp.agreement.addition.cost"]._msp_costs_by_addition(
            addition
        )[addition.id]
        self.assertEqual(costs, [(date(2026, 1, 1), 18.0), (date(2026, 3, 1), 21.0)])
        self.assertEqual(addition.cost_unit, 21.0)  # in force today
        agreement.action_activate()
        self.assertEqual(self._row(agreement, date(2026, 2, 1)).addition_cost, 36.0)
        self.assertEqual(self._row(agreement, date(2026, 3, 1)).addition_cost, 42.0)

    def test_costs_dated_later_come_into_force_on_their_day(self):
        with freeze_time("2026-03-10"):
            self._set_rate(self.tech, date(2026, 1, 1), 40.0)
            self._set_rate(self.tech, date(2026, 4, 1), 44.0)
            self.assertEqual(self.tech.hourly_cost, 40.0)
            agreement = self._create_agreement()
            addition = self._create_addition(agreement, date_start=date(2026, 1, 1))
            addition.with_context(msp_cost_date="2026-04-01").cost_unit = 19.5
            self.assertEqual(addition.cost_unit, 18.0)
        with freeze_time("2026-04-01"):
            self.env["msp.profitability.report"]._cron_refresh()
            self.assertEqual(self.tech.hourly_cost, 44.0)
            self.assertEqual(addition.cost_unit, 19.5)

    # ------------------------------------------------------------------
    # Analytic accounts and vendor bills
    # ------------------------------------------------------------------
    def test_agreement_analytic_account_on_invoice_lines(self):
        agreement, invoice, _bill = self._crafted_month()
        account = agreement.msp_analytic_account_id
        self.assertEqual(account.plan_id.name, "MSP Agreements")
        lines = invoice.invoice_line_ids.filtered(lambda l: l.display_type == "product")
        self.assertTrue(lines)
        for line in lines:
            self.assertEqual(line.analytic_distribution, {str(account.id): 100.0})

    def test_vendor_bill_attribution_suggested_and_confirmed(self):
        agreement, _invoice, bill = self._crafted_month()
        line = bill.invoice_line_ids
        Line = self.env["account.move.line"]
        self.assertIn(line.id, Line._msp_unattributed_bill_line_ids())
        self.assertEqual(line.msp_suggested_agreement_id, agreement)
        # Another client's agreement with the product: the client decides.
        other = self._create_agreement(partner_id=self.other_client.id)
        self._create_addition(other, product=self.product_m365)
        other.action_activate()
        line.invalidate_recordset(["msp_suggested_agreement_id"])
        self.assertEqual(line.msp_suggested_agreement_id, agreement)
        line.msp_client_id = False
        self.assertFalse(line.msp_suggested_agreement_id)
        line.msp_client_id = self.client
        line.action_msp_attribute_suggested()
        self.assertEqual(
            line.analytic_distribution,
            {str(agreement.msp_analytic_account_id.id): 100.0},
        )
        self.assertNotIn(line.id, Line._msp_unattributed_bill_line_ids())

    # ------------------------------------------------------------------
    # Profitability
    # ------------------------------------------------------------------
    def test_margin_to_the_cent(self):
        agreement, _invoice, bill = self._crafted_month()
        bill.invoice_line_ids.action_msp_attribute_suggested()
        row = self._row(agreement)
        self.assertEqual(row.revenue, 835.0)  # 500 + 3 × 25 + 10 × 26
        self.assertEqual(row.labour_hours, 2.0)
        self.assertEqual(row.labour_cost, 80.0)
        # Seats at their unit cost; the licences' cost is the vendor bill's.
        self.assertEqual(row.addition_cost, 54.0)
        self.assertEqual(row.bill_cost, 200.0)
        self.assertEqual(row.cost, 334.0)
        self.assertEqual(row.margin, 501.0)
        self.assertEqual(row.margin_percent, 60.0)
        self.assertEqual(row.effective_rate, 290.5)  # (835 − 254) ÷ 2
        # One number, one definition: the pivot's group, the form's button and
        # the dashboard's tile read the same figure.
        [(margin_percent, margin)] = self.env["msp.profitability.report"]._read_group(
            [("agreement_id", "=", agreement.id), ("month", "<=", "2026-01-31")],
            aggregates=["margin_percent:avg", "margin:sum"],
        )
        with freeze_time("2026-01-31"):
            agreement.invalidate_recordset(["msp_margin_percent"])
            self.assertEqual(agreement.msp_margin_percent, margin_percent)
            summary = self.env["msp.profitability.report"]._msp_margin_summary(
                date(2026, 1, 1), date(2026, 1, 31)
            )
        self.assertEqual(margin, 501.0)
        self.assertEqual(summary["margin"], 501.0)
        self.assertEqual(summary["revenue"], 835.0)
        self.assertEqual(summary["margin_percent"], 60.0)
        # Deferred? No: a later change of the time re-costs the month.
        self._set_rate(self.tech, date(2026, 1, 1), 50.0)
        self.assertEqual(self._row(agreement).margin, 481.0)

    def test_block_with_overage_to_the_cent(self):
        """A 5-hour block at 600.00 with overage at 150.00: January's 7 hours
        (5 prepaid, 2 overage) cost 40.00 an hour; the overage is invoiced
        with February's block."""
        agreement = self._create_agreement(
            billing_model="block_hours",
            fee_product_id=self.product_fee.id,
            block_hours=5.0,
            block_price=600.0,
            block_product_id=self.product_fee.id,
            overage_rate=150.0,
        )
        agreement.action_activate()
        self._set_rate(self.tech, date(2026, 1, 1), 40.0)
        self._run(agreement, "2026-01-01").action_post()
        prepaid = self._timesheet(date(2026, 1, 10), 5.0, agreement)
        overage = self._timesheet(date(2026, 1, 20), 2.0, agreement)
        self.assertEqual(prepaid.msp_billing_decision, "prepaid")
        self.assertEqual(overage.msp_billing_decision, "billable")
        february = self._run(agreement, "2026-02-01")
        self.assertEqual(february.amount_untaxed, 900.0)  # block + 2 × 150
        february.action_post()
        january = self._row(agreement)
        self.assertEqual(
            (january.revenue, january.labour_hours, january.labour_cost),
            (600.0, 7.0, 280.0),
        )
        self.assertEqual((january.margin, january.margin_percent), (320.0, 53.33))
        self.assertEqual(january.effective_rate, 85.71)  # 600 ÷ 7
        feb = self._row(agreement, date(2026, 2, 1))
        self.assertEqual((feb.revenue, feb.cost, feb.margin), (900.0, 0.0, 900.0))
        self.assertFalse(feb.effective_rate)  # no hours worked

    def test_reconciliation_with_the_books(self):
        _agreement, _invoice, bill = self._crafted_month()
        # Income no agreement carries: a manual invoice.
        manual = self.env["account.move"].create(
            {
                "move_type": "out_invoice",
                "partner_id": self.client.id,
                "invoice_date": "2026-01-15",
                "invoice_line_ids": [
                    Command.create(
                        {
                            "product_id": self.product_setup.id,
                            "quantity": 1,
                            "price_unit": 123.45,
                            "tax_ids": [Command.clear()],
                        }
                    )
                ],
            }
        )
        manual.action_post()
        check = self.env["msp.profitability.check"].create(
            {"date_from": "2026-01-01", "date_to": "2026-01-31"}
        )
        check.action_check()
        # Nothing attributed yet on the bill: unattributed cost of sales.
        self.assertEqual(check.unattributed_bill_lines, 1)
        self.assertEqual(check.unattributed_cost, 200.0)
        self.assertEqual(check.report_revenue, 835.0)
        self.assertEqual(check.unattributed_revenue, 123.45)
        self.assertEqual(check.ledger_income, 835.0 + 123.45)
        self.assertTrue(check.reconciled)
        unattributed = check.line_ids.filtered(lambda l: not l.agreement_id)
        self.assertEqual(unattributed.display_name, "Unattributed")
        bill.invoice_line_ids.action_msp_attribute_suggested()
        check.action_check()
        self.assertEqual(
            (check.report_bill_cost, check.unattributed_cost, check.ledger_cost),
            (200.0, 0.0, 200.0),
        )
        self.assertEqual(check.unattributed_bill_lines, 0)
        self.assertTrue(check.reconciled)
        self.assertFalse(check.difference_line_ids)

    def test_flags_fire_and_clear(self):
        agreement = self._create_agreement()
        addition = self._create_addition(
            agreement, quantity=1, date_start=date(2026, 1, 1)
        )
        addition.with_context(msp_cost_date="2026-01-01").cost_unit = 0.0
        agreement.action_activate()
        line = self._timesheet(date(2026, 1, 5), 1.5, agreement)  # no rate
        check = self.env["msp.profitability.check"].create(
            {"date_from": "2026-01-01", "date_to": "2026-01-31"}
        )
        check.action_check()
        self.assertEqual(check.uncosted_hours, 1.5)
        self.assertEqual(check.uncosted_additions, 1)
        self.assertEqual(
            self.env["account.analytic.line"]
            .search(check.action_open_uncosted_hours()["domain"])
            .ids,
            line.ids,
        )
        self.assertIn(
            addition,
            self.env["msp.agreement.addition"].search(
                check.action_open_uncosted_additions()["domain"]
            ),
        )
        # Fixed: a rate for the technician, a cost for the addition.
        self._set_rate(self.tech, date(2026, 1, 1), 40.0)
        addition.with_context(msp_cost_date="2026-01-01").cost_unit = 5.0
        check.action_check()
        self.assertEqual((check.uncosted_hours, check.uncosted_additions), (0.0, 0))
        # Allocated revenue: a line split across two agreements.
        other = self._create_agreement(partner_id=self.other_client.id)
        other.action_activate()
        split = self.env["account.move"].create(
            {
                "move_type": "out_invoice",
                "partner_id": self.client.id,
                "invoice_date": "2026-01-20",
                "invoice_line_ids": [
                    Command.create(
                        {
                            "product_id": self.product_setup.id,
                            "quantity": 1,
                            "price_unit": 100.0,
                            "tax_ids": [Command.clear()],
                            "analytic_distribution": {
                                str(agreement.msp_analytic_account_id.id): 60.0,
                                str(other.msp_analytic_account_id.id): 40.0,
                            },
                        }
                    )
                ],
            }
        )
        split.action_post()
        check.action_check()
        self.assertEqual(check.revenue_allocated, 100.0)
        self.assertEqual(self._row(agreement).revenue_allocated, 60.0)
        self.assertTrue(check.reconciled)
        opened = check.action_open_allocated_revenue()
        self.assertEqual(
            self.env["account.move.line"].search(opened["domain"]),
            split.invoice_line_ids,
        )

    # ------------------------------------------------------------------
    # Access
    # ------------------------------------------------------------------
    def test_margins_need_the_setting_or_accounting_rights(self):
        agreement, _invoice, _bill = self._crafted_month()
        Report = self.env["msp.profitability.report"]
        Report._msp_refresh()
        self.env.company.msp_margin_visible = False
        as_user = Report.with_user(self.msp_user)
        self.assertFalse(as_user.search([]))
        self.assertFalse(agreement.with_user(self.msp_user).msp_margin_visible)
        summary = as_user._msp_margin_summary(date(2026, 1, 1), date(2026, 1, 31))
        self.assertEqual(summary["margin"], 0.0)
        with self.assertRaises(AccessError):
            self.env["msp.employee.cost.rate"].with_user(self.msp_user).search([])
        self.env.company.msp_margin_visible = True
        self.assertTrue(as_user.search([("agreement_id", "=", agreement.id)]))
        self.env.company.msp_margin_visible = False
        accountant = new_test_user(
            self.env,
            login="msp_accountant",
            groups="account.group_account_readonly",
            company_id=self.env.company.id,
            company_ids=[Command.set(self.env.company.ids)],
        )
        rows = Report.with_user(accountant).search(
            [("agreement_id", "=", agreement.id)]
        )
        self.assertTrue(rows)
        with self.assertRaises(AccessError):
            rows.with_user(accountant).unlink()
        with self.assertRaises(AccessError):
            self.env["msp.employee.cost.rate"].with_user(accountant).create(
                {
                    "employee_id": self.tech.id,
                    "date_from": "2026-05-01",
                    "hourly_cost": 1,
                }
            )
