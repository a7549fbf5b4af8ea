# Copyright 2026 msp_psa authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import api, fields, models
from odoo.exceptions import ValidationError

DEFERRED_ACCOUNT_DOMAIN = (
    "[('account_type', 'in', ('liability_current', 'liability_non_current'))]"
)
# A debit and a credit: the smallest recognition entry.
MIN_ENTRY_LINES = 2
REVENUE_METHODS = [
    ("daily", "By days of the service period"),
    ("monthly", "Equal monthly amounts"),
]


class ResCompany(models.Model):
    _inherit = "res.company"

    msp_deferred_revenue_account_id = fields.Many2one(
        "account.account",
        string="Deferred Revenue Account",
        check_company=True,
        domain=DEFERRED_ACCOUNT_DOMAIN,
        help="Invoice lines whose service period reaches beyond the invoice's month "
        "book their revenue here, then monthly recognition entries move it to the "
        "line's income account. Empty: revenue is not deferred.",
    )
    msp_revenue_journal_id = fields.Many2one(
        "account.journal",
        string="Revenue Recognition Journal",
        check_company=True,
        domain="[('type', '=', 'general')]",
    )
    msp_revenue_method = fields.Selection(
        REVENUE_METHODS,
        string="Recognition Method",
        default="daily",
        required=True,
    )
    msp_revenue_threshold = fields.Monetary(
        string="Minimum Amount to Defer",
        currency_field="currency_id",
        help="Invoice lines below this amount (in company currency) are booked to "
        "income at once, even when their service period reaches beyond the "
        "invoice's month.",
    )

    msp_revenue_entry_max_lines = fields.Integer(
        string="Lines per Recognition Entry",
        default=500,
        help="The month's recognition is posted in entries of at most this many "
        "lines (a client's lines kept together), each committed on its own: a "
        "failure loses one entry, not the month.",
    )

    msp_revenue_entry_detail = fields.Selection(
        [
            ("client", "One item per client"),
            ("account", "Grouped by account"),
        ],
        string="Recognition Entry Detail",
        default="client",
        required=True,
        help="One item per client: each client's recognised revenue is an "
        "income item and a deferred revenue item carrying the client, so the "
        "deferred revenue accounts show each client's balance. Grouped by "
        "account: one income item per income account and analytic "
        "distribution, one deferred revenue item per account, without "
        "client (as Odoo's grouped deferral entries): a few journal items a "
        "month instead of two per client; each client's deferred revenue "
        "is then read from the revenue schedules.",
    )

    msp_sla_policy_id = fields.Many2one(
        "msp.sla.policy",
        string="Default SLA Policy",
        help="SLA of tickets whose agreement has no policy of its own, and of "
        "tickets without an agreement.",
    )

    @api.constrains("msp_revenue_entry_max_lines")
    def _check_msp_revenue_entry_max_lines(self):
        for company in self:
            if company.msp_revenue_entry_max_lines < MIN_ENTRY_LINES:
                raise ValidationError(
                    self.env._(
                        "%(count)s lines per recognition entry is too few: an "
                        "entry needs at least %(minimum)s (a debit and a credit).",
                        count=company.msp_revenue_entry_max_lines,
                        minimum=MIN_ENTRY_LINES,
                    )
                )

    def _msp_revenue_entry_max_lines(self):
        """The most lines a recognition entry of this company may have."""
        self.ensure_one()
        return max(self.msp_revenue_entry_max_lines or 0, MIN_ENTRY_LINES)

    def write(self, vals):
        res = super().write(vals)
        if "msp_sla_policy_id" in vals:
            self.env["helpdesk.ticket"]._msp_sla_schedule_check(
                [
                    ("company_id", "in", self.ids),
                    "|",
                    ("msp_agreement_id", "=", False),
                    ("msp_agreement_id.sla_policy_id", "=", False),
                ]
            )
        return res
