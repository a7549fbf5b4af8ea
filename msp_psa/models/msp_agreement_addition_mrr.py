# Copyright 2026 msp_psa authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import api, models

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

    _inherit = "msp.agreement.addition"

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
