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

# Tries at a batch in a row when a concurrent commit gets in the way.
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
        self.env["msp.billing.run"]._msp_start_worker_crons(
            self._msp_sla_worker_count()
        )

    @api.model
    def _msp_sla_worker_count(self):
        """How many workers share the SLA check: the largest setting of the
        companies using more than one (0 when none does)."""
        return max(
            self._msp_sla_spread_companies().mapped("msp_billing_workers") or [0]
        )

    @api.model
    def _msp_work_sla(self, worker, batch_size=500, time_budget=120.0):
        """Worker ``worker``: the SLA check of the companies using at least
        ``worker`` workers and more than one (tickets without a company are
        the main job's). Batch by batch, take the due tickets no other
        worker holds (``FOR UPDATE SKIP LOCKED``), recompute them and commit;
        then take the due escalation steps whose step, ticket and client no
        other worker holds, raise them and commit, with the cron's progress.
        A batch that meets a concurrent update is rolled back and taken again.
        Returns how many tickets and steps are still due."""
        started = time.monotonic()
        now = fields.Datetime.now()
        autocommit = cron.may_commit()
        companies = (
            self.env["res.company"]
            .sudo()
            .search([("msp_billing_workers", ">=", max(worker, 2))])
        )
        if not companies:
            return 0
        Ticket = self.sudo()
        Step = self.env["msp.sla.ticket.escalation"].sudo()
        seen_tickets, seen_steps = set(), set()
        done = attempt = 0
        while True:
            # Two transactions a batch, each opening with its lock: the
            # tickets replanned, then the steps due (among them those the
            # replanning has just made due) raised.
            try:
                tickets = Ticket.browse(
                    self._msp_sla_take_tickets(now, companies, seen_tickets, batch_size)
                )
                tickets._msp_sla_recompute()
                self._msp_sla_batch_done(
                    done + len(tickets),
                    now,
                    companies,
                    seen_tickets | set(tickets.ids),
                    seen_steps,
                    autocommit,
                )
                done += len(tickets)
                seen_tickets.update(tickets.ids)
                steps, held = self._msp_sla_take_steps(
                    now, companies, seen_steps, batch_size
                )
                steps = Step.browse(steps)
                steps._raise()
                remaining = self._msp_sla_batch_done(
                    done + len(steps),
                    now,
                    companies,
                    seen_tickets,
                    seen_steps | set(steps.ids),
                    autocommit,
                )
                done += len(steps)
                seen_steps.update(steps.ids)
            except OperationalError as error:
                attempt = self._msp_sla_retry(attempt, autocommit, error)
                continue
            attempt = 0
            if not tickets and not steps:
                # Nothing left, or only steps whose client another worker is
                # notifying right now: it goes on, this job is run again.
                return remaining if held else 0
            if time_budget and time.monotonic() - started > time_budget:
                return remaining

    @api.model
    def _msp_sla_batch_done(
        self, done, now, companies, seen_tickets, seen_steps, autocommit
    ):
        """Notify the progress and commit: the batch's tickets are replanned
        or its steps raised and marked so; a crash later redoes only what is
        still due. Returns what is still due."""
        remaining = self._msp_sla_due_count(now, companies, seen_tickets, seen_steps)
        self.env["ir.cron"]._notify_progress(done=done, remaining=remaining)
        if autocommit:
            self.env.cr.commit()  # pylint: disable=invalid-commit
        return remaining

    @api.model
    def _msp_sla_retry(self, attempt, autocommit, error):
        """A batch met rows another transaction committed since its snapshot
        (REPEATABLE READ: a ticket's client or user written by another worker
        too, a ticket changed by hand): only this batch is pending since the
        last commit, so roll it back and take a batch again, a few times."""
        if (
            not autocommit
            or error.pgcode not in PG_CONCURRENCY_ERRORS_TO_RETRY
            or attempt + 1 >= LOCK_ATTEMPTS
        ):
            raise error
        _logger.info("SLA check: a batch met a concurrent update, retrying (%s)", error)
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
        """Lock due steps with their ticket (raising a step writes the ticket,
        replanning a ticket rewrites its steps) and the ticket's client (a
        note on a ticket writes its client: Odoo prepares the client's portal
        access), ``SKIP LOCKED``: one worker holds the three. Returns the
        steps taken and how many were left because another transaction
        holds their client."""
        self.env.flush_all()
        _tickets, steps = self._msp_sla_due_sql(now, companies, seen_steps=seen)
        rows = self.env.execute_query(
            SQL(
                """
                SELECT e.id, t.partner_id FROM msp_sla_ticket_escalation e
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
        partners = sorted({partner_id for _step, partner_id in rows if partner_id})
        locked = set()
        if partners:
            locked = {
                row[0]
                for row in self.env.execute_query(
                    SQL(
                        "SELECT id FROM res_partner WHERE id = ANY(%s)"
                        " ORDER BY id FOR UPDATE SKIP LOCKED",
                        partners,
                    )
                )
            }
        taken = [
            step for step, partner_id in rows if not partner_id or partner_id in locked
        ]
        return taken, len(rows) - len(taken)
