# Copyright 2026 msp_psa authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import api, fields, models

from ..tools import billing, labels


class MspAgreementAdditionQuantity(models.Model):
    """Dated log of an addition's quantity.

    From ``date`` on, the quantity is ``quantity_new``.

    Entries are written by the system only (a manual change, a recount, an
    API call); nobody edits or deletes them, so billing can always explain a
    quantity. The entry with the highest id wins among entries of one date.
    """

    _name = "msp.agreement.addition.quantity"
    _description = "MSP Addition Quantity Change"
    _order = "date desc, id desc"
    _rec_name = "addition_id"

    addition_id = fields.Many2one(
        "msp.agreement.addition", required=True, ondelete="cascade", index=True
    )
    agreement_id = fields.Many2one(
        related="addition_id.agreement_id", store=True, index=True
    )
    company_id = fields.Many2one(
        related="addition_id.company_id", store=True, index=True
    )
    partner_id = fields.Many2one(
        related="addition_id.partner_id", store=True, string="Client"
    )
    product_id = fields.Many2one(related="addition_id.product_id")
    date = fields.Date(string="Effective Date", required=True, index=True)
    quantity_old = fields.Float(string="Old Quantity", digits="Product Unit of Measure")
    quantity_new = fields.Float(string="New Quantity", digits="Product Unit of Measure")
    quantity_delta = fields.Float(
        string="Change",
        compute="_compute_quantity_delta",
        store=True,
        digits="Product Unit of Measure",
    )
    source = fields.Selection(
        [
            ("initial", "Initial quantity"),
            ("manual", "Manual change"),
            ("count", "Managed items count"),
            ("api", "External API"),
        ],
        required=True,
    )
    user_id = fields.Many2one(
        "res.users",
        string="Changed By",
        default=lambda self: self.env.user,
        required=True,
    )
    note = fields.Char()

    @api.model_create_multi
    def create(self, vals_list):
        entries = super().create(vals_list)
        # A quantity from a day on, back-dated or not: the next invoice settles
        # the periods billed from that day.
        days = {}
        for entry in entries:
            addition = entry.addition_id
            days[addition] = min(days.get(addition, entry.date), entry.date)
        self.env["msp.agreement.addition"].sudo()._msp_changed_from(days)
        return entries

    @api.depends("quantity_old", "quantity_new")
    def _compute_quantity_delta(self):
        for entry in self:
            entry.quantity_delta = entry.quantity_new - entry.quantity_old

    @api.depends(
        "agreement_id.name",
        "product_id.display_name",
        "date",
        "quantity_old",
        "quantity_new",
    )
    def _compute_display_name(self):
        for entry in self:
            entry.display_name = self.env._(
                "%(agreement)s, %(product)s: %(old)s → %(new)s from %(date)s",
                agreement=entry.agreement_id.name or "",
                product=entry.product_id.display_name or "",
                old=billing.fmt_quantity(entry.quantity_old),
                new=billing.fmt_quantity(entry.quantity_new),
                date=labels.fmt_date(entry.date) if entry.date else "",
            )
