# Copyright 2026 msp_psa authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    msp_margin_visible = fields.Boolean(
        related="company_id.msp_margin_visible", readonly=False
    )
