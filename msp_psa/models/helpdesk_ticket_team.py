# Copyright 2026 msp_psa authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import fields, models


class HelpdeskTicketTeam(models.Model):
    _inherit = "helpdesk.ticket.team"

    msp_requirement_ids = fields.One2many(
        "msp.dispatch.requirement", "team_id", string="Required Skills"
    )
    msp_auto_assign = fields.Boolean(
        string="Assign Automatically",
        help="A new ticket of this team without a technician goes to the first "
        "dispatch suggestion.",
    )
