# Copyright 2026 msp_psa authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import api, fields, models


class AccountAnalyticLine(models.Model):
    _inherit = "account.analytic.line"

    msp_agreement_id = fields.Many2one(
        "msp.agreement",
        string="MSP Agreement",
        compute="_compute_msp_agreement_id",
        store=True,
        readonly=False,
        index="btree_not_null",
        help="The agreement this time is logged under; follows the ticket's agreement.",
    )
    msp_work_type_id = fields.Many2one(
        "msp.work.type",
        string="Work Type",
        help="Decides, with the agreement's labour rates, whether and at what rate "
        "this time is billed.",
    )
    msp_invoice_line_id = fields.Many2one(
        "account.move.line",
        string="MSP Invoice Line",
        index="btree_not_null",
        copy=False,
        readonly=True,
        ondelete="set null",
        help="The invoice line that billed this time.",
    )

    @api.depends("ticket_id.msp_agreement_id")
    def _compute_msp_agreement_id(self):
        for line in self:
            if line.ticket_id:
                line.msp_agreement_id = line.ticket_id.msp_agreement_id
