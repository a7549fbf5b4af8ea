# Copyright 2026 msp_psa authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import fields, models


class MspAgreement(models.Model):
    _inherit = "msp.agreement"

    def action_cancel(self):
        res = super().action_cancel()
        self._msp_revenue_stop()
        return res

    def action_expire(self):
        res = super().action_expire()
        self._msp_revenue_stop()
        return res

    def _msp_revenue_stop(self):
        """An agreement that ends early delivers nothing more: the revenue still
        deferred on its invoices is recognised in the month it ends. A credit
        note for the unused months, posted afterwards, takes it back in its own
        month (see ``msp.revenue.schedule._prepare_from_move_line``)."""
        schedules = (
            self.env["msp.revenue.schedule"]
            .sudo()
            .search([("agreement_id", "in", self.ids), ("state", "=", "running")])
        )
        schedules._accelerate(fields.Date.context_today(self))
