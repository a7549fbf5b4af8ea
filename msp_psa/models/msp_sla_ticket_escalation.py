# Copyright 2026 msp_psa authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import api, fields, models


class MspSlaTicketEscalation(models.Model):
    """An escalation step of a ticket: planned at a due time, raised once."""

    _name = "msp.sla.ticket.escalation"
    _description = "MSP Ticket Escalation"
    _order = "date_due, id"

    ticket_id = fields.Many2one(
        "helpdesk.ticket", required=True, ondelete="cascade", index=True
    )
    company_id = fields.Many2one(related="ticket_id.company_id", store=True)
    escalation_id = fields.Many2one(
        "msp.sla.escalation", required=True, ondelete="cascade", index=True
    )
    date_due = fields.Datetime(
        string="Due", index=True, help="Empty while the ticket's clock is paused."
    )
    date_done = fields.Datetime(string="Raised", readonly=True)
    state = fields.Selection(
        [("planned", "Planned"), ("done", "Raised")],
        default="planned",
        required=True,
        index=True,
    )

    _sql_constraints = [
        (
            "ticket_escalation_uniq",
            "unique(ticket_id, escalation_id)",
            "An escalation step is raised once per ticket.",
        ),
    ]

    @api.depends("ticket_id.number", "escalation_id.display_name")
    def _compute_display_name(self):
        for record in self:
            record.display_name = self.env._(
                "%(ticket)s: %(step)s",
                ticket=record.ticket_id.number,
                step=record.escalation_id.display_name,
            )

    def _raise(self):
        """Carry out the due steps (notify, reassign, raise the priority,
        schedule an activity) and mark them raised, in one pass."""
        if not self:
            return
        now = fields.Datetime.now()
        # Mark first: raising the priority replans the ticket, and a step is
        # raised once even if carrying it out changes the ticket.
        self.write({"state": "done", "date_done": now})
        for record in self:
            step, ticket = record.escalation_id, record.ticket_id
            label = step._get_label()
            if step.notify:
                partners = (ticket.user_id | step.notify_user_ids).partner_id
                ticket.message_post(
                    body=self.env._(
                        "SLA escalation (%(step)s): %(ticket)s needs attention.",
                        step=label,
                        ticket=ticket.display_name,
                    ),
                    partner_ids=partners.ids,
                    subtype_xmlid="mail.mt_note",
                )
            vals = {}
            if step.reassign_user_id and ticket.user_id != step.reassign_user_id:
                vals["user_id"] = step.reassign_user_id.id
            if step.raise_priority and ticket.priority != "3":
                vals["priority"] = str(int(ticket.priority or "0") + 1)
            if vals:
                ticket.write(vals)
            if step.activity:
                user = (
                    ticket.user_id
                    or ticket.msp_agreement_id.user_id
                    or step.reassign_user_id
                )
                if user:
                    ticket.activity_schedule(
                        "mail.mail_activity_data_todo",
                        summary=self.env._("SLA escalation: %(step)s", step=label),
                        user_id=user.id,
                    )
