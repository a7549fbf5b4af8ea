# Copyright 2026 msp_psa authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import api, fields, models
from odoo.exceptions import ValidationError

TARGET_HELP = (
    "In percent of capacity (calendar hours less leave and public holidays); "
    "0 means no target."
)


def check_targets(records, field_names):
    """A target is a share of capacity: from 0 to 100 %."""
    for record in records:
        for name in field_names:
            value = record[name]
            if value < 0 or value > 100:
                raise ValidationError(
                    record.env._(
                        "%(field)s of %(record)s must be between 0 and 100 %% "
                        "(not %(value)s).",
                        field=record._fields[name].get_description(record.env)[
                            "string"
                        ],
                        record=record.display_name,
                        value=value,
                    )
                )


class HrJob(models.Model):
    _inherit = "hr.job"

    msp_utilisation_target = fields.Float(
        string="Utilisation Target (%)", help=TARGET_HELP
    )
    msp_billable_target = fields.Float(string="Billable Target (%)", help=TARGET_HELP)

    @api.constrains("msp_utilisation_target", "msp_billable_target")
    def _check_msp_targets(self):
        check_targets(self, ("msp_utilisation_target", "msp_billable_target"))
