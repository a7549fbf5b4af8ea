# Copyright 2026 msp_psa authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import api, fields, models

from ..tools import billing


class MspLeakageWizard(models.TransientModel):
    """A bulk action of the Leakage Queue on the selected time: the model
    methods of account.analytic.line validate and do the work."""

    _name = "msp.leakage.wizard"
    _description = "MSP Leakage Queue Action"

    action = fields.Selection(
        [
            ("assign", "Assign Agreement"),
            ("non_billable", "Mark Non-billable"),
            ("time_materials", "Bill as Time & Materials"),
        ],
        required=True,
        readonly=True,
    )
    line_ids = fields.Many2many("account.analytic.line", string="Time", readonly=True)
    partner_id = fields.Many2one(
        "res.partner",
        string="Client",
        compute="_compute_partner_id",
        help="The client of the selected time's tickets, when there is one.",
    )
    agreement_id = fields.Many2one(
        "msp.agreement",
        domain="[('partner_id', '=', partner_id), ('state', '=', 'active')]",
        help="The agreement that covers the tickets of the selected time: their "
        "time is decided again under it.",
    )
    reason = fields.Char(
        string="Why Not Billable", help="Recorded on each line of the selection."
    )
    product_id = fields.Many2one(
        "product.product",
        string="Labour Product",
        domain="[('type', '=', 'service')]",
    )
    price_unit = fields.Float(
        string="Hourly Rate",
        compute="_compute_price_unit",
        store=True,
        readonly=False,
        digits="Product Price",
        help="In the agreement's currency.",
    )
    hours = fields.Float(compute="_compute_totals")
    currency_id = fields.Many2one("res.currency", compute="_compute_totals")
    amount_at_stake = fields.Monetary(
        string="Amount at Stake", compute="_compute_totals"
    )

    @api.depends("action", "line_ids.unit_amount")
    def _compute_display_name(self):
        actions = dict(self._fields["action"]._description_selection(self.env))
        for wizard in self:
            # (no f-string inside the translated call: term extraction would fail)
            hours = billing.fmt_quantity(sum(wizard.line_ids.mapped("unit_amount")))
            wizard.display_name = self.env._(
                "%(action)s: %(hours)s h of time",
                action=actions.get(wizard.action, ""),
                hours=hours,
            )

    @api.depends("line_ids")
    def _compute_partner_id(self):
        for wizard in self:
            clients = wizard.line_ids.ticket_id.commercial_partner_id
            wizard.partner_id = clients if len(clients) == 1 else False

    @api.depends("product_id")
    def _compute_price_unit(self):
        for wizard in self:
            wizard.price_unit = wizard.product_id.lst_price

    @api.depends("line_ids")
    def _compute_totals(self):
        for wizard in self:
            lines = wizard.line_ids
            wizard.hours = sum(lines.mapped("unit_amount"))
            wizard.currency_id = (
                lines[:1].msp_currency_id or self.env.company.currency_id
            )
            wizard.amount_at_stake = sum(lines.mapped("msp_amount_at_stake"))

    def action_apply(self):
        self.ensure_one()
        lines = self.line_ids
        if self.action == "assign":
            lines.action_msp_assign_agreement(self.agreement_id.id)
        elif self.action == "non_billable":
            lines.action_msp_mark_non_billable(self.reason)
        else:
            lines.action_msp_bill_time_materials(self.product_id.id, self.price_unit)
        return {"type": "ir.actions.client", "tag": "soft_reload"}
