# Copyright 2026 msp_psa authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import api, fields, models


class MspDispatchLog(models.Model):
    """Each assignment of a ticket, with the rank the dispatch suggestion gave
    the technician chosen: how often the first suggestion is taken."""

    _name = "msp.dispatch.log"
    _description = "MSP Dispatch Assignment"
    _order = "create_date desc, id desc"

    ticket_id = fields.Many2one(
        "helpdesk.ticket", required=True, ondelete="cascade", index=True
    )
    team_id = fields.Many2one("helpdesk.ticket.team", readonly=True)
    company_id = fields.Many2one("res.company", required=True, readonly=True)
    user_id = fields.Many2one("res.users", string="Assigned To", readonly=True)
    suggested_user_id = fields.Many2one(
        "res.users", string="First Suggestion", readonly=True
    )
    rank = fields.Integer(
        readonly=True,
        aggregator="avg",
        help="The assigned technician's place in the suggestion; 0 when the "
        "suggestion did not offer them (on leave, outside the team, a mandatory "
        "skill missing).",
    )
    score = fields.Float(readonly=True, aggregator="avg")
    first_taken = fields.Boolean(string="First Suggestion Taken", readonly=True)
    first_taken_percent = fields.Float(
        string="First Suggestion Taken (%)",
        readonly=True,
        aggregator="avg",
        help="100 when the first suggestion was assigned, else 0: its average "
        "is the share of assignments that followed the first suggestion.",
    )
    automatic = fields.Boolean(readonly=True)
    explanation = fields.Char(readonly=True)

    @api.depends("ticket_id", "user_id", "rank")
    def _compute_display_name(self):
        for log in self:
            log.display_name = self.env._(
                "%(ticket)s to %(user)s (rank %(rank)s)",
                ticket=log.ticket_id.display_name or "",
                user=log.user_id.name or "",
                rank=log.rank or "-",
            )

    @api.model
    def _log_assignments(self, tickets, rankings):
        """One row per ticket: ``rankings`` are the full suggestions computed
        before the assignment, by ticket id."""
        vals_list = []
        automatic = bool(self.env.context.get("msp_dispatch_auto"))
        for ticket in tickets:
            ranked = rankings.get(ticket.id) or []
            chosen = next(
                (item for item in ranked if item["id"] == ticket.user_id.id), None
            )
            first = ranked[0] if ranked else None
            taken = bool(first and chosen and first["id"] == chosen["id"])
            vals_list.append(
                {
                    "ticket_id": ticket.id,
                    "team_id": ticket.team_id.id,
                    "company_id": ticket.company_id.id,
                    "user_id": ticket.user_id.id,
                    "suggested_user_id": first["id"] if first else False,
                    "rank": chosen["rank"] if chosen else 0,
                    "score": chosen["score"] if chosen else 0.0,
                    "first_taken": taken,
                    "first_taken_percent": 100.0 if taken else 0.0,
                    "automatic": automatic,
                    "explanation": chosen["explanation"] if chosen else False,
                }
            )
            body = self.env._(
                "Assigned to %(user)s%(rank)s.",
                user=ticket.user_id.name,
                rank=self.env._(", suggestion no. %(rank)s", rank=chosen["rank"])
                if chosen
                else "",
            )
            ticket.sudo().message_post(
                body=body,
                partner_ids=ticket.user_id.partner_id.ids,
                message_type="comment",
                subtype_xmlid="mail.mt_note",
            )
        return self.sudo().create(vals_list)
