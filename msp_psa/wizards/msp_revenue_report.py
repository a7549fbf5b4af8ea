# Copyright 2026 msp_psa authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools import SQL

from ..tools import labels, validate

CAUSES = [
    ("schedule", "Not yet recognised"),
    ("no_schedule", "Entry on the account without a schedule"),
]


class MspRevenueReport(models.TransientModel):
    """Deferred revenue at a date: the balance by client, agreement and product,
    and the check that the deferred revenue accounts hold exactly what the
    schedules have not yet recognised."""

    _name = "msp.revenue.report"
    _description = "MSP Deferred Revenue at a Date"

    date = fields.Date(
        required=True, default=lambda self: fields.Date.context_today(self)
    )
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    line_ids = fields.One2many("msp.revenue.report.line", "report_id")
    difference_line_ids = fields.One2many(
        "msp.revenue.report.line",
        "report_id",
        domain=[("cause", "!=", "schedule")],
        string="Differences",
    )
    amount_ledger = fields.Monetary(string="Deferred Revenue Accounts", readonly=True)
    amount_schedules = fields.Monetary(string="Not Yet Recognised", readonly=True)
    amount_difference = fields.Monetary(string="Difference", readonly=True)

    @api.model_create_multi
    def create(self, vals_list):
        return super().create([self._check_input_vals(vals) for vals in vals_list])

    def write(self, vals):
        return super().write(self._check_input_vals(vals))

    @api.model
    def _check_input_vals(self, vals):
        """Date and company as an outside caller (RPC) may send them: parsed, or
        refused with a ``ValidationError`` naming the value. The report reads
        its company's books with superuser rights, so the company must be one
        of the user's."""
        vals = dict(vals)
        with validate.user_errors(self.env):
            if "date" in vals:
                vals["date"] = validate.to_date(
                    vals["date"], self.env._("Deferred revenue report date")
                )
            if "company_id" in vals:
                vals["company_id"] = validate.to_id(
                    vals["company_id"], self.env._("Deferred revenue report company")
                )
        if (
            vals.get("company_id")
            and not self.env.su
            and vals["company_id"] not in self.env.user.company_ids.ids
        ):
            raise ValidationError(
                self.env._(
                    "Deferred revenue report company: %(company)s is not one of your "
                    "companies.",
                    company=vals["company_id"],
                )
            )
        return vals

    @api.depends("date")
    def _compute_display_name(self):
        for report in self:
            report.display_name = self.env._(
                "Deferred revenue check at %(date)s",
                date=labels.fmt_date(report.date) if report.date else "",
            )

    def _schedule_balances(self):
        """The company's schedules with the amount still deferred at the date,
        from one query: what the invoice line booked (when posted by then), less
        the months recognised by then::

            [{"schedule_id": int, "partner_id": int or None,
              "agreement_id": int or None, "product_id": int or None,
              "deferred_account_id": int, "move_id": int or None,
              "amount": float}]

        in the order of the schedules' ids."""
        self.ensure_one()
        self.env["msp.revenue.schedule"].flush_model()
        self.env["msp.revenue.schedule.line"].flush_model()
        self.env["account.move"].flush_model(["state", "date"])
        rows = self.env.execute_query_dict(
            SQL(
                """
                SELECT s.id AS schedule_id, s.partner_id, s.agreement_id,
                       s.product_id, s.deferred_account_id, s.move_id,
                       CASE WHEN s.state != 'cancelled' AND inv.state = 'posted'
                                 AND inv.date <= %(date)s
                            THEN s.amount_total ELSE 0 END
                       - COALESCE((
                           SELECT SUM(l.amount)
                             FROM msp_revenue_schedule_line l
                             JOIN account_move rec ON rec.id = l.move_id
                            WHERE l.schedule_id = s.id AND l.state = 'posted'
                              AND rec.state = 'posted' AND rec.date <= %(date)s
                       ), 0) AS amount
                  FROM msp_revenue_schedule s
                  LEFT JOIN account_move inv ON inv.id = s.move_id
                 WHERE s.company_id = %(company)s
                 ORDER BY s.id
                """,
                date=self.date,
                company=self.company_id.id,
            )
        )
        return rows

    def _prepare_balance_lines(self):
        """A report line per schedule with an amount still deferred at the
        date, from the one read of ``_schedule_balances``."""
        currency = self.currency_id
        return [
            {
                "report_id": self.id,
                "cause": "schedule",
                "schedule_id": row["schedule_id"],
                "partner_id": row["partner_id"] or False,
                "agreement_id": row["agreement_id"] or False,
                "product_id": row["product_id"] or False,
                "account_id": row["deferred_account_id"] or False,
                "move_id": row["move_id"] or False,
                "amount": row["amount"],
            }
            for row in self._schedule_balances()
            if not currency.is_zero(row["amount"])
        ]

    def _deferred_accounts(self):
        company = self.company_id
        accounts = company.msp_deferred_revenue_account_id
        accounts |= (
            self.env["msp.revenue.schedule"]
            .sudo()
            .search([("company_id", "=", company.id)])
            .deferred_account_id
        )
        for model in ("product.template", "product.category"):
            accounts |= (
                self.env[model]
                .with_company(company)
                .sudo()
                .search([("msp_deferred_revenue_account_id", "!=", False)])
                .msp_deferred_revenue_account_id
            )
        return accounts

    def _unexplained_move_lines(self, accounts):
        """The posted journal items on ``accounts`` up to the date that neither
        a schedule (its invoice line) nor a posted month of one explains, from
        one query (an anti-join), in the journal items' order."""
        self.ensure_one()
        if not accounts:
            return self.env["account.move.line"]
        self.env["msp.revenue.schedule"].flush_model(["move_line_id", "company_id"])
        self.env["msp.revenue.schedule.line"].flush_model(
            ["move_line_id", "company_id", "state"]
        )
        self.env["account.move.line"].flush_model(
            ["company_id", "account_id", "parent_state", "date", "move_name"]
        )
        rows = self.env.execute_query(
            SQL(
                """
                SELECT aml.id
                  FROM account_move_line aml
                 WHERE aml.company_id = %(company)s
                   AND aml.account_id IN %(accounts)s
                   AND aml.parent_state = 'posted'
                   AND aml.date <= %(date)s
                   AND NOT EXISTS (
                       SELECT 1 FROM msp_revenue_schedule s
                        WHERE s.move_line_id = aml.id
                          AND s.company_id = %(company)s)
                   AND NOT EXISTS (
                       SELECT 1 FROM msp_revenue_schedule_line l
                        WHERE l.move_line_id = aml.id
                          AND l.company_id = %(company)s
                          AND l.state = 'posted')
                 ORDER BY aml.date DESC, aml.move_name DESC, aml.id
                """,
                company=self.company_id.id,
                accounts=tuple(accounts.ids),
                date=self.date,
            )
        )
        return self.env["account.move.line"].sudo().browse(row[0] for row in rows)

    def _prepare_difference_lines(self, accounts):
        """The items on the deferred revenue accounts that no schedule explains
        (entries made by hand): together they are the difference."""
        return [
            {
                "report_id": self.id,
                "cause": "no_schedule",
                "account_id": item.account_id.id,
                "partner_id": item.partner_id.commercial_partner_id.id,
                "move_id": item.move_id.id,
                "move_line_id": item.id,
                "amount": -item.balance,
            }
            for item in self._unexplained_move_lines(accounts)
        ]

    def _compute_report(self):
        self.ensure_one()
        self.line_ids.unlink()
        vals_list = self._prepare_balance_lines()
        accounts = self._deferred_accounts()
        ledger = 0.0
        if accounts:
            self.env["account.move.line"].flush_model()
            ledger = -(
                self.env["account.move.line"]
                .sudo()
                ._read_group(
                    [
                        ("company_id", "=", self.company_id.id),
                        ("account_id", "in", accounts.ids),
                        ("parent_state", "=", "posted"),
                        ("date", "<=", self.date),
                    ],
                    [],
                    ["balance:sum"],
                )[0][0]
            )
        schedules_total = sum(vals["amount"] for vals in vals_list)
        vals_list += self._prepare_difference_lines(accounts)
        self.env["msp.revenue.report.line"].create(vals_list)
        self.write(
            {
                "amount_ledger": ledger,
                "amount_schedules": schedules_total,
                "amount_difference": self.currency_id.round(ledger - schedules_total),
            }
        )

    def _action_lines(self, name, causes, views):
        self._compute_report()
        return {
            "type": "ir.actions.act_window",
            "name": name,
            "res_model": "msp.revenue.report.line",
            "view_mode": views,
            "domain": [("report_id", "=", self.id), ("cause", "in", causes)],
            "context": {"search_default_group_partner": 1},
        }

    def action_balance(self):
        self.ensure_one()
        return self._action_lines(
            self.env._("Deferred Revenue at %(date)s", date=self.date),
            ["schedule"],
            "list,pivot",
        )

    def action_check(self):
        self.ensure_one()
        self._compute_report()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Deferred Revenue Check"),
            "res_model": self._name,
            "res_id": self.id,
            "view_mode": "form",
            "views": [
                (self.env.ref("msp_psa.msp_revenue_report_view_form_check").id, "form")
            ],
            "target": "current",
        }

    @api.model
    def _check_balance(self, date, company):
        """The check as data (for tests and scripts): (ledger, schedules,
        difference, [(cause, amount)])."""
        report = self.create({"date": date, "company_id": company.id})
        report._compute_report()
        return (
            report.amount_ledger,
            report.amount_schedules,
            report.amount_difference,
            [(line.cause, line.amount) for line in report.difference_line_ids],
        )


