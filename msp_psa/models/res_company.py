# Copyright 2026 msp_psa authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import fields, models

DEFERRED_ACCOUNT_DOMAIN = (
    "[('account_type', 'in', ('liability_current', 'liability_non_current'))]"
)
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

    msp_sla_policy_id = fields.Many2one(
        "msp.sla.policy",
        string="Default SLA Policy",
        help="SLA of tickets whose agreement has no policy of its own, and of "
        "tickets without an agreement.",
    )

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
