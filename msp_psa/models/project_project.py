# Copyright 2026 msp_psa authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import fields, models


class ProjectProject(models.Model):
    _inherit = "project.project"

    msp_agreement_id = fields.Many2one(
        "msp.agreement",
        string="MSP Agreement",
        index="btree_not_null",
        tracking=True,
        help="Time logged on this project's tasks is billed under this agreement "
        "(time logged on a ticket follows the ticket's agreement).",
    )

    def write(self, vals):
        res = super().write(vals)
        if "msp_agreement_id" in vals:
            self.env["account.analytic.line"].sudo().search(
                [
                    ("project_id", "in", self.ids),
                    ("ticket_id", "=", False),
                    ("msp_invoice_line_id", "=", False),
                ]
            )._msp_split_block_hours()
        return res
