# Copyright 2026 msp_psa authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import fields, models

from .res_company import DEFERRED_ACCOUNT_DOMAIN, REVENUE_METHODS


class ProductTemplate(models.Model):
    _inherit = "product.template"

    msp_deferred_revenue_account_id = fields.Many2one(
        "account.account",
        string="Deferred Revenue Account",
        company_dependent=True,
        domain=DEFERRED_ACCOUNT_DOMAIN,
        help="Empty: the product category's, else the company's.",
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
        help="0: the product category's, else the company's.",
    )

    def _msp_revenue_settings(self, company):
        """The deferred revenue settings of this product in ``company``: the
        product's, else its category's (then the parents'), else the company's."""
        self.ensure_one()
        sources = [self.with_company(company)]
        categ = self.categ_id.with_company(company)
        while categ:
            sources.append(categ)
            categ = categ.parent_id
        sources.append(company)
        settings = {}
        for field in (
            "msp_deferred_revenue_account_id",
            "msp_revenue_journal_id",
            "msp_revenue_method",
            "msp_revenue_threshold",
        ):
            settings[field] = next(
                (source[field] for source in sources if source[field]),
                company[field],
            )
        return settings
