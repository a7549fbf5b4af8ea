# Copyright 2026 msp_psa authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import fields, models


class ResCompany(models.Model):
    _inherit = "res.company"

    msp_margin_visible = fields.Boolean(
        string="MSP Users See Margins",
        help="MSP users without accounting rights see the agreements' costs and "
        "margins (profitability report, margin on the agreement). Accountants "
        "always see them, read-only.",
    )

