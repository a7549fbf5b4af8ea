# Copyright 2026 msp_psa authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import fields, models


class MspManagedItemKind(models.Model):
    """What a managed item is: a workstation, a server, a Microsoft 365 seat..."""

    _name = "msp.managed.item.kind"
    _description = "Managed Item Kind"
    _order = "category, sequence, name"

    name = fields.Char(required=True, translate=True)
    code = fields.Char(
        required=True,
        help="Stable identifier used by integrations (RMM, Microsoft 365 sync) to name "
        "the kind.",
    )
    category = fields.Selection(
        [("device", "Device"), ("user", "User / Licence")],
        required=True,
        default="device",
        help="Per-device additions count devices, per-user additions count users and "
        "licences.",
    )
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)

    _sql_constraints = [
        (
            "code_uniq",
            "unique(code)",
            "The code of a managed item kind must be unique.",
        ),
    ]
