# Copyright 2026 msp_psa authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import fields, models


class AccountMoveLine(models.Model):
    _inherit = "account.move.line"

    msp_line_kind = fields.Selection(
        [
            ("fee", "Fixed fee"),
            ("addition", "Recurring addition"),
            ("one_time", "One-time addition"),
            ("time", "Time & materials"),
            ("block", "Block of hours"),
            ("block_usage", "Block hours used"),
            ("overage", "Overage hours"),
        ],
        string="MSP Line Kind",
        copy=False,
        readonly=True,
    )
    msp_agreement_id = fields.Many2one(
        "msp.agreement",
        string="MSP Agreement",
        index="btree_not_null",
        copy=False,
        readonly=True,
        ondelete="restrict",
    )
    msp_addition_id = fields.Many2one(
        "msp.agreement.addition",
        string="MSP Addition",
        index="btree_not_null",
        copy=False,
        readonly=True,
        ondelete="restrict",
    )
    msp_billed_quantity = fields.Float(
        string="MSP Billed Quantity",
        digits="Product Unit of Measure",
        copy=False,
        readonly=True,
        help="Quantity of the addition this line bills over its start and end dates "
        "(negative for a credit).",
    )
    msp_unit_price = fields.Float(
        string="MSP Monthly Unit Price",
        digits="Product Price",
        copy=False,
        readonly=True,
        help="The monthly unit price this line was computed with (an addition's; "
        "the fixed fee; the block price per period).",
    )
    msp_price_change = fields.Boolean(
        string="MSP Price Change",
        copy=False,
        readonly=True,
        help="The line moves its billed quantity, billed before at the old "
        "monthly price, to the new one (a price step in a period billed already).",
    )
    msp_price_from = fields.Float(
        string="MSP Old Monthly Price",
        digits="Product Price",
        copy=False,
        readonly=True,
        help="Of a price change line: the monthly price the units were billed at.",
    )
    msp_timesheet_ids = fields.One2many(
        "account.analytic.line",
        "msp_invoice_line_id",
        string="Billed Time",
        readonly=True,
    )

    msp_revenue_income_account_id = fields.Many2one(
        "account.account",
        string="Deferred Income Account",
        copy=False,
        readonly=True,
        index="btree_not_null",
        help="Set when the line's revenue is deferred: the income account it is "
        "recognised to, month by month.",
    )

    def init(self):
        # A one-time addition is billed once: at most one line in an invoice
        # that is not cancelled.
        self.env.cr.execute(
            """
            CREATE UNIQUE INDEX IF NOT EXISTS account_move_line_msp_one_time_uniq
                ON account_move_line (msp_addition_id)
             WHERE msp_line_kind = 'one_time' AND parent_state != 'cancel'
            """
        )

    def _msp_revenue_settings(self):
        self.ensure_one()
        company = self.move_id.company_id
        if self.product_id:
            return self.product_id.product_tmpl_id._msp_revenue_settings(company)
        return {
            field: company[field]
            for field in (
                "msp_deferred_revenue_account_id",
                "msp_revenue_journal_id",
                "msp_revenue_method",
                "msp_revenue_threshold",
            )
        }

    def _msp_revenue_restore_income_account(self):
        """Give the lines their income account back (keeping their analytic
        distribution)."""
        with self.env.protecting([self._fields["analytic_distribution"]], self):
            for income, lines in self.grouped("msp_revenue_income_account_id").items():
                lines.write(
                    {"account_id": income.id, "msp_revenue_income_account_id": False}
                )

    def _prepare_analytic_lines(self):
        # Deferred revenue feeds analytic accounting when it is recognised (the
        # recognition entries carry the distribution), not when it is invoiced.
        if self.msp_revenue_income_account_id:
            return []
        return super()._prepare_analytic_lines()

    def copy_data(self, default=None):
        # A copy (duplicate, credit note) starts from the income account: its own
        # posting decides whether to defer.
        vals_list = super().copy_data(default=default)
        for line, vals in zip(self, vals_list, strict=True):
            if line.msp_revenue_income_account_id and "account_id" in vals:
                vals["account_id"] = line.msp_revenue_income_account_id.id
        return vals_list
