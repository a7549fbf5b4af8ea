# Copyright 2026 msp_psa authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import fields, models


class AccountMove(models.Model):
    _inherit = "account.move"

    msp_agreement_id = fields.Many2one(
        "msp.agreement",
        string="MSP Agreement",
        index="btree_not_null",
        copy=False,
        readonly=True,
        ondelete="restrict",
        check_company=True,
    )
