# Copyright 2026 msp_psa authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from collections import defaultdict

from odoo import api, fields, models


class HelpdeskTicket(models.Model):
    _inherit = "helpdesk.ticket"

    msp_agreement_id = fields.Many2one(
        "msp.agreement",
        string="Agreement",
        compute="_compute_msp_agreement_id",
        store=True,
        readonly=False,
        index="btree_not_null",
        tracking=True,
        domain="[('partner_id', '=', commercial_partner_id), ('state', '=', 'active')]",
        help="The client agreement this ticket is worked under. Set from the client, "
        "the team and the category when they change; staff can choose another one.",
    )
    msp_unmapped = fields.Boolean(
        string="No Agreement",
        compute="_compute_msp_unmapped",
        store=True,
        help="No agreement covers this ticket: its time is billed as time & materials.",
    )
    msp_change_request = fields.Boolean(
        string="Change Request",
        readonly=True,
        copy=False,
        help="Filed by the client from the agreement's portal page: a change of the "
        "agreement to review. Nothing changes until staff edit the agreement.",
    )

    @api.depends("commercial_partner_id", "team_id", "category_id")
    def _compute_msp_agreement_id(self):
        """The covering agreement: the client's active agreement in force on the
        ticket's date whose coverage includes the ticket's team and category (an
        empty coverage covers all).

        When several cover it, the most specific wins: one that lists both the
        team and the category, then one that lists either, then one that lists
        neither; among equals, the most recent start, then the lowest reference.
        """
        clients = self.commercial_partner_id
        candidates = defaultdict(list)
        if clients:
            for agreement in self.env["msp.agreement"].search(
                [("partner_id", "in", clients.ids), ("state", "=", "active")],
                order="date_start desc, name",
            ):
                candidates[agreement.partner_id].append(agreement)
        today = fields.Date.context_today(self)
        for ticket in self:
            day = (
                fields.Date.to_date(ticket.create_date) if ticket.create_date else today
            )
            best, best_rank = False, None
            for agreement in candidates.get(ticket.commercial_partner_id, []):
                if agreement.date_start > day or (
                    agreement.date_end
                    and agreement.date_end < day
                    and not agreement.auto_renew
                ):
                    continue
                teams, categories = agreement.team_ids, agreement.category_ids
                if teams and ticket.team_id not in teams:
                    continue
                if categories and ticket.category_id not in categories:
                    continue
                rank = bool(teams) + bool(categories)
                if best_rank is None or rank > best_rank:
                    best, best_rank = agreement, rank
            ticket.msp_agreement_id = best

    @api.depends("msp_agreement_id")
    def _compute_msp_unmapped(self):
        for ticket in self:
            ticket.msp_unmapped = not ticket.msp_agreement_id
