# Copyright 2026 msp_psa authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import fields, models


class MspWorkType(models.Model):
    """A kind of labour (remote support, onsite visit, project work...).

    Agreements say per work type whether the work is covered by the fee and
    at which rate it is billed otherwise.
    """

    _name = "msp.work.type"
    _description = "MSP Work Type"
    _order = "sequence, name"

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    product_id = fields.Many2one(
        "product.product",
        string="Default Labour Product",
        domain=[("type", "=", "service")],
        help="Product billed for this work when an agreement has no rate of its own.",
    )
    company_id = fields.Many2one("res.company")

    _sql_constraints = [
        (
            "name_company_uniq",
            "unique(name, company_id)",
            "A work type with this name already exists.",
        ),
    ]
