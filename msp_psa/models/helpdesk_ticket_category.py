# Copyright 2026 msp_psa authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import fields, models


class HelpdeskTicketCategory(models.Model):
    _inherit = "helpdesk.ticket.category"

    msp_requirement_ids = fields.One2many(
        "msp.dispatch.requirement", "category_id", string="Required Skills"
    )
