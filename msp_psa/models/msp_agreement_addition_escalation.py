# Copyright 2026 msp_psa authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import fields, models


class MspAgreementAddition(models.Model):
    _inherit = "msp.agreement.addition"  # pylint: disable=consider-merging-classes-inherited

    escalation_exempt = fields.Boolean(
        string="No Price Escalation",
        tracking=True,
        help="Keep this addition's price when the agreement's prices escalate "
        "(e.g. a licence passed through at the vendor's price).",
    )
