# Copyright 2026 msp_psa authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import fields, models


# One concern per file, on purpose (issue 14): costs and profitability
# kept apart from the model's definition.
class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"  # pylint: disable=consider-merging-classes-inherited

    msp_margin_visible = fields.Boolean(
        related="company_id.msp_margin_visible", readonly=False
    )
