# Copyright 2026 msp_psa authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import fields, models


# One concern per file, on purpose (issue 15): the billing run's workers.
class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"  # pylint: disable=consider-merging-classes-inherited

    msp_billing_workers = fields.Integer(
        related="company_id.msp_billing_workers", readonly=False
    )
