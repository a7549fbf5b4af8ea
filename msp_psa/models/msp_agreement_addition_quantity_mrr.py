# Copyright 2026 msp_psa authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import api, models


class MspAgreementAdditionQuantity(models.Model):
    """A dated quantity changes its agreement's MRR from its date on."""

    _inherit = "msp.agreement.addition.quantity"

    @api.model_create_multi
    def create(self, vals_list):
        entries = super().create(vals_list)
        self.env["msp.mrr.month"]._msp_schedule_refresh(entries.agreement_id.ids)
        return entries
