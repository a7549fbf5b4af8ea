# Copyright 2026 msp_psa authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import api, fields, models
from odoo.exceptions import ValidationError

# Bounds of the "Workers (billing, recognition, SLA)" setting.
MIN_WORKERS, MAX_WORKERS = 1, 16


# One concern per file, on purpose (issue 15): the worker crons shared by
# billing, revenue recognition and the SLA check.
class ResCompany(models.Model):
    _inherit = "res.company"  # pylint: disable=consider-merging-classes-inherited

    msp_billing_workers = fields.Integer(
        string="Workers (Billing, Recognition, SLA)",
        default=1,
        help="How many scheduled actions share the nightly billing run, the "
        "daily revenue recognition and the SLA check, each on a cron thread "
        "of its own (on this server or another one sharing the database). 1: "
        "each job's own scheduled action does all its work.",
    )

    @api.constrains("msp_billing_workers")
    def _check_msp_billing_workers(self):
        for company in self:
            if not MIN_WORKERS <= company.msp_billing_workers <= MAX_WORKERS:
                raise ValidationError(
                    self.env._(
                        "Workers (billing, recognition, SLA) must be between "
                        "%(low)s and %(high)s "
                        "(%(company)s: %(value)s).",
                        low=MIN_WORKERS,
                        high=MAX_WORKERS,
                        company=company.name,
                        value=company.msp_billing_workers,
                    )
                )

    @api.model_create_multi
    def create(self, vals_list):
        companies = super().create(vals_list)
        if any(vals.get("msp_billing_workers", 1) > 1 for vals in vals_list):
            self.env["msp.billing.run"]._sync_worker_crons()
        return companies

    def write(self, vals):
        res = super().write(vals)
        if "msp_billing_workers" in vals:
            self.env["msp.billing.run"]._sync_worker_crons()
        return res
