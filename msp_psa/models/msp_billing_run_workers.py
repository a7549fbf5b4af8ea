# Copyright 2026 msp_psa authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import logging
import time

from odoo import api, fields, models
from odoo.tools import SQL

_logger = logging.getLogger(__name__)

# The worker crons are recognised by their code.
WORKER_CODE = "model._cron_billing_worker(%s)"


# One concern per file, on purpose (issue 15): the nightly run spread over
# several scheduled actions, which Odoo runs on its cron threads in parallel
# (one cron row runs on one thread at a time, hence one row per worker).
class MspBillingRun(models.Model):
    _inherit = "msp.billing.run"  # pylint: disable=consider-merging-classes-inherited

    worker_ids = fields.One2many("msp.billing.run.worker", "run_id", readonly=True)
    due_count = fields.Integer(
        string="Still Due",
        compute="_compute_due_count",
        help="Agreements of the run's company still due at its date (failed "
        "ones excluded).",
    )
    progress = fields.Float(
        compute="_compute_due_count",
        digits=(16, 0),
        help="Agreements processed out of processed plus still due.",
    )

    @api.depends("state", "date", "company_id")
    def _compute_due_count(self):
        for run in self:
            due = 0
            if run.state == "running" and run.id:
                failed = set(
                    run.issue_ids.filtered(
                        lambda i: i.level == "error"
                    ).agreement_id.ids
                )
                due = run._count_due(failed, None)
            run.due_count = due
            total = run.agreement_count + due
            run.progress = 100.0 * run.agreement_count / total if total else 100.0

    # ------------------------------------------------------------------
    # Worker crons
    # ------------------------------------------------------------------
    @api.model
    def _worker_crons(self):
        """The worker crons, active or not, by worker number."""
        crons = (
            self.env["ir.cron"]
            .sudo()
            .with_context(active_test=False)
            .search(
                [
                    ("model_id.model", "=", self._name),
                    ("code", "=like", WORKER_CODE % "%"),
                ]
            )
        )
        by_worker = {}
        for cron in crons:
            try:
                worker = int(cron.code.strip()[len(WORKER_CODE % "") - 1 : -1])
            except ValueError:
                continue
            by_worker[worker] = cron
        return by_worker

    @api.model
    def _sync_worker_crons(self):
        """One active cron per worker up to the largest company setting; none
        when every company bills with one worker (the main cron does it)."""
        companies = self.env["res.company"].sudo().search([])
        wanted = max(companies.mapped("msp_billing_workers") or [1])
        if wanted < 2:
            wanted = 0
        crons = self._worker_crons()
        model = self.env["ir.model"]._get(self._name)
        main = self.env.ref(
            "msp_psa.ir_cron_generate_invoices", raise_if_not_found=False
        )
        to_create = []
        for worker in range(1, wanted + 1):
            cron = crons.get(worker)
            if cron and not cron.active:
                cron.active = True
            elif not cron:
                to_create.append(
                    {
                        "name": self.env._(
                            "MSP: billing worker %(worker)s", worker=worker
                        ),
                        "model_id": model.id,
                        "state": "code",
                        "code": WORKER_CODE % worker,
                        "user_id": main.user_id.id if main else self.env.uid,
                        "interval_number": 1,
                        "interval_type": "days",
                        "priority": 1,
                        "active": True,
                    }
                )
        if to_create:
            self.env["ir.cron"].sudo().create(to_create)
        for worker, cron in crons.items():
            if worker > wanted and cron.active:
                cron.active = False

    def _start_workers(self):
        """Wake the company's worker crons up: each takes batches of the run."""
        self.ensure_one()
        self._msp_start_worker_crons(self.company_id.msp_billing_workers)
        _logger.info(
            "Billing run %s: %s workers started",
            self.name,
            self.company_id.msp_billing_workers,
        )

    @api.model
    def _cron_billing_worker(self, worker, batch_size=200, time_budget=120.0):
        """Worker cron ``worker`` (code ``model._cron_billing_worker(N)``): its
        share of the billing run, then of the revenue recognition, then of
        the SLA check, of the companies using at least ``worker`` workers
        (and more than one: with one, each main job does its own work),
        within one time budget. Returns what is left in all three; the
        progress notified at the end is their sum, so Odoo runs the job again
        at once while something is left and some work was done
        (``_notify_progress``). ``batch_size`` is the billing run's; the
        recognition and the SLA check use their own defaults."""
        started = time.monotonic()
        totals = {"done": 0, "remaining": 0}

        def budget():
            # What is left of the budget (a sliver at least: one batch).
            return max(time_budget - (time.monotonic() - started), 1e-6)

        def account(remaining):
            totals["done"] += self._msp_progress_done()
            totals["remaining"] += remaining

        account(
            self._msp_work_billing(worker, batch_size=batch_size, time_budget=budget())
        )
        account(
            self.env["msp.revenue.schedule.line"]._msp_work_recognition(
                worker, time_budget=budget()
            )
        )
        account(self.env["helpdesk.ticket"]._msp_work_sla(worker, time_budget=budget()))
        self.env["ir.cron"]._notify_progress(
            done=totals["done"], remaining=totals["remaining"]
        )
        return totals["remaining"]

    @api.model
    def _msp_work_billing(self, worker, batch_size=200, time_budget=120.0):
        """Worker ``worker``: take batches of every running scheduled run whose
        company uses at least that many workers (and more than one), until
        nothing is due or the time budget ends; each batch is committed with
        the cron's progress. Returns how many agreements are still due."""
        runs = self.search(
            [
                ("state", "=", "running"),
                ("trigger", "=", "cron"),
                ("company_id.msp_billing_workers", ">=", max(worker, 2)),
            ],
            order="id",
        )
        started = time.monotonic()
        remaining = done = 0
        for run in runs:
            run = run.with_company(run.company_id).with_context(
                msp_billing_worker=worker
            )
            budget = max(time_budget - (time.monotonic() - started), 1e-6)
            remaining += run._run(batch_size=batch_size, time_budget=budget)
            done += self._msp_progress_done()
        self.env["ir.cron"]._notify_progress(done=done, remaining=remaining)
        return remaining

    @api.model
    def _msp_progress_done(self):
        """What the running cron job last notified as done (0 outside a cron
        job), then reset to nothing: the worker adds up its three parts."""
        progress_id = self.env.context.get("ir_cron_progress_id")
        if not progress_id:
            return 0
        progress = self.env["ir.cron.progress"].sudo().browse(progress_id)
        done = progress.done
        self.env["ir.cron"]._notify_progress(done=0, remaining=0)
        return done

    @api.model
    def _msp_start_worker_crons(self, workers):
        """Wake worker crons 1 to ``workers`` up (those that exist)."""
        crons = self._worker_crons()
        for worker in range(1, workers + 1):
            if worker in crons:
                crons[worker]._trigger()

    def _note_worker_batch(self, batch, queries_from=None):
        """Count a batch, and the queries it made (the cursor's count since
        ``queries_from``), on the worker's row of the run, in the batch's own
        transaction: what the row says was done is what was committed. The
        main cron of a company billing with one worker counts as worker 1."""
        worker = self.env.context.get("msp_billing_worker")
        if not worker:
            return
        # What the ORM still holds is written now (not at the commit), so that
        # it is counted with its batch.
        self.env.flush_all()
        queries = (
            self.env.cr.sql_log_count - queries_from if queries_from is not None else 0
        )
        # date_last: the clock, not the transaction's start (now()), so that
        # the last row tells when the run's last batch was done.
        self.env.cr.execute(
            SQL(
                """
                INSERT INTO msp_billing_run_worker
                    (run_id, company_id, worker, batch_count, agreement_count,
                     query_count, date_last,
                     create_uid, create_date, write_uid, write_date)
                VALUES (%(run)s, %(company)s, %(worker)s, 1, %(count)s,
                        %(queries)s, clock_timestamp() at time zone 'UTC',
                        %(uid)s, now() at time zone 'UTC',
                        %(uid)s, now() at time zone 'UTC')
                ON CONFLICT (run_id, worker) DO UPDATE SET
                    batch_count = msp_billing_run_worker.batch_count + 1,
                    agreement_count = msp_billing_run_worker.agreement_count
                        + EXCLUDED.agreement_count,
                    query_count = COALESCE(msp_billing_run_worker.query_count, 0)
                        + EXCLUDED.query_count,
                    date_last = EXCLUDED.date_last,
                    write_uid = EXCLUDED.write_uid,
                    write_date = EXCLUDED.write_date
                """,
                run=self.id,
                company=self.company_id.id,
                worker=worker,
                count=len(batch),
                queries=queries + 1,  # this one
                uid=self.env.uid,
            )
        )
        self.env["msp.billing.run.worker"].invalidate_model()
        self.invalidate_recordset(["worker_ids"])
