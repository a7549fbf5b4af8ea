# Copyright 2026 msp_psa authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import api, fields, models


class MspProfitabilityCheckLine(models.TransientModel):
    """An agreement (or the unattributed row) of a profitability check: what
    the report says and what the books attribute to it."""

    _name = "msp.profitability.check.line"
    _description = "MSP Profitability Check Row"
    _order = "agreement_id"

    check_id = fields.Many2one(
        "msp.profitability.check", required=True, ondelete="cascade"
    )
    currency_id = fields.Many2one(related="check_id.currency_id")
    agreement_id = fields.Many2one("msp.agreement", readonly=True)
    report_revenue = fields.Monetary(readonly=True)
    ledger_revenue = fields.Monetary(string="Books' Revenue", readonly=True)
    report_cost = fields.Monetary(string="Report's Vendor Bills", readonly=True)
    ledger_cost = fields.Monetary(string="Books' Cost of Sales", readonly=True)
    difference = fields.Monetary(compute="_compute_difference", store=True)
    differs = fields.Boolean(compute="_compute_difference", store=True)

    @api.depends("report_revenue", "ledger_revenue", "report_cost", "ledger_cost")
    def _compute_difference(self):
        for line in self:
            currency = line.currency_id or self.env.company.currency_id
            line.difference = currency.round(
                (line.ledger_revenue - line.report_revenue)
                - (line.ledger_cost - line.report_cost)
            )
            line.differs = not currency.is_zero(
                line.ledger_revenue - line.report_revenue
            ) or not currency.is_zero(line.ledger_cost - line.report_cost)

    @api.depends("agreement_id")
    def _compute_display_name(self):
        for line in self:
            line.display_name = (
                line.agreement_id.display_name
                if line.agreement_id
                else self.env._("Unattributed")
            )
