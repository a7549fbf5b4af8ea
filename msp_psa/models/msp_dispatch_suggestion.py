# Copyright 2026 msp_psa authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import api, fields, models


class MspDispatchSuggestion(models.TransientModel):
    """A technician the dispatch suggestion offers for a ticket, with the
    explained score; Assign takes them."""

    _name = "msp.dispatch.suggestion"
    _description = "MSP Dispatch Suggestion"
    _order = "rank"

    ticket_id = fields.Many2one("helpdesk.ticket", required=True, ondelete="cascade")
    user_id = fields.Many2one("res.users", string="Technician", required=True)
    rank = fields.Integer()
    score = fields.Float()
    explanation = fields.Char()

    @api.depends("user_id", "rank")
    def _compute_display_name(self):
        for suggestion in self:
            suggestion.display_name = self.env._(
                "%(rank)s. %(user)s",
                rank=suggestion.rank,
                user=suggestion.user_id.name or "",
            )

    @api.model
    def _create_for(self, ticket):
        return self.create(
            [
                {
                    "ticket_id": ticket.id,
                    "user_id": item["id"],
                    "rank": item["rank"],
                    "score": item["score"],
                    "explanation": item["explanation"],
                }
                for item in ticket._msp_suggest(limit=3)
            ]
        )

    def action_assign(self):
        self.ensure_one()
        self.ticket_id.action_msp_assign(self.user_id.id)
        return {"type": "ir.actions.act_window_close"}
