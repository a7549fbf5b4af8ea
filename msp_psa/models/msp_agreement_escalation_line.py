# Copyright 2026 msp_psa authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import api, fields, models

COMPONENTS = [
    ("fee", "Monthly Fixed Fee"),
    ("block", "Block of Hours"),
    ("addition", "Addition"),
]


class MspAgreementEscalationLine(models.Model):
    """A price before and after one anniversary's escalation."""

    _name = "msp.agreement.escalation.line"
    _description = "MSP Price Escalation Line"
    _order = "escalation_id, sequence, id"

    escalation_id = fields.Many2one(
        "msp.agreement.escalation", required=True, ondelete="cascade", index=True
    )
    company_id = fields.Many2one(related="escalation_id.company_id", store=True)
    currency_id = fields.Many2one(related="escalation_id.currency_id")
    sequence = fields.Integer()
    component = fields.Selection(COMPONENTS, required=True)
    addition_id = fields.Many2one("msp.agreement.addition", ondelete="set null")
    name = fields.Char(string="Price", compute="_compute_name")
    # floats in the agreement's currency, as the row's amounts (see there)
    price_old = fields.Float(string="Before", digits=(16, 6))
    price_new = fields.Float(string="After", digits=(16, 6))

    @api.depends_context("lang")
    @api.depends("component", "addition_id")
    def _compute_name(self):
        labels = dict(self._fields["component"]._description_selection(self.env))
        for line in self:
            if line.component == "addition" and line.addition_id:
                line.name = line.addition_id.display_name
            else:
                line.name = labels.get(line.component, "")

    @api.depends("escalation_id", "name", "price_old", "price_new")
    def _compute_display_name(self):
        for line in self:
            old, new = f"{line.price_old:.2f}", f"{line.price_new:.2f}"
            line.display_name = self.env._(
                "%(escalation)s, %(price)s: %(old)s → %(new)s",
                escalation=line.escalation_id.agreement_id.name or "",
                price=line.name or "",
                old=old,
                new=new,
            )
