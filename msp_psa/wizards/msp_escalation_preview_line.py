# Copyright 2026 msp_psa authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import api, fields, models

from ..tools import labels


class MspEscalationPreviewLine(models.TransientModel):
    """One escalation of the dry run: an agreement's anniversary."""

    _name = "msp.escalation.preview.line"
    _description = "MSP Price Escalation Dry Run Line"
    _order = "anniversary, agreement_id"

    preview_id = fields.Many2one(
        "msp.escalation.preview", required=True, ondelete="cascade"
    )
    agreement_id = fields.Many2one("msp.agreement", readonly=True)
    partner_id = fields.Many2one(related="agreement_id.partner_id", string="Client")
    currency_id = fields.Many2one(related="agreement_id.currency_id")
    anniversary = fields.Date(readonly=True)
    percent = fields.Float(string="Change (%)", digits=(16, 2), readonly=True)
    prices = fields.Text(string="Prices Before → After", readonly=True)
    mrr_old = fields.Monetary(string="MRR Before", readonly=True)
    mrr_new = fields.Monetary(string="MRR After", readonly=True)
    mrr_impact = fields.Monetary(
        string="MRR Impact", compute="_compute_mrr_impact", store=True
    )
    applicable = fields.Boolean(readonly=True)
    reason = fields.Char(string="Not Applied Because", readonly=True)
    due = fields.Boolean(readonly=True, help="The anniversary is today or past.")

    @api.depends("mrr_old", "mrr_new")
    def _compute_mrr_impact(self):
        for line in self:
            line.mrr_impact = line.mrr_new - line.mrr_old

    @api.depends("agreement_id.name", "anniversary")
    def _compute_display_name(self):
        for line in self:
            line.display_name = self.env._(
                "%(agreement)s on %(date)s",
                agreement=line.agreement_id.name or "",
                date=labels.fmt_date(line.anniversary) if line.anniversary else "",
            )
