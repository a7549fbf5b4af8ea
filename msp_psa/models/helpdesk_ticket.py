# Copyright 2026 msp_psa authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import fields, models


class HelpdeskTicket(models.Model):
    _inherit = "helpdesk.ticket"

    msp_agreement_id = fields.Many2one(
        "msp.agreement",
        string="Agreement",
        index="btree_not_null",
        tracking=True,
        domain="[('partner_id', '=', commercial_partner_id), ('state', '=', 'active')]",
        help="The client agreement this ticket is worked under.",
    )
