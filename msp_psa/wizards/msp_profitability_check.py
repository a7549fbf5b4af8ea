# Copyright 2026 msp_psa authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools import SQL

from ..report.msp_profitability_report import ATTRIBUTED_LINES
from ..tools import labels, validate
from ..tools import profitability as profit_tools


class MspProfitabilityCheck(models.TransientModel):
    """For a period, the profitability report against the books: the sum over
    agreements plus an "unattributed" row equals the balance of the income and
    cost-of-sales accounts (within 0.01); the rows that differ are listed, and
    the data-quality flags open the records behind them."""

    _name = "msp.profitability.check"
    _description = "MSP Profitability Check Against the Books"

    date_from = fields.Date(
        required=True,
        default=lambda self: fields.Date.context_today(self).replace(day=1),
    )
    date_to = fields.Date(
        required=True, default=lambda self: fields.Date.context_today(self)
    )
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    line_ids = fields.One2many("msp.profitability.check.line", "check_id")
    difference_line_ids = fields.One2many(
        "msp.profitability.check.line",
        "check_id",
        domain=[("differs", "=", True)],
        string="Differences",
    )
    ledger_income = fields.Monetary(string="Income Accounts", readonly=True)
    report_revenue = fields.Monetary(string="Agreements' Revenue", readonly=True)
    unattributed_revenue = fields.Monetary(readonly=True)
    revenue_difference = fields.Monetary(readonly=True)
    ledger_cost = fields.Monetary(string="Cost of Sales Accounts", readonly=True)
    report_bill_cost = fields.Monetary(string="Agreements' Vendor Bills", readonly=True)
    unattributed_cost = fields.Monetary(readonly=True)
    cost_difference = fields.Monetary(readonly=True)
    reconciled = fields.Boolean(readonly=True)
    # Data-quality flags
    uncosted_hours = fields.Float(string="Hours Without Cost Rate", readonly=True)
    uncosted_additions = fields.Integer(string="Additions Without Cost", readonly=True)
    unattributed_bill_lines = fields.Integer(
        string="Vendor Bill Lines Not Attributed", readonly=True
    )
    review_hours = fields.Float(string="Undecided or Leaked Hours", readonly=True)
    revenue_allocated = fields.Monetary(readonly=True)

    @api.model_create_multi
    def create(self, vals_list):
        return super().create([self._check_input_vals(vals) for vals in vals_list])

    @api.model
    def _check_input_vals(self, vals):
        vals = dict(vals)
        with validate.user_errors(self.env):
            for fname, what in (
                ("date_from", self.env._("Profitability check start")),
                ("date_to", self.env._("Profitability check end")),
            ):
                if fname in vals:
                    vals[fname] = validate.to_date(vals[fname], what)
            if "company_id" in vals:
                vals["company_id"] = validate.to_id(
                    vals["company_id"], self.env._("Profitability check company")
                )
        if (
            vals.get("company_id")
            and not self.env.su
            and vals["company_id"] not in self.env.user.company_ids.ids
        ):
            raise ValidationError(
                self.env._(
                    "Profitability check company: %(company)s is not one of your "
                    "companies.",
                    company=vals["company_id"],
                )
            )
        if (
            vals.get("date_from")
            and vals.get("date_to")
            and vals["date_from"] > vals["date_to"]
        ):
            raise ValidationError(
                self.env._(
                    "Profitability check: the period ends (%(end)s) before it "
                    "starts (%(start)s).",
                    start=labels.fmt_date(vals["date_from"]),
                    end=labels.fmt_date(vals["date_to"]),
                )
            )
        return vals

    @api.depends("date_from", "date_to")
    def _compute_display_name(self):
        for check in self:
            check.display_name = self.env._(
                "Profitability check %(start)s – %(end)s",
                start=labels.fmt_date(check.date_from) if check.date_from else "",
                end=labels.fmt_date(check.date_to) if check.date_to else "",
            )

    def _months(self):
        """The whole months the period covers (the report is monthly)."""
        start = self.date_from.replace(day=1)
        end = fields.Date.end_of(self.date_to, "month")
        return start, end

    def _compute_report(self):
        self.ensure_one()
        Report = self.env["msp.profitability.report"].sudo()
        Report._msp_refresh_incremental()
        start, end = self._months()
        company = self.company_id
        cr = self.env.cr
        # The books: income and cost-of-sales balances of the period.
        cr.execute(
            SQL(
                """
SELECT COALESCE(SUM(CASE WHEN acc.account_type IN ('income', 'income_other')
                         THEN -aml.balance END), 0),
       COALESCE(SUM(CASE WHEN acc.account_type = 'expense_direct_cost'
                         THEN aml.balance END), 0)
  FROM account_move_line aml
  JOIN account_account acc ON acc.id = aml.account_id
 WHERE aml.parent_state = 'posted' AND aml.company_id = %s
   AND aml.date BETWEEN %s AND %s""",
                company.id,
                start,
                end,
            )
        )
        ledger_income, ledger_cost = cr.fetchone()
        # What the books attribute to agreements, line by line (live).
        with Report._msp_no_jit():
            attributed = self._read_attributed(company, start, end)
        ledger_by_agreement = {row[0]: (row[1], row[2]) for row in attributed}
        self._write_report(
            Report, company, start, end, ledger_income, ledger_cost, ledger_by_agreement
        )

    def _read_attributed(self, company, start, end):
        self.env.cr.execute(
            SQL(
                """
SELECT agreement_id,
       COALESCE(SUM(CASE WHEN account_type IN ('income', 'income_other')
                         THEN -amount END), 0),
       COALESCE(SUM(CASE WHEN account_type = 'expense_direct_cost'
                         THEN amount END), 0)
  FROM (%s) t
 WHERE company_id = %s AND month BETWEEN %s AND %s
 GROUP BY agreement_id""",
                SQL(ATTRIBUTED_LINES),
                company.id,
                start,
                end,
            )
        )
        return self.env.cr.fetchall()

    def _write_report(
        self,
        Report,
        company,
        start,
        end,
        ledger_income,
        ledger_cost,
        ledger_by_agreement,
    ):
        # The report (the table the pivot reads).
        rows = Report._read_group(
            [
                ("company_id", "=", company.id),
                ("month", ">=", start),
                ("month", "<=", end),
            ],
            ["agreement_id"],
            [
                "revenue:sum",
                "bill_cost:sum",
                "uncosted_hours:sum",
                "uncosted_additions:sum",
                "review_hours:sum",
                "revenue_allocated:sum",
            ],
        )
        report_by_agreement = {row[0].id: row for row in rows}
        currency = company.currency_id
        lines = []
        for agreement_id in sorted(set(ledger_by_agreement) | set(report_by_agreement)):
            row = report_by_agreement.get(agreement_id)
            report_revenue = row[1] if row else 0.0
            report_cost = row[2] if row else 0.0
            books_revenue, books_cost = ledger_by_agreement.get(agreement_id, (0, 0))
            lines.append(
                {
                    "agreement_id": agreement_id,
                    "report_revenue": report_revenue,
                    "ledger_revenue": books_revenue,
                    "report_cost": report_cost,
                    "ledger_cost": books_cost,
                }
            )
        report_revenue = sum(line["report_revenue"] for line in lines)
        report_cost = sum(line["report_cost"] for line in lines)
        attributed_income = sum(line["ledger_revenue"] for line in lines)
        attributed_cost = sum(line["ledger_cost"] for line in lines)
        unattributed_revenue = currency.round(ledger_income - attributed_income)
        unattributed_cost = currency.round(ledger_cost - attributed_cost)
        lines.append(
            {
                "agreement_id": False,
                "report_revenue": unattributed_revenue,
                "ledger_revenue": unattributed_revenue,
                "report_cost": unattributed_cost,
                "ledger_cost": unattributed_cost,
            }
        )
        revenue_difference, revenue_ok = profit_tools.reconcile(
            ledger_income, report_revenue + unattributed_revenue
        )
        cost_difference, cost_ok = profit_tools.reconcile(
            ledger_cost, report_cost + unattributed_cost
        )
        unattributed_bills = self.env[
            "account.move.line"
        ]._msp_unattributed_bill_line_ids(company, start, end)
        self.line_ids.unlink()
        self.write(
            {
                "ledger_income": ledger_income,
                "report_revenue": report_revenue,
                "unattributed_revenue": unattributed_revenue,
                "revenue_difference": revenue_difference,
                "ledger_cost": ledger_cost,
                "report_bill_cost": report_cost,
                "unattributed_cost": unattributed_cost,
                "cost_difference": cost_difference,
                "reconciled": revenue_ok and cost_ok,
                "uncosted_hours": sum(row[3] for row in rows),
                "uncosted_additions": sum(row[4] for row in rows),
                "review_hours": self._review_hours(start, end),
                "revenue_allocated": sum(row[6] for row in rows),
                "unattributed_bill_lines": len(unattributed_bills),
                "line_ids": [fields.Command.create(line) for line in lines],
            }
        )

    def _review_hours(self, start, end):
        """Undecided or leaked hours of the period, agreement or not."""
        [(hours,)] = (
            self.env["account.analytic.line"]
            .sudo()
            ._read_group(
                [
                    ("msp_to_review", "=", True),
                    ("company_id", "=", self.company_id.id),
                    ("date", ">=", start),
                    ("date", "<=", end),
                ],
                aggregates=["unit_amount:sum"],
            )
        )
        return hours or 0.0

    def action_check(self):
        self._compute_report()
        return {
            "type": "ir.actions.act_window",
            "res_model": self._name,
            "res_id": self.id,
            "view_mode": "form",
            "target": "new",
        }

    # ------------------------------------------------------------------
    # Data-quality flags: each opens the records behind it
    # ------------------------------------------------------------------
    def _open(self, model, domain, name):
        return {
            "type": "ir.actions.act_window",
            "name": name,
            "res_model": model,
            "view_mode": "list,form",
            "domain": domain,
        }

    def _time_domain(self):
        start, end = self._months()
        return [
            ("project_id", "!=", False),
            ("company_id", "=", self.company_id.id),
            ("date", ">=", start),
            ("date", "<=", end),
        ]

    def action_open_uncosted_hours(self):
        self.ensure_one()
        return self._open(
            "account.analytic.line",
            self._time_domain()
            + [
                ("msp_agreement_id", "!=", False),
                ("amount", "=", 0.0),
                ("unit_amount", "!=", 0.0),
            ],
            self.env._("Hours Without Cost Rate"),
        )

    def action_open_review_hours(self):
        self.ensure_one()
        return self._open(
            "account.analytic.line",
            self._time_domain() + [("msp_to_review", "=", True)],
            self.env._("Undecided or Leaked Hours"),
        )

    def action_open_uncosted_additions(self):
        self.ensure_one()
        start, end = self._months()
        return self._open(
            "msp.agreement.addition",
            [
                ("company_id", "=", self.company_id.id),
                ("agreement_id.state", "not in", ("draft", "cancelled")),
                ("date_start", "<=", end),
                "|",
                ("date_end", "=", False),
                ("date_end", ">=", start),
                ("cost_unit", "=", 0.0),
            ],
            self.env._("Additions Without Cost"),
        )

    def action_open_unattributed_bill_lines(self):
        self.ensure_one()
        start, end = self._months()
        action = self.env["account.move.line"].action_msp_unattributed_bill_lines()
        action["domain"] = [
            (
                "id",
                "in",
                self.env["account.move.line"]._msp_unattributed_bill_line_ids(
                    self.company_id, start, end
                ),
            )
        ]
        return action

    def action_open_allocated_revenue(self):
        self.ensure_one()
        start, end = self._months()
        self.env.cr.execute(
            SQL(
                """SELECT DISTINCT line_id FROM (%s) t
                    WHERE allocated AND company_id = %s
                      AND month BETWEEN %s AND %s""",
                SQL(ATTRIBUTED_LINES),
                self.company_id.id,
                start,
                end,
            )
        )
        return self._open(
            "account.move.line",
            [("id", "in", [row[0] for row in self.env.cr.fetchall()])],
            self.env._("Revenue Allocated Across Agreements"),
        )
