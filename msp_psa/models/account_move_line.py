# Copyright 2026 msp_psa authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import api, fields, models

from ..tools import revenue


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
        # Computed with the account, by the same method: a line whose revenue
        # is deferred is created on the deferred revenue account, not moved
        # there when it is posted.
        compute="_compute_account_id",
        store=True,
        precompute=True,
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

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if "account_id" in vals:
                # An account given by hand is kept as given; posting decides
                # whether to defer it.
                vals.setdefault("msp_revenue_income_account_id", False)
        return super().create(vals_list)

    def write(self, vals):
        if "account_id" in vals and "msp_revenue_income_account_id" not in vals:
            # An account chosen by hand is the line's income account again:
            # posting decides whether to defer it.
            vals = dict(vals, msp_revenue_income_account_id=False)
        return super().write(vals)

    def _compute_account_id(self):
        """The account Odoo computes, except that a customer invoice line
        whose revenue is to be deferred gets the deferred revenue account, its
        income account kept in ``msp_revenue_income_account_id``. Decided when
        the line is created in an invoice that exists (not in a form still
        being edited: posting decides those)."""
        res = super()._compute_account_id()
        month_ends = {}
        settings_memo = {}
        for line in self:
            income = line.msp_revenue_income_account_id
            move = line.move_id
            if (
                line.display_type != "product"
                or move.move_type not in ("out_invoice", "out_refund")
                or not isinstance(move.id, int)
            ):
                line.msp_revenue_income_account_id = income
                continue
            if move not in month_ends:
                month_ends[move] = revenue.month_end(
                    move.invoice_date or fields.Date.context_today(move)
                )
            settings = line._msp_revenue_settings(settings_memo)
            if settings["msp_revenue_journal_id"] and line._msp_revenue_qualifies(
                settings, month_ends[move], line._msp_revenue_estimated_amount()
            ):
                line.msp_revenue_income_account_id = line.account_id
                line.account_id = settings["msp_deferred_revenue_account_id"]
            else:
                line.msp_revenue_income_account_id = False
        return res

    def _compute_totals(self):
        """Odoo's totals, except for lines with neither price nor taxes (the
        lines of journal entries: a month's revenue recognition has two per
        client): their totals are zero, set without running the tax
        computation line by line."""
        free = self.filtered(
            lambda line: (
                line.display_type in ("product", "cogs")
                and not line.price_unit
                and not line.tax_ids
            )
        )
        free.price_subtotal = free.price_total = 0.0
        return super(AccountMoveLine, self - free)._compute_totals()

    def _msp_revenue_estimated_amount(self):
        """The line's amount in company currency before taxes, from its price
        (what deciding the deferral on creation can read)."""
        self.ensure_one()
        amount = abs(self.quantity * self.price_unit * (1 - (self.discount or 0) / 100))
        company = self.move_id.company_id
        currency = self.currency_id or company.currency_id
        if currency != company.currency_id:
            amount = currency._convert(
                amount,
                company.currency_id,
                company,
                self.move_id.invoice_date or fields.Date.context_today(self),
            )
        return amount

    def _msp_revenue_qualifies(self, settings, invoice_month_end, amount):
        """Whether this invoice line's revenue is deferred: a deferred revenue
        account is set, its service period reaches beyond the invoice's month,
        and its ``amount`` (company currency) is not zero and not below the
        threshold."""
        self.ensure_one()
        deferred = settings["msp_deferred_revenue_account_id"]
        currency = self.move_id.company_id.currency_id
        return bool(
            deferred
            and self.start_date
            and self.end_date
            and self.end_date > invoice_month_end
            and (self.msp_revenue_income_account_id or self.account_id) != deferred
            and currency.compare_amounts(amount, settings["msp_revenue_threshold"]) >= 0
            and not currency.is_zero(amount)
        )

    def _msp_revenue_settings(self, memo=None):
        """The deferred revenue settings of this line's product in its
        company (see ``product.template._msp_revenue_settings``). ``memo``: a
        dict a loop over lines passes to read them once per product and
        company; the settings returned are shared, not to be changed."""
        self.ensure_one()
        company = self.move_id.company_id
        template = self.product_id.product_tmpl_id
        key = (template.id, company.id)
        if memo is not None and key in memo:
            return memo[key]
        if template:
            settings = template._msp_revenue_settings(company)
        else:
            settings = {
                field: company[field]
                for field in (
                    "msp_deferred_revenue_account_id",
                    "msp_revenue_journal_id",
                    "msp_revenue_method",
                    "msp_revenue_threshold",
                )
            }
        if memo is not None:
            memo[key] = settings
        return settings

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
