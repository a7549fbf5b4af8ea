# Copyright 2026 msp_psa authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import api, models


class AccountAnalyticPlan(models.Model):
    _inherit = "account.analytic.plan"

    @api.model
    def _msp_agreement_plan(self):
        """The plan 'MSP Agreements' (created by the module; again if deleted)."""
        plan = self.env.ref("msp_psa.analytic_plan_msp_agreements", False)
        if not plan:
            plan = self.create({"name": self.env._("MSP Agreements")})
            self.env["ir.model.data"].create(
                {
                    "module": "msp_psa",
                    "name": "analytic_plan_msp_agreements",
                    "model": plan._name,
                    "res_id": plan.id,
                    "noupdate": True,
                }
            )
        return plan
