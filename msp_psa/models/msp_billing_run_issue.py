# Copyright 2026 msp_psa authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import api, fields, models


class MspBillingRunIssue(models.Model):
    """What a billing run could not do, or wants a person to look at."""

    _name = "msp.billing.run.issue"
    _description = "MSP Billing Run Issue"
    _order = "run_id, id"

    run_id = fields.Many2one(
        "msp.billing.run", required=True, ondelete="cascade", index=True
    )
    company_id = fields.Many2one(related="run_id.company_id", store=True)
    agreement_id = fields.Many2one("msp.agreement", ondelete="cascade", index=True)
    partner_id = fields.Many2one(related="agreement_id.partner_id", string="Client")
    level = fields.Selection(
        [("error", "Failed"), ("warning", "To review")], required=True, default="error"
    )
    message = fields.Text(required=True)

    @api.depends("run_id.name", "agreement_id.name", "level")
    def _compute_display_name(self):
        levels = dict(self._fields["level"]._description_selection(self.env))
        for issue in self:
            issue.display_name = self.env._(
                "%(run)s: %(what)s (%(level)s)",
                run=issue.run_id.name or "",
                what=issue.agreement_id.name or self.env._("the run"),
                level=levels.get(issue.level, ""),
            )
