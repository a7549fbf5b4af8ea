# Copyright 2026 msp_psa authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import api, models

from ..tools import worker_job

# One pending job per worker number (queue_job's identity_key).
SLA_KEY = "msp_psa_queue.sla.worker.%s"


class HelpdeskTicket(models.Model):
    """The SLA check as queue jobs on ``root.msp.sla``: when tickets or
    escalation steps of companies using more than one worker are due, the
    SLA cron enqueues one job per worker (the largest *Workers* setting)
    instead of waking the worker crons; a job takes batches under ``FOR
    UPDATE SKIP LOCKED`` as msp_psa's workers do, and enqueues its successor
    when its time budget ends with work left. The companies using one worker
    keep their check in the SLA cron (every 5 minutes), as in msp_psa."""

    _inherit = "helpdesk.ticket"

    @api.model
    def _msp_start_sla_workers(self):
        """Enqueue jobs 1 to the largest setting of the companies using more
        than one worker, unless they wait already."""
        for worker in range(1, self._msp_sla_worker_count() + 1):
            self._msp_delay_sla(worker)

    @api.model
    def _msp_delay_sla(self, worker, **kwargs):
        # sudo: the engine's work, as the SLA cron's (run as root).
        return (
            self.env[self._name]
            .sudo()
            .with_delay(
                description=self.env._(
                    "MSP SLA check: worker %(worker)s", worker=worker
                ),
                identity_key=SLA_KEY % worker,
            )
            ._msp_job_sla(worker, **kwargs)
        )

    @api.model
    def _msp_job_sla(self, worker, batch_size=500, time_budget=120.0):
        """MSP SLA check (queue job): refresh the due tickets and raise the
        due escalation steps of the companies using at least ``worker``
        workers, for ``time_budget`` seconds; if some are left then, enqueue
        the successor. A lock conflict is retried by queue_job."""
        return worker_job.perform(
            self.env,
            self.env._("SLA check worker %(worker)s", worker=worker),
            lambda: self._msp_work_sla(
                worker, batch_size=batch_size, time_budget=time_budget
            ),
            lambda: self._msp_delay_sla(
                worker, batch_size=batch_size, time_budget=time_budget
            ),
            time_budget,
        )
