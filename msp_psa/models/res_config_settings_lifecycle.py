# Copyright 2026 msp_psa authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"  # pylint: disable=consider-merging-classes-inherited

    msp_renewal_steps = fields.Char(
        related="company_id.msp_renewal_steps", readonly=False
    )
    msp_signal_growth_pct = fields.Float(
        related="company_id.msp_signal_growth_pct", readonly=False
    )
    msp_signal_burn_days = fields.Integer(
        related="company_id.msp_signal_burn_days", readonly=False
    )
