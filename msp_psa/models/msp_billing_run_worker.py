# Copyright 2026 msp_psa authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import api, fields, models


class MspBillingRunWorker(models.Model):
    """What one billing worker did in a run: one row per run and worker,
    written only by that worker (workers never write to the same row), in
    the same transaction as the batch it counts."""

    _name = "msp.billing.run.worker"
    _description = "MSP Billing Run Worker"
    _order = "run_id, worker"

    run_id = fields.Many2one(
        "msp.billing.run", required=True, ondelete="cascade", index=True
    )
    company_id = fields.Many2one(related="run_id.company_id", store=True)
    worker = fields.Integer(required=True, readonly=True)
    batch_count = fields.Integer(string="Batches", readonly=True)
    agreement_count = fields.Integer(string="Agreements", readonly=True)
    date_last = fields.Datetime(
        string="Last Batch", readonly=True, help="When its last batch was done."
    )
    query_count = fields.Integer(
        string="Queries",
        readonly=True,
        help="SQL queries its batches made (locking, billing, counting what is "
        "left), for the admin to compare runs: per agreement it should not grow "
        "with the size of the run.",
    )

    _sql_constraints = [
        (
            "run_worker_uniq",
            "UNIQUE(run_id, worker)",
            "A worker has one row per billing run.",
        )
    ]

    @api.depends("run_id.name", "worker")
    def _compute_display_name(self):
        for row in self:
            row.display_name = self.env._(
                "%(run)s: worker %(worker)s",
                run=row.run_id.name or "",
                worker=row.worker,
            )
