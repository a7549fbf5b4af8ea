# Copyright 2026 msp_psa authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import fields, models


class ResCompany(models.Model):
    _inherit = "res.company"

    msp_sla_policy_id = fields.Many2one(
        "msp.sla.policy",
        string="Default SLA Policy",
        help="SLA of tickets whose agreement has no policy of its own, and of "
        "tickets without an agreement.",
    )

    def write(self, vals):
        res = super().write(vals)
        if "msp_sla_policy_id" in vals:
            self.env["helpdesk.ticket"]._msp_sla_schedule_check(
                [
                    ("company_id", "in", self.ids),
                    ("msp_agreement_id.sla_policy_id", "=", False),
                ]
            )
        return res
