# Copyright 2026 msp_psa authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import api, fields, models

COST_GROUPS = (
    "msp_psa.group_msp_psa_manager,account.group_account_readonly,"
    "account.group_account_invoice"
)


class MspAgreementAddition(models.Model):
    """An addition's unit cost is dated: ``cost_unit`` is the cost in force
    today, and each change is logged from a date (today, or the context's
    ``msp_cost_date``) in :class:`msp.agreement.addition.cost`."""

    _inherit = "msp.agreement.addition"  # pylint: disable=consider-merging-classes-inherited

    cost_history_ids = fields.One2many(
        "msp.agreement.addition.cost",
        "addition_id",
        string="Unit Cost History",
        groups=COST_GROUPS,
    )

    @api.model_create_multi
    def create(self, vals_list):
        additions = super().create(vals_list)
        if not self.env.context.get("msp_cost_sync"):
            self.env["msp.agreement.addition.cost"].sudo().with_context(
                msp_cost_sync=True
            ).create(
                [
                    {
                        "addition_id": addition.id,
                        "date_from": addition.date_start,
                        "cost_unit": addition.cost_unit,
                    }
                    for addition in additions
                    if addition.date_start
                ]
            )
        return additions

    def write(self, vals):
        result = super().write(vals)
        if "cost_unit" in vals and not self.env.context.get("msp_cost_sync"):
            day = self.env.context.get("msp_cost_date") or fields.Date.context_today(
                self
            )
            self._msp_log_cost(fields.Date.to_date(day))
            # A cost from a later day leaves today's in force.
            self._msp_sync_cost_unit()
        return result

    def _msp_log_cost(self, day):
        """Log each addition's current ``cost_unit`` from ``day`` (replacing a
        log entry of that day)."""
        Cost = (
            self.env["msp.agreement.addition.cost"]
            .sudo()
            .with_context(msp_cost_sync=True)
        )
        existing = Cost.search(
            [("addition_id", "in", self.ids), ("date_from", "=", day)]
        )
        by_addition = {cost.addition_id: cost for cost in existing}
        to_create = []
        for addition in self:
            if addition in by_addition:
                by_addition[addition].cost_unit = addition.cost_unit
            else:
                to_create.append(
                    {
                        "addition_id": addition.id,
                        "date_from": day,
                        "cost_unit": addition.cost_unit,
                    }
                )
        Cost.create(to_create)

    def _msp_sync_cost_unit(self):
        """``cost_unit`` := the logged cost in force today."""
        if self.env.context.get("msp_cost_sync"):
            return
        today = fields.Date.context_today(self)
        costs = self.env["msp.agreement.addition.cost"]._msp_cost_at(self, today)
        for addition in self:
            if addition.cost_unit != costs[addition.id]:
                addition.with_context(msp_cost_sync=True).cost_unit = costs[addition.id]
