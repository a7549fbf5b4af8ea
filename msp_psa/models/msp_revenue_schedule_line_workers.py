# Copyright 2026 msp_psa authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import logging
import time

from psycopg2 import OperationalError

from odoo import api, fields, models
from odoo.service.model import PG_CONCURRENCY_ERRORS_TO_RETRY
from odoo.tools import SQL

from ..tools import cron

_logger = logging.getLogger(__name__)

# Tries at a batch in a row when another worker's commit gets in the way.
LOCK_ATTEMPTS = 5


# One concern per file, on purpose (issue 15): the daily recognition spread
# over the billing worker crons of the companies that use several.
class MspRevenueScheduleLine(models.Model):
    _inherit = "msp.revenue.schedule.line"  # pylint: disable=consider-merging-classes-inherited

    @api.model
    def _msp_recognition_companies(self, date_ref, spread):
        """Companies with recognition months due on ``date_ref`` that use
        several workers (``spread``) or one."""
        groups = self.sudo()._read_group(
            [
                ("state", "=", "planned"),
                ("date", "<=", date_ref),
                ("company_id.msp_billing_workers", ">" if spread else "<=", 1),
            ],
            ["company_id"],
        )
        return self.env["res.company"].union(*(company for (company,) in groups))

    @api.model
    def _msp_start_recognition_workers(self, companies):
        """Have the worker crons post the due entries of ``companies`` (each
        using more than one worker): wake workers 1 to the largest setting."""
        workers = max(companies.mapped("msp_billing_workers") or [0])
        self.env["msp.billing.run"]._msp_start_worker_crons(workers)
        _logger.info(
            "Revenue recognition: %s workers started for %s",
            workers,
            ", ".join(companies.mapped("name")),
        )

    @api.model
    def _msp_work_recognition(
        self, worker, company_ids=None, batch_size=50, time_budget=120.0
    ):
        """Worker ``worker``: post the due recognition entries of the companies
        using at least ``worker`` workers and more than one (or of
        ``company_ids``, whatever their setting), batch by batch, each batch
        committed with the cron's progress.

        An entry (company, journal, month, kind, part) belongs to the worker
        that locks its first month (``FOR UPDATE SKIP LOCKED``), then all its
        months and their schedules (posting a month rewrites its schedule's
        totals, and two entries of one schedule's months may run at once):
        two workers never post the same month, and the entries are those one
        worker would post. An entry whose schedules another worker holds is
        taken on a later pass. Failures are logged as the daily job logs
        them. Returns how many entries are still due (held by another
        worker, or left when the time budget ended)."""
        started = time.monotonic()
        today = fields.Date.context_today(self)
        autocommit = cron.may_commit()
        Company = self.env["res.company"].sudo()
        if company_ids is not None:
            companies = Company.browse(company_ids).exists()
        else:
            companies = Company.search([("msp_billing_workers", ">=", max(worker, 2))])
        if not companies:
            return 0
        finished = set()  # first months of the units posted or failed here
        done = attempt = 0
        while True:
            units = {
                key: lines
                for key, lines in self._get_recognition_units(today, companies).items()
                if lines[:1].id not in finished
            }
            left, progress = len(units), False
            try:
                for company, batch in self._recognition_company_batches(
                    units, batch_size
                ):
                    taken = self._msp_take_units(batch)
                    posted = 0
                    if taken:
                        failures = self.with_company(company)._recognise_units(taken)
                        posted = len(taken) - len(failures)
                    self.env["ir.cron"]._notify_progress(
                        done=done + posted, remaining=left - len(taken)
                    )
                    if autocommit:
                        # Safe: each entry of the batch is posted and linked
                        # to its months, or left planned with its failure
                        # logged; a crash later re-runs only what is planned.
                        self.env.cr.commit()  # pylint: disable=invalid-commit
                    attempt = 0
                    finished.update(lines[:1].id for lines in taken.values())
                    done += posted
                    left -= len(taken)
                    progress = progress or bool(taken)
                    if time_budget and time.monotonic() - started > time_budget:
                        return left
            except OperationalError as error:
                # Rows another worker committed since this transaction's
                # snapshot (REPEATABLE READ): only this batch is pending since
                # the last commit; roll it back and look again.
                attempt += 1
                if (
                    not autocommit
                    or error.pgcode not in PG_CONCURRENCY_ERRORS_TO_RETRY
                    or attempt >= LOCK_ATTEMPTS
                ):
                    raise
                _logger.info(
                    "Revenue recognition worker %s: retrying (%s)", worker, error
                )
                self.env.cr.rollback()
                time.sleep(0.05 * attempt)
                continue
            if not progress or not left:
                # What is left is held by other workers, which post it.
                return left

    @api.model
    def _msp_take_units(self, units):
        """Lock the units (``{key: months}``) no other worker holds: the first
        month of each, then all its months still planned, then their
        schedules, ``FOR UPDATE SKIP LOCKED``. Returns the units wholly locked
        (a unit partly held by a worker that saw other months, or whose
        schedule another worker is posting, is left for later)."""
        heads = {lines[:1].id: key for key, lines in units.items()}
        self.flush_model(["state"])
        with self.env.cr.savepoint(flush=False):
            rows = self.env.execute_query(
                SQL(
                    """
                    SELECT id FROM msp_revenue_schedule_line
                     WHERE id = ANY(%s) AND state = 'planned'
                     ORDER BY id
                       FOR UPDATE SKIP LOCKED
                    """,
                    list(heads),
                )
            )
            owned = [heads[row[0]] for row in rows]
            ids = [line_id for key in owned for line_id in units[key].ids]
            rows = self.env.execute_query(
                SQL(
                    """
                    SELECT id FROM msp_revenue_schedule_line
                     WHERE id = ANY(%s) AND state = 'planned'
                     ORDER BY id
                       FOR UPDATE SKIP LOCKED
                    """,
                    ids,
                )
            )
        locked = {row[0] for row in rows}
        owned = [key for key in owned if set(units[key].ids) <= locked]
        schedules = {key: units[key].schedule_id.ids for key in owned}
        rows = self.env.execute_query(
            SQL(
                """
                SELECT id FROM msp_revenue_schedule
                 WHERE id = ANY(%s)
                 ORDER BY id
                   FOR UPDATE SKIP LOCKED
                """,
                sorted({sid for ids in schedules.values() for sid in ids}),
            )
        )
        locked = {row[0] for row in rows}
        return {key: units[key] for key in owned if set(schedules[key]) <= locked}
