# Copyright 2026 msp_psa authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import api, fields, models

# Agreement fields that change what its MRR was on a day, or how its
# movement rows are grouped.
MRR_HISTORY_FIELDS = {
    "state",
    "active",
    "date_start",
    "date_end",
    "term_months",
    "auto_renew",
    "fixed_fee",
    "block_hours",
    "block_price",
    "billing_cycle",
    "currency_id",
    "partner_id",
    "company_id",
    "billing_model",
    "user_id",
}


class MspAgreement(models.Model):
    """The dated state history of agreements, and the refresh of their MRR
    movement rows (``msp.mrr.month``) when their history changes."""

    _inherit = "msp.agreement"  # pylint: disable=consider-merging-classes-inherited

    state_log_ids = fields.One2many(
        "msp.agreement.state.log", "agreement_id", string="State History", readonly=True
    )

    @api.model_create_multi
    def create(self, vals_list):
        agreements = super().create(vals_list)
        agreements._msp_log_state()
        self.env["msp.mrr.month"]._msp_schedule_refresh(agreements.ids)
        return agreements

    def write(self, vals):
        changed = MRR_HISTORY_FIELDS & vals.keys()
        if "partner_id" in vals:
            # the former client's other agreements: their reactivations change
            self.env["msp.mrr.month"]._msp_schedule_refresh(
                self.sudo()
                .with_context(active_test=False)
                .search([("partner_id", "in", self.partner_id.ids)])
                .ids
            )
        before = {a: a.state for a in self} if "state" in vals else {}
        res = super().write(vals)
        if before:
            self.filtered(lambda a: a.state != before[a])._msp_log_state()
        if changed:
            self.env["msp.mrr.month"]._msp_schedule_refresh(self.ids)
        return res

    def _msp_log_state(self):
        """Log the agreements' current state from today."""
        today = fields.Date.context_today(self)
        self.env["msp.agreement.state.log"].sudo().create(
            [
                {"agreement_id": agreement.id, "date": today, "state": agreement.state}
                for agreement in self
            ]
        )
