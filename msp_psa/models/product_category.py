# Copyright 2026 msp_psa authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import fields, models

from .res_company import DEFERRED_ACCOUNT_DOMAIN, REVENUE_METHODS


class ProductCategory(models.Model):
    _inherit = "product.category"

    msp_deferred_revenue_account_id = fields.Many2one(
        "account.account",
        string="Deferred Revenue Account",
        company_dependent=True,
        domain=DEFERRED_ACCOUNT_DOMAIN,
        help="Empty: the parent category's, else the company's.",
    )
    msp_revenue_journal_id = fields.Many2one(
        "account.journal",
        string="Revenue Recognition Journal",
        company_dependent=True,
        domain="[('type', '=', 'general')]",
    )
    msp_revenue_method = fields.Selection(REVENUE_METHODS, string="Recognition Method")
    msp_revenue_threshold = fields.Float(
        string="Minimum Amount to Defer",
        digits="Account",
        help="0: the parent category's, else the company's.",
    )
