# Copyright 2026 msp_psa authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import api, fields, models


class MspBillingPreviewLine(models.TransientModel):
    _name = "msp.billing.preview.line"
    _description = "MSP Invoice Preview Line"

    preview_id = fields.Many2one(
        "msp.billing.preview", required=True, ondelete="cascade"
    )
    currency_id = fields.Many2one(related="preview_id.currency_id")
    display_type = fields.Selection(
        [
            ("product", "Product"),
            ("line_section", "Section"),
            ("line_note", "Note"),
        ],
        default="product",
        required=True,
    )
    name = fields.Text(string="Description")
    product_id = fields.Many2one("product.product")
    quantity = fields.Float(digits="Product Unit of Measure")
    price_unit = fields.Float(string="Unit Price", digits="Product Price")
    monthly_price = fields.Float(
        digits="Product Price",
        help="The monthly price the line bills (the price in force on its days; "
        "of a price change, the new price).",
    )
    subtotal = fields.Monetary(compute="_compute_subtotal")
    start_date = fields.Date()
    end_date = fields.Date()

    @api.depends("name", "product_id.display_name")
    def _compute_display_name(self):
        for line in self:
            line.display_name = (line.name or "").split("\n")[0] or (
                line.product_id.display_name or self.env._("Invoice line")
            )

    @api.depends("quantity", "price_unit")
    def _compute_subtotal(self):
        for line in self:
            line.subtotal = line.currency_id.round(line.quantity * line.price_unit)
