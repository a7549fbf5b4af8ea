# Copyright 2026 msp_psa authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import fields, models


class MspSlaPause(models.Model):
    """A span during which a ticket's SLA clock stood still: when, why, who."""

    _name = "msp.sla.pause"
    _description = "MSP SLA Pause"
    _order = "ticket_id, date_start, id"

    ticket_id = fields.Many2one(
        "helpdesk.ticket", required=True, ondelete="cascade", index=True
    )
    company_id = fields.Many2one(related="ticket_id.company_id", store=True)
    date_start = fields.Datetime(string="Paused", required=True, readonly=True)
    date_end = fields.Datetime(string="Resumed", readonly=True)
    business_minutes = fields.Float(
        readonly=True,
        help="Working minutes of the ticket's SLA hours inside this pause; "
        "recomputed when the ticket's hours change (priority, agreement).",
    )
    reason = fields.Char(string="Why", readonly=True)
    user_id = fields.Many2one("res.users", string="Paused By", readonly=True)
    end_user_id = fields.Many2one("res.users", string="Resumed By", readonly=True)
