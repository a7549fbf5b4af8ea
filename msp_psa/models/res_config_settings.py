# Copyright 2026 msp_psa authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    msp_deferred_revenue_account_id = fields.Many2one(
        related="company_id.msp_deferred_revenue_account_id", readonly=False
    )
    msp_revenue_journal_id = fields.Many2one(
        related="company_id.msp_revenue_journal_id", readonly=False
    )
    msp_revenue_method = fields.Selection(
        related="company_id.msp_revenue_method", readonly=False
    )
    msp_revenue_threshold = fields.Monetary(
        related="company_id.msp_revenue_threshold", readonly=False
    )
    msp_revenue_entry_max_lines = fields.Integer(
        related="company_id.msp_revenue_entry_max_lines", readonly=False
    )
    msp_revenue_entry_detail = fields.Selection(
        related="company_id.msp_revenue_entry_detail", readonly=False
    )
