# Copyright 2026 msp_psa authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from collections import defaultdict

from odoo import api, models

# While the MRR movement is refreshed, the quantity log of a batch of
# additions is read once (not once per month): {addition id: steps}.
STEPS_MEMO = "msp.mrr.quantity_steps"

# Addition fields that change what its agreement's MRR was on a day.
MRR_HISTORY_FIELDS = {
    "agreement_id",
    "recurrence",
    "quantity",
    "included_quantity",
    "price_unit",
    "date_start",
    "date_end",
    "quantity_source",
    "kind_id",
}


class MspAgreementAddition(models.Model):
    """Refresh the MRR movement of an addition's agreement when the addition
    changes."""

    _inherit = "msp.agreement.addition"  # pylint: disable=consider-merging-classes-inherited

    @api.model_create_multi
    def create(self, vals_list):
        additions = super().create(vals_list)
        self.env["msp.mrr.month"]._msp_schedule_refresh(additions.agreement_id.ids)
        return additions

    def write(self, vals):
        if MRR_HISTORY_FIELDS & vals.keys():
            self.env["msp.mrr.month"]._msp_schedule_refresh(self.agreement_id.ids)
        res = super().write(vals)
        if "agreement_id" in vals:
            self.env["msp.mrr.month"]._msp_schedule_refresh(self.agreement_id.ids)
        return res

    def unlink(self):
        self.env["msp.mrr.month"]._msp_schedule_refresh(self.agreement_id.ids)
        return super().unlink()

    def _read_quantity_steps(self):
        """The one reader of the quantity log, read once per batch while the
        MRR movement is refreshed (``msp.mrr.month._refresh_chunk``, which
        reads the MRR of every month of the batch)."""
        memo = self.env.cr.cache.get(STEPS_MEMO)
        if memo is None:
            return super()._read_quantity_steps()
        missing = self.browse([i for i in self.ids if i and i not in memo])
        if missing:
            read = super(MspAgreementAddition, missing)._read_quantity_steps()
            for addition_id in missing.ids:
                memo[addition_id] = read.get(addition_id, [])
        steps = defaultdict(list)
        for addition_id in self.ids:
            if memo.get(addition_id):
                steps[addition_id] = memo[addition_id]
        return steps
