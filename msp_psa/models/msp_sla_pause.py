# Copyright 2026 msp_psa authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import api, fields, models

from ..tools import labels


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

    @api.depends("ticket_id.number", "date_start", "date_end", "reason")
    @api.depends_context("tz")
    def _compute_display_name(self):
        def moment(value):
            return fields.Datetime.context_timestamp(self, value)

        for pause in self:
            if not pause.date_start:
                pause.display_name = self.env._(
                    "%(ticket)s: pause", ticket=pause.ticket_id.number
                )
                continue
            if pause.date_end:
                name = self.env._(
                    "%(ticket)s: paused %(span)s",
                    ticket=pause.ticket_id.number,
                    span=labels.fmt_datetime_range(
                        moment(pause.date_start), moment(pause.date_end)
                    ),
                )
            else:
                name = self.env._(
                    "%(ticket)s: paused since %(start)s",
                    ticket=pause.ticket_id.number,
                    start=labels.fmt_datetime(moment(pause.date_start)),
                )
            if pause.reason:
                name = self.env._(
                    "%(name)s (%(reason)s)", name=name, reason=pause.reason
                )
            pause.display_name = name
