# Copyright 2026 msp_psa authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import logging
import time

from psycopg2 import OperationalError

from odoo import api, fields, models
from odoo.tools import SQL

from ..tools import cron

_logger = logging.getLogger(__name__)

# Tries at taking a batch when a concurrent commit gets in the way.
LOCK_ATTEMPTS = 5


# One concern per file, on purpose (issue 15): the SLA check spread over the
# billing worker crons of the companies that use several.
class HelpdeskTicket(models.Model):
    _inherit = "helpdesk.ticket"  # pylint: disable=consider-merging-classes-inherited

    @api.model
    def _msp_sla_spread_companies(self):
        """The companies whose SLA check the worker crons share."""
        return self.env["res.company"].sudo().search([("msp_billing_workers", ">", 1)])

    @api.model
    def _msp_sla_due_sql(self, now, companies, seen_tickets=(), seen_steps=()):
        """(tickets, escalation steps) conditions: due at ``now`` in
        ``companies``, not already taken by this worker."""
        tickets = SQL(
            "t.msp_sla_next_check <= %s AND t.company_id = ANY(%s)"
            " AND NOT (t.id = ANY(%s))",
            now,
            companies.ids,
            list(seen_tickets),
        )
        steps = SQL(
            "e.state = 'planned' AND e.date_due <= %s"
            " AND t.msp_sla_paused IS NOT TRUE AND t.company_id = ANY(%s)"
            " AND NOT (e.id = ANY(%s))",
            now,
            companies.ids,
            list(seen_steps),
        )
        return tickets, steps

    @api.model
    def _msp_sla_due_count(
        self, now, companies, seen_tickets=(), seen_steps=(), limit=None
    ):
        """Tickets and escalation steps of ``companies`` due at ``now``."""
        self.env["helpdesk.ticket"].flush_model()
        self.env["msp.sla.ticket.escalation"].flush_model()
        tickets, steps = self._msp_sla_due_sql(now, companies, seen_tickets, seen_steps)
        limit = SQL("LIMIT %s", limit) if limit else SQL()
        [(count,)] = self.env.execute_query(
            SQL(
                """
                SELECT (SELECT count(*) FROM (SELECT 1 FROM helpdesk_ticket t
                                                WHERE %(tickets)s %(limit)s) a)
                     + (SELECT count(*) FROM (SELECT 1
                                                FROM msp_sla_ticket_escalation e
                                                JOIN helpdesk_ticket t
                                                  ON t.id = e.ticket_id
                                               WHERE %(steps)s %(limit)s) b)
                """,
                tickets=tickets,
                steps=steps,
                limit=limit,
            )
        )
        return count

    @api.model
    def _msp_start_sla_workers(self):
        """Have the worker crons check the SLA of the companies using more than
        one worker: wake workers 1 to the largest setting."""
        workers = max(
            self._msp_sla_spread_companies().mapped("msp_billing_workers") or [0]
        )
        self.env["msp.billing.run"]._msp_start_worker_crons(workers)

    @api.model
    def _msp_work_sla(self, worker, batch_size=500, time_budget=120.0):
        """Worker ``worker``: the SLA check of the companies using at least
        ``worker`` workers. Batch by batch, take the due tickets no other
        worker holds (``FOR UPDATE SKIP LOCKED``) and recompute them, then the
        due escalation steps whose step and ticket no other worker holds, and
        raise them; commit each batch with the cron's progress. Returns how
        many tickets and steps are still due."""
        started = time.monotonic()
        now = fields.Datetime.now()
        autocommit = cron.may_commit()
        companies = (
            self.env["res.company"]
            .sudo()
            .search([("msp_billing_workers", ">=", worker)])
        )
        if not companies:
            return 0
        Ticket = self.sudo()
        Step = self.env["msp.sla.ticket.escalation"].sudo()
        seen_tickets, seen_steps = set(), set()
        done = attempt = 0
        while True:
            try:
                with self.env.cr.savepoint(flush=False):
                    tickets = Ticket.browse(
                        self._msp_sla_take_tickets(
                            now, companies, seen_tickets, batch_size
                        )
                    )
            except OperationalError as error:
                attempt = self._msp_sla_retry(attempt, autocommit, error)
                continue
            tickets._msp_sla_recompute()
            seen_tickets.update(tickets.ids)
            # The steps due once the tickets are replanned, each locked with
            # its ticket (raising a step writes the ticket).
            self.env.flush_all()
            try:
                with self.env.cr.savepoint(flush=False):
                    steps = Step.browse(
                        self._msp_sla_take_steps(now, companies, seen_steps, batch_size)
                    )
            except OperationalError as error:
                if not tickets:
                    attempt = self._msp_sla_retry(attempt, autocommit, error)
                    continue
                # The tickets' batch is kept; the next one takes the steps.
                steps = Step
            if not tickets and not steps:
                break
            steps._raise()
            seen_steps.update(steps.ids)
            done += len(tickets) + len(steps)
            remaining = self._msp_sla_due_count(
                now, companies, seen_tickets, seen_steps
            )
            self.env["ir.cron"]._notify_progress(done=done, remaining=remaining)
            if autocommit:
                # Safe: the batch's tickets are replanned and its steps raised
                # and marked so; a crash later redoes only what is still due.
                self.env.cr.commit()  # pylint: disable=invalid-commit
            if time_budget and time.monotonic() - started > time_budget:
                return remaining
        return 0

    @api.model
    def _msp_sla_retry(self, attempt, autocommit, error):
        """A lock taken at the start of a transaction met rows committed
        since its snapshot (REPEATABLE READ): nothing is pending since the
        last commit, so start a fresh transaction and look again."""
        if not autocommit or attempt + 1 >= LOCK_ATTEMPTS:
            raise error
        _logger.info("SLA check: retrying the batch lock (%s)", error)
        self.env.cr.rollback()
        time.sleep(0.05 * (attempt + 1))
        return attempt + 1

    @api.model
    def _msp_sla_take_tickets(self, now, companies, seen, limit):
        self.env["helpdesk.ticket"].flush_model()
        tickets, _steps = self._msp_sla_due_sql(now, companies, seen_tickets=seen)
        rows = self.env.execute_query(
            SQL(
                """
                SELECT t.id FROM helpdesk_ticket t
                 WHERE %s
                 ORDER BY t.msp_sla_next_check, t.id
                 LIMIT %s
                   FOR UPDATE SKIP LOCKED
                """,
                tickets,
                limit,
            )
        )
        return [row[0] for row in rows]

    @api.model
    def _msp_sla_take_steps(self, now, companies, seen, limit):
        """Lock due steps with their ticket: raising a step writes its ticket,
        replanning a ticket rewrites its steps; one worker holds both."""
        self.env["helpdesk.ticket"].flush_model()
        self.env["msp.sla.ticket.escalation"].flush_model()
        _tickets, steps = self._msp_sla_due_sql(now, companies, seen_steps=seen)
        rows = self.env.execute_query(
            SQL(
                """
                SELECT e.id FROM msp_sla_ticket_escalation e
                  JOIN helpdesk_ticket t ON t.id = e.ticket_id
                 WHERE %s
                 ORDER BY e.date_due, e.id
                 LIMIT %s
                   FOR UPDATE OF e, t SKIP LOCKED
                """,
                steps,
                limit,
            )
        )
        return [row[0] for row in rows]