class MspRevenueReportLine(models.TransientModel):
    _name = "msp.revenue.report.line"
    _description = "MSP Deferred Revenue at a Date: Line"
    _order = "cause, partner_id, id"

    report_id = fields.Many2one(
        "msp.revenue.report", required=True, ondelete="cascade", index=True
    )
    currency_id = fields.Many2one(related="report_id.currency_id")
    cause = fields.Selection(CAUSES, required=True)
    schedule_id = fields.Many2one("msp.revenue.schedule")
    partner_id = fields.Many2one("res.partner", string="Client")
    agreement_id = fields.Many2one("msp.agreement")
    product_id = fields.Many2one("product.product")
    account_id = fields.Many2one("account.account")
    move_id = fields.Many2one("account.move", string="Entry")
    move_line_id = fields.Many2one("account.move.line", string="Journal Item")
    amount = fields.Monetary(string="Deferred")

    @api.depends(
        "cause", "schedule_id.display_name", "move_line_id.move_name", "move_id.name"
    )
    def _compute_display_name(self):
        causes = dict(self._fields["cause"]._description_selection(self.env))
        for line in self:
            line.display_name = self.env._(
                "%(origin)s: %(cause)s",
                origin=line.schedule_id.display_name
                or line.move_line_id.move_name
                or line.move_id.name
                or line.partner_id.display_name
                or "",
                cause=causes.get(line.cause, ""),
            )
