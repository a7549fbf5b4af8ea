# Copyright 2026 msp_psa authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import logging
import time

from odoo import api, models

from ..tools import worker_job

_logger = logging.getLogger(__name__)

# One pending job per worker number (queue_job's identity_key): starting the
# workers again while their jobs wait adds none.
BILLING_KEY = "msp_psa_queue.billing.worker.%s"


class MspBillingRun(models.Model):
    """The nightly run's batches as queue jobs on ``root.msp.billing``.

    msp_psa spreads a run over the company's *Workers* worker crons; with
    queue_job installed the main cron enqueues that many jobs instead (one
    job at the setting 1: every run then goes through jobs, retried by
    queue_job and listed in its Jobs view), and the worker crons stay
    inactive. A job is the same worker as a cron: it takes batches of the
    running scheduled runs under ``FOR UPDATE SKIP LOCKED``, commits batch by
    batch and counts them on the run's worker rows; when its time budget ends
    with work left, it enqueues its successor."""

    _inherit = "msp.billing.run"

    # ------------------------------------------------------------------
    # Starting the workers
    # ------------------------------------------------------------------
    def _msp_use_workers(self):
        # At the setting 1 the run goes to one job too, instead of being
        # billed in the main cron.
        return True

    def _start_workers(self):
        """Enqueue one job per worker of the run's company (at least one)."""
        self.ensure_one()
        workers = max(self.company_id.msp_billing_workers, 1)
        for worker in range(1, workers + 1):
            self._msp_delay_billing(worker)
        _logger.info("Billing run %s: %s worker jobs enqueued", self.name, workers)

    @api.model
    def _msp_delay_billing(self, worker, **kwargs):
        """Enqueue worker ``worker``'s job, unless one is already waiting."""
        # sudo: a worker is the engine, as the worker crons (run as the main
        # cron's user) are; what it does is recorded on the run.
        return (
            self.env[self._name]
            .sudo()
            .with_delay(
                description=self.env._("MSP billing: worker %(worker)s", worker=worker),
                identity_key=BILLING_KEY % worker,
            )
            ._msp_job_billing(worker, **kwargs)
        )

    @api.model
    def _sync_worker_crons(self):
        """With queue_job the jobs do the work: every worker cron stays
        inactive (the uninstall hook gives msp_psa its crons back)."""
        if self.env.context.get("msp_queue_uninstall"):
            return super()._sync_worker_crons()
        for cron in self._worker_crons().values():
            if cron.active:
                cron.active = False

    # ------------------------------------------------------------------
    # The job
    # ------------------------------------------------------------------
    @api.model
    def _msp_job_billing(self, worker, batch_size=200, time_budget=120.0):
        """MSP billing worker (queue job): bill batches of the running
        scheduled runs for ``time_budget`` seconds, as worker ``worker``; if
        work is left then, enqueue the successor. A lock conflict with another
        worker is retried by queue_job (the function's retry pattern)."""
        return worker_job.perform(
            self.env,
            self.env._("Billing worker %(worker)s", worker=worker),
            lambda: self._msp_work_billing_job(worker, batch_size, time_budget),
            lambda: self._msp_delay_billing(
                worker, batch_size=batch_size, time_budget=time_budget
            ),
            time_budget,
        )

    @api.model
    def _msp_work_billing_job(self, worker, batch_size, time_budget):
        """msp_psa's worker body (the companies using more than one worker);
        job 1 also bills the runs of the companies using one, which their
        main cron hands to it. Returns how many agreements are still due."""
        started = time.monotonic()
        remaining = self._msp_work_billing(
            worker, batch_size=batch_size, time_budget=time_budget
        )
        if worker != 1:
            return remaining
        runs = self.search(
            [
                ("state", "=", "running"),
                ("trigger", "=", "cron"),
                ("company_id.msp_billing_workers", "<=", 1),
            ],
            order="id",
        )
        for run in runs:
            budget = max(time_budget - (time.monotonic() - started), 1e-6)
            remaining += (
                run.with_company(run.company_id)
                .with_context(msp_billing_worker=1)
                ._run(batch_size=batch_size, time_budget=budget)
            )
        return remaining
