# Copyright 2026 msp_psa authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import fields, models


class ResPartner(models.Model):
    _inherit = "res.partner"

    msp_consolidate_invoices = fields.Boolean(
        string="One Invoice per Billing Run",
        help="Bill all the client's agreements that are due in one invoice per run "
        "(when they share company, currency, journal and payment terms).",
    )
    msp_agreement_ids = fields.One2many(
        "msp.agreement", "partner_id", string="MSP Agreements"
    )
    msp_agreement_count = fields.Integer(
        compute="_compute_msp_counts", groups="msp_psa.group_msp_psa_user"
    )
    msp_managed_item_count = fields.Integer(
        compute="_compute_msp_counts", groups="msp_psa.group_msp_psa_user"
    )

    def _compute_msp_counts(self):
        clients = self.commercial_partner_id
        agreements = dict(
            self.env["msp.agreement"]._read_group(
                [("partner_id", "in", clients.ids)], ["partner_id"], ["__count"]
            )
        )
        items = dict(
            self.env["msp.managed.item"]._read_group(
                [("partner_id", "in", clients.ids), ("is_current", "=", True)],
                ["partner_id"],
                ["__count"],
            )
        )
        for partner in self:
            client = partner.commercial_partner_id
            partner.msp_agreement_count = agreements.get(client, 0)
            partner.msp_managed_item_count = items.get(client, 0)

    def action_view_msp_agreements(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "msp_psa.msp_agreement_action"
        )
        client = self.commercial_partner_id
        action["domain"] = [("partner_id", "=", client.id)]
        action["context"] = {"default_partner_id": client.id}
        return action

    def action_view_msp_managed_items(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "msp_psa.msp_managed_item_action"
        )
        client = self.commercial_partner_id
        action["domain"] = [("partner_id", "=", client.id)]
        action["context"] = {
            "default_partner_id": client.id,
            "search_default_in_service": 1,
        }
        return action
