# Copyright 2026 msp_psa authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import fields, models


# One concern per file, on purpose (issue 14): costs and profitability
# kept apart from the model's definition.
class ResCompany(models.Model):
    _inherit = "res.company"  # pylint: disable=consider-merging-classes-inherited

    msp_margin_visible = fields.Boolean(
        string="MSP Users See Margins",
        help="MSP users without accounting rights see the agreements' costs and "
        "margins (profitability report, margin on the agreement). Accountants "
        "always see them, read-only.",
    )
