# Copyright 2026 msp_psa authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import api, fields, models


class MspUsageSignalDismiss(models.TransientModel):
    """Dismiss usage signals with a reason: their episodes are not raised again."""

    _name = "msp.usage.signal.dismiss"
    _description = "Dismiss Usage Signals"

    signal_ids = fields.Many2many("msp.usage.signal", string="Signals", required=True)
    reason = fields.Text(required=True)

    @api.depends("signal_ids")
    def _compute_display_name(self):
        for wizard in self:
            count = len(wizard.signal_ids)
            wizard.display_name = (
                self.env._("Dismiss %(signal)s", signal=wizard.signal_ids.display_name)
                if count == 1
                else self.env._("Dismiss %(count)s usage signals", count=count)
            )

    def action_dismiss(self):
        self.ensure_one()
        self.signal_ids.dismiss(self.reason)
        return {"type": "ir.actions.act_window_close"}
