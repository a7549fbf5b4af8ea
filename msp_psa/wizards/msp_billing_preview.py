# Copyright 2026 msp_psa authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import Command, api, fields, models

from ..tools import validate


class MspBillingPreview(models.TransientModel):
    """The invoice the next run would create for an agreement; nothing is created."""

    _name = "msp.billing.preview"
    _description = "MSP Invoice Preview"

    agreement_id = fields.Many2one("msp.agreement", required=True, readonly=True)
    currency_id = fields.Many2one(related="agreement_id.currency_id")
    date = fields.Date(string="Invoice Date", readonly=True)
    move_type = fields.Selection(
        [("out_invoice", "Invoice"), ("out_refund", "Credit Note")], readonly=True
    )
    periods = fields.Char(readonly=True)
    message = fields.Text(readonly=True)
    line_ids = fields.One2many("msp.billing.preview.line", "preview_id", readonly=True)
    amount_untaxed = fields.Monetary(compute="_compute_amount_untaxed")

    @api.model_create_multi
    def create(self, vals_list):
        with validate.user_errors(self.env):
            for vals in vals_list:
                if "date" in vals:
                    vals["date"] = validate.to_date(
                        vals["date"], self.env._("Invoice preview date")
                    )
                if "agreement_id" in vals:
                    vals["agreement_id"] = validate.to_id(
                        vals["agreement_id"], self.env._("Invoice preview agreement")
                    )
        return super().create(vals_list)

    @api.depends("agreement_id.display_name")
    def _compute_display_name(self):
        for preview in self:
            preview.display_name = self.env._(
                "Next invoice of %(agreement)s",
                agreement=preview.agreement_id.display_name or "",
            )

    @api.depends("line_ids.subtotal")
    def _compute_amount_untaxed(self):
        for preview in self:
            preview.amount_untaxed = sum(preview.line_ids.mapped("subtotal"))

    @api.model
    def _prepare_preview_vals(
        self, agreement, date_ref, invoice_vals, periods=(), warnings=()
    ):
        vals = {
            "agreement_id": agreement.id,
            "date": invoice_vals["invoice_date"] if invoice_vals else date_ref,
            "move_type": invoice_vals["move_type"] if invoice_vals else "out_invoice",
            "periods": ", ".join(
                agreement._period_label(date_from, date_to)
                for date_from, date_to, _d in periods
            ),
        }
        if not periods:
            vals["message"] = self.env._(
                "Nothing is due: the next invoice date is %(date)s.",
                date=agreement.next_invoice_date or self.env._("none"),
            )
        elif not invoice_vals:
            vals["message"] = self.env._("These periods have nothing to invoice.")
        if warnings:
            vals["message"] = "\n".join(filter(None, [vals.get("message"), *warnings]))
        # Line for line what the invoice (or credit note) will say.
        vals["line_ids"] = [
            Command.create(
                {
                    "display_type": line.get("display_type") or "product",
                    "name": line["name"],
                    "product_id": line.get("product_id"),
                    "quantity": line.get("quantity", 0.0),
                    "price_unit": line.get("price_unit", 0.0),
                    "monthly_price": line.get("msp_unit_price", 0.0),
                    "start_date": line.get("start_date"),
                    "end_date": line.get("end_date"),
                }
            )
            for _cmd, _id, line in (invoice_vals or {}).get("invoice_line_ids", [])
        ]
        return vals
