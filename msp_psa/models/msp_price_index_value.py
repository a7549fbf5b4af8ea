# Copyright 2026 msp_psa authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import math

from odoo import api, fields, models
from odoo.exceptions import ValidationError

from ..tools import labels


class MspPriceIndexValue(models.Model):
    """One value of a price index, in force from its date until the next one.
    Imported from a CSV (index, date, value) with the standard import."""

    _name = "msp.price.index.value"
    _description = "MSP Price Index Value"
    _order = "index_id, date desc"

    index_id = fields.Many2one(
        "msp.price.index", required=True, ondelete="cascade", index=True
    )
    company_id = fields.Many2one(related="index_id.company_id", store=True)
    date = fields.Date(required=True, help="The value is in force from this date.")
    value = fields.Float(required=True, digits=(16, 4))

    _sql_constraints = [
        (
            "index_date_uniq",
            "unique(index_id, date)",
            "This index already has a value on this date.",
        ),
    ]

    @api.depends("index_id.name", "date", "value")
    def _compute_display_name(self):
        for row in self:
            value = f"{row.value:g}"
            row.display_name = self.env._(
                "%(index)s: %(value)s on %(date)s",
                index=row.index_id.name or "",
                value=value,
                date=labels.fmt_date(row.date) if row.date else "",
            )

    @api.constrains("value")
    def _check_value(self):
        for row in self:
            if not math.isfinite(row.value) or row.value <= 0:
                raise ValidationError(
                    self.env._(
                        "%(index)s on %(date)s: an index value is a number above "
                        "zero, not %(value)s.",
                        index=row.index_id.name,
                        date=row.date,
                        value=row.value,
                    )
                )
