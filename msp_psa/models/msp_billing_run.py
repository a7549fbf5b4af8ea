# Copyright 2026 msp_psa authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import logging
import time

from psycopg2 import IntegrityError, OperationalError

from odoo import Command, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL

from ..tools import cron, labels

_logger = logging.getLogger(__name__)

# Quiet context for the invoices a run creates: the run record, not a chatter
# message per invoice, says what was done.
# Tries at taking a batch when a concurrent worker's commit gets in the way.
LOCK_ATTEMPTS = 5

QUIET = {
    "tracking_disable": True,
    "mail_create_nolog": True,
    "mail_create_nosubscribe": True,
    "mail_notrack": True,
}


class MspBillingRun(models.Model):
    """One invoicing run: which invoices it created, what it could not do.

    The daily run is shared: every cron worker that calls it takes its own
    batches of due agreements (``FOR UPDATE SKIP LOCKED``), creates their
    invoices together and commits batch by batch, so a long run survives a
    restart and a failure on one agreement stops nothing else.
    """

    _name = "msp.billing.run"
    _description = "MSP Billing Run"
    _inherit = ["mail.thread"]
    _order = "id desc"

    name = fields.Char(required=True, readonly=True, default="/", copy=False)
    date = fields.Date(
        string="Invoice Up To",
        required=True,
        readonly=True,
        default=fields.Date.context_today,
    )
    company_id = fields.Many2one(
        "res.company",
        required=True,
        readonly=True,
        default=lambda self: self.env.company,
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    trigger = fields.Selection(
        [("cron", "Scheduled"), ("manual", "Manual")],
        required=True,
        default="manual",
        readonly=True,
    )
    state = fields.Selection(
        [("running", "Running"), ("done", "Done")],
        default="running",
        required=True,
        readonly=True,
    )
    user_id = fields.Many2one(
        "res.users", default=lambda self: self.env.user, readonly=True
    )
    invoice_ids = fields.One2many("account.move", "msp_billing_run_id", readonly=True)
    invoice_count = fields.Integer(compute="_compute_totals")
    draft_count = fields.Integer(compute="_compute_totals")
    review_count = fields.Integer(compute="_compute_totals")
    amount_total = fields.Monetary(
        compute="_compute_totals", string="Total (company currency)"
    )
    agreement_count = fields.Integer(
        string="Agreements Processed", compute="_compute_progress"
    )
    issue_ids = fields.One2many("msp.billing.run.issue", "run_id", readonly=True)
    issue_count = fields.Integer(compute="_compute_totals")
    date_done = fields.Datetime(
        string="Finished", readonly=True, copy=False, help="When the run ended."
    )
    duration = fields.Float(
        string="Duration (s)",
        compute="_compute_progress",
        digits=(16, 1),
        help="Seconds from the run's start to its end (while it runs: to its last "
        "billed period).",
    )
    duration_label = fields.Char(
        string="Duration",
        compute="_compute_progress",
        help="From the run's start to its end (while it runs: to its last billed "
        "period).",
    )

    def init(self):
        # One scheduled run per company and day: workers that start together share it.
        self.env.cr.execute(
            """
            CREATE UNIQUE INDEX IF NOT EXISTS msp_billing_run_cron_uniq
                ON msp_billing_run (company_id, date) WHERE trigger = 'cron'
            """
        )

    @api.depends("invoice_ids.state", "invoice_ids.amount_total_signed", "issue_ids")
    def _compute_totals(self):
        for run in self:
            # sudo: the run's figures, shown to MSP managers without invoicing rights
            invoices = run.sudo().invoice_ids
            run.invoice_count = len(invoices)
            run.draft_count = len(invoices.filtered(lambda m: m.state == "draft"))
            run.review_count = len(invoices.filtered("msp_review_needed"))
            run.amount_total = sum(invoices.mapped("amount_total_signed"))
            run.issue_count = len(run.issue_ids)

    def _compute_progress(self):
        # Derived from the billed periods, not counters on the run: workers that
        # share a run never write to the same row.
        stats = {
            run.id: (count, last)
            for run, count, last in self.env["msp.agreement.period"]
            .sudo()
            ._read_group(
                [("run_id", "in", self.ids)],
                ["run_id"],
                ["agreement_id:count_distinct", "create_date:max"],
            )
        }
        for run in self:
            count, last = stats.get(run.id, (0, None))
            run.agreement_count = count
            end = run.date_done or last
            run.duration = (
                max((end - run.create_date).total_seconds(), 0.0)
                if end and run.create_date
                else 0.0
            )
            run.duration_label = labels.fmt_duration(run.duration)

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if vals.get("name", "/") == "/":
                vals["name"] = (
                    self.env["ir.sequence"].next_by_code("msp.billing.run") or "/"
                )
        return super().create(vals_list)

    # ------------------------------------------------------------------
    # Entry points
    # ------------------------------------------------------------------
    @api.model
    def _cron_generate_invoices(self, batch_size=200, time_budget=120.0):
        """Daily: invoice every active agreement whose next invoice date has come."""
        # Renewals are their own scheduled action (MSP: renew or expire
        # agreements at the end of their term), not a step of this one.
        date_ref = fields.Date.context_today(self)
        remaining = 0
        due = self.env["msp.agreement"]._read_group(
            [("state", "=", "active"), ("next_invoice_date", "<=", date_ref)],
            ["company_id"],
        )
        for (company,) in due:
            run = self.with_company(company)._get_cron_run(date_ref)
            self._commit_if_allowed()
            if run._msp_use_workers():
                # Its worker crons take the batches, in parallel.
                run._start_workers()
                self._commit_if_allowed()
                continue
            # The main cron is the company's only worker: worker 1 on the run.
            remaining += run.with_context(msp_billing_worker=1)._run(
                batch_size=batch_size, time_budget=time_budget
            )
        return remaining

    def _msp_use_workers(self):
        """Whether the nightly run is left to the workers (the worker crons,
        or queue jobs with the queue_job bridge) rather than billed by the
        main cron itself: when its company uses more than one."""
        self.ensure_one()
        return self.company_id.msp_billing_workers > 1

    @api.model
    def _get_cron_run(self, date_ref):
        domain = [
            ("company_id", "=", self.env.company.id),
            ("date", "=", date_ref),
            ("trigger", "=", "cron"),
        ]
        run = self.search(domain, limit=1)
        if run:
            return run
        try:
            with self.env.cr.savepoint():
                return self.create({"date": date_ref, "trigger": "cron"})
        except IntegrityError:  # another worker created it a moment ago
            return self.search(domain, limit=1)

    @api.model
    def _run_agreements(self, agreements, manual=True, date_ref=None):
        """Invoice ``agreements`` now (the "Invoice now" button, the wizard)."""
        date_ref = date_ref or fields.Date.context_today(self)
        run = self.create({"date": date_ref, "trigger": "manual" if manual else "cron"})
        # In the user's request: one transaction, no intermediate commit.
        run._run(agreement_ids=agreements.ids, nowait=True, commit=False)
        return run

    # ------------------------------------------------------------------
    # The run
    # ------------------------------------------------------------------
    def _run(
        self,
        agreement_ids=None,
        batch_size=200,
        time_budget=None,
        nowait=False,
        commit=True,
    ):
        """Process due agreements batch by batch. Returns how many are still due."""
        self.ensure_one()
        started = time.monotonic()
        failed = set(
            self.issue_ids.filtered(lambda i: i.level == "error").agreement_id.ids
        )
        autocommit = commit and self._autocommit()
        done, seen = 0, set()
        # Queries of each batch, from the end of the previous one (what is
        # left, the progress) to its own end, for the worker's row.
        queries_from = self.env.cr.sql_log_count
        while True:
            # An agreement is taken once per call (``seen``), so the loop ends even
            # if one is left due (more periods to catch up than one invoice holds):
            # the next call goes on with it.
            batch = self._lock_due_agreements(
                batch_size, failed | seen, agreement_ids, nowait, autocommit
            )
            if not batch:
                break
            seen.update(batch.ids)
            try:
                self._process_batch(batch, failed)
            except Exception as error:
                # Not a problem a user can fix: the batch was rolled back to its
                # savepoint; say so on the run, and let the error fail the call.
                self._note_interruption(batch, error, autocommit)
                raise
            done += len(batch)
            remaining = self._count_due(failed | seen, agreement_ids)
            self.env["ir.cron"]._notify_progress(done=done, remaining=remaining)
            self._note_worker_batch(batch, queries_from)
            queries_from = self.env.cr.sql_log_count
            if autocommit:
                # Safe: the batch's invoices, billed periods and moved pointers are
                # complete and consistent; a crash later re-runs only what is left.
                self.env.cr.commit()  # pylint: disable=invalid-commit
            if time_budget and time.monotonic() - started > time_budget:
                break
        remaining = self._count_due(failed, agreement_ids)
        if not remaining and self.state != "done":
            try:
                with self.env.cr.savepoint():
                    self.write({"state": "done", "date_done": fields.Datetime.now()})
            except OperationalError:
                # A worker sharing the run has just marked it done.
                _logger.info(
                    "Billing run %s: already marked done by another worker", self.name
                )
        return remaining

    @api.model
    def _autocommit(self):
        # Tests run in one transaction: no commit there (Odoo's own idiom).
        return cron.may_commit()

    @api.model
    def _commit_if_allowed(self):
        if self._autocommit():
            # Safe: what was done so far is complete (the run record); committing
            # it keeps a later retry of the batch lock from undoing it.
            self.env.cr.commit()  # pylint: disable=invalid-commit

    def _due_domain_sql(self, failed, agreement_ids):
        conditions = [
            SQL("company_id = %s", self.company_id.id),
            # An expired agreement still bills what its term left due (the
            # last period in arrears is due the day after the end, when the
            # nightly renewal has just expired it).
            SQL(
                "(state = 'active' OR (state = 'expired' AND date_end IS NOT NULL"
                " AND next_period_start <= date_end))"
            ),
            SQL("active"),
            SQL("next_invoice_date <= %s", self.date),
        ]
        if failed:
            conditions.append(SQL("NOT (id = ANY(%s))", list(failed)))
        if agreement_ids is not None:
            conditions.append(SQL("id = ANY(%s)", list(agreement_ids)))
        return SQL(" AND ").join(conditions)

    def _count_due(self, failed, agreement_ids):
        self.env["msp.agreement"].flush_model()
        self.env.cr.execute(
            SQL(
                "SELECT count(*) FROM msp_agreement WHERE %s",
                self._due_domain_sql(failed, agreement_ids),
            )
        )
        return self.env.cr.fetchone()[0]

    def _lock_query(self, query, failed, agreement_ids):
        self.env.cr.execute(query)
        ids = [row[0] for row in self.env.cr.fetchall()]
        if ids:
            # The rest of a consolidating client's due agreements join the batch,
            # so that it gets one invoice.
            self.env.cr.execute(
                SQL(
                    "SELECT id FROM msp_agreement WHERE %s"
                    " AND partner_id IN (SELECT id FROM res_partner"
                    "                     WHERE msp_consolidate_invoices)"
                    " AND partner_id IN (SELECT partner_id FROM msp_agreement"
                    "                     WHERE id = ANY(%s))"
                    " AND NOT (id = ANY(%s))"
                    " FOR UPDATE SKIP LOCKED",
                    self._due_domain_sql(failed, agreement_ids),
                    ids,
                    ids,
                )
            )
            ids += [row[0] for row in self.env.cr.fetchall()]
        return ids

    def _lock_due_agreements(
        self, batch_size, failed, agreement_ids, nowait, autocommit=False
    ):
        """Take a batch of due agreements no other worker holds."""
        self.env["msp.agreement"].flush_model()
        query = SQL(
            # By client: a client's agreements land in one batch, for consolidation.
            "SELECT id FROM msp_agreement WHERE %s"
            " ORDER BY partner_id, id LIMIT %s FOR UPDATE %s",
            self._due_domain_sql(failed, agreement_ids),
            batch_size,
            SQL("NOWAIT") if nowait else SQL("SKIP LOCKED"),
        )
        for attempt in range(LOCK_ATTEMPTS):
            try:
                with self.env.cr.savepoint(flush=False):
                    ids = self._lock_query(query, failed, agreement_ids)
                break
            except OperationalError as e:
                if nowait:
                    raise UserError(
                        self.env._(
                            "This agreement is being invoiced right now: try again "
                            "shortly."
                        )
                    ) from e
                if not autocommit or attempt == LOCK_ATTEMPTS - 1:
                    raise
                # Another worker committed rows this transaction's snapshot still
                # sees as due (REPEATABLE READ): nothing is pending since the last
                # commit, so start a fresh transaction and look again.
                _logger.info(
                    "Billing run %s: retrying the batch lock (%s)", self.name, e
                )
                self.env.cr.rollback()
                time.sleep(0.05 * (attempt + 1))
        return self.env["msp.agreement"].browse(ids)

    def _process_batch(self, agreements, failed):
        """Invoice a batch; if that fails on an error a user can fix, one
        agreement at a time to log the culprit(s) and invoice the others.

        Only ``UserError`` and its kinds (``ValidationError``, ``AccessError``,
        ``MissingError``, ``RedirectWarning``) are caught: their message is
        written for a person, who can fix the data, the settings or the rights
        it names. Anything else is a programming error or a database failure: it
        propagates, the batch's savepoint is rolled back whole, and the run stops
        so that the scheduler reports it and runs it again.
        """
        try:
            with self.env.cr.savepoint():
                self._generate_invoices(agreements)
            return
        except UserError as e:
            _logger.info(
                "Billing run %s: a batch failed (%s), one agreement at a time",
                self.name,
                e,
            )
        # One savepoint around the retries too: an unexpected error on one
        # agreement leaves nothing of the batch written, its issues included.
        with self.env.cr.savepoint():
            for agreement in agreements:
                try:
                    with self.env.cr.savepoint():
                        self._generate_invoices(agreement)
                except UserError as e:  # logged on the run and the chatter
                    failed.add(agreement.id)
                    self._log_failure(agreement, e)

    def _note_interruption(self, agreements, error, autocommit):
        """An unexpected error stopped the run: nothing of the batch was
        written; say so on the run, where the people reviewing it look."""
        summary = f"{type(error).__name__}: {error}"[:500]
        _logger.error(
            "Billing run %s stopped on an unexpected error (%s); the batch of %s "
            "agreements was rolled back and will be retried",
            self.name,
            summary,
            len(agreements),
        )
        self.message_post(
            body=self.env._(
                "The run stopped on an unexpected error while invoicing "
                "%(count)s agreements (%(names)s): %(error)s. Nothing of that "
                "batch was written; the scheduled action tries it again.",
                count=len(agreements),
                names=", ".join(agreements[:5].mapped("name")),
                error=summary,
            )
        )
        if autocommit:
            # Safe: only this note is pending (the batch was rolled back to its
            # savepoint); the caller re-raises, which rolls back nothing else.
            self.env.cr.commit()  # pylint: disable=invalid-commit

    def _log_failure(self, agreement, error):
        message = error.args[0] if isinstance(error, UserError) else repr(error)
        _logger.warning(
            "Billing run %s: %s failed: %s", self.name, agreement.name, message
        )
        self.env["msp.billing.run.issue"].sudo().create(  # the run's own log
            {
                "run_id": self.id,
                "agreement_id": agreement.id,
                "level": "error",
                "message": message,
            }
        )
        agreement.message_post(
            body=self.env._(
                "Invoicing failed in billing run %(run)s: %(error)s",
                run=self.name,
                error=message,
            )
        )

    def _generate_invoices(self, agreements):
        """Invoice one batch: build every invoice first, create them together."""
        agreements = agreements.with_context(**QUIET)
        plans = agreements._prepare_billing(self.date, run=self)
        Move = self.env["account.move"].with_context(**QUIET)
        vals_list, covered = self._consolidate(plans)
        moves = Move._msp_create_invoices(vals_list)
        move_by_agreement = {
            agreement_id: move
            for move, agreement_ids in zip(moves, covered, strict=True)
            for agreement_id in agreement_ids
        }
        period_vals, issue_vals, pointers = [], [], {}
        for plan in plans:
            agreement = plan["agreement"]
            move = move_by_agreement.get(agreement.id)
            for date_from, date_to, invoice_date in plan["periods"]:
                period_vals.append(
                    {
                        "agreement_id": agreement.id,
                        "date_start": date_from,
                        "date_end": date_to,
                        "invoice_date": invoice_date,
                        "move_id": move.id if move else False,
                        "run_id": self.id,
                    }
                )
            for warning in plan["warnings"]:
                issue_vals.append(
                    {
                        "run_id": self.id,
                        "agreement_id": agreement.id,
                        "level": "warning",
                        "message": warning,
                    }
                )
            pointers.setdefault(plan["next_start"], []).append(agreement.id)
        # sudo: billed periods are written by the engine only, never by hand
        self.env["msp.agreement.period"].sudo().create(period_vals)
        self.env["msp.billing.run.issue"].sudo().create(issue_vals)
        self.env["msp.agreement"].browse(
            [plan["agreement"].id for plan in plans if plan["periods"]]
        )._msp_settled()
        # sudo: the pointer is the engine's; an accountant may run billing without
        # the right to edit agreements
        Agreement = self.env["msp.agreement"].sudo().with_context(**QUIET)
        for next_start, ids in pointers.items():
            Agreement.browse(ids).write({"next_period_start": next_start})
        to_post = moves.filtered(lambda m: m.msp_agreement_id.auto_post)
        if to_post:
            to_post._post()
            to_post._msp_send()
        return moves

    def _consolidate(self, plans):
        """Invoice values to create, and the agreements each one bills.

        A client that asks for it gets one invoice per run for all its
        agreements that share company, currency, journal and payment terms
        (credit notes stay apart)."""
        vals_list, covered, groups = [], [], {}
        for plan in plans:
            vals = plan["invoice_vals"]
            if not vals:
                continue
            agreement = plan["agreement"]
            key = None
            if agreement.partner_id.msp_consolidate_invoices and vals["move_type"] == (
                "out_invoice"
            ):
                key = (
                    vals["partner_id"],
                    vals["company_id"],
                    vals["currency_id"],
                    vals["journal_id"],
                    vals["invoice_payment_term_id"],
                )
            if key is None or key not in groups:
                if key is not None:
                    groups[key] = len(vals_list)
                vals_list.append(dict(vals))
                covered.append([agreement.id])
                continue
            merged = vals_list[groups[key]]
            covered[groups[key]].append(agreement.id)
            merged["msp_agreement_id"] = False
            merged["invoice_line_ids"] = (
                merged["invoice_line_ids"] + vals["invoice_line_ids"]
            )
            merged["invoice_date"] = max(merged["invoice_date"], vals["invoice_date"])
            for field in ("invoice_origin", "ref"):
                merged[field] = ", ".join(filter(None, [merged[field], vals[field]]))
            merged["msp_review_needed"] = (
                merged["msp_review_needed"] or vals["msp_review_needed"]
            )
            merged["msp_review_note"] = "\n".join(
                filter(None, [merged["msp_review_note"], vals["msp_review_note"]])
            )
        for vals, agreement_ids in zip(vals_list, covered, strict=True):
            if len(agreement_ids) > 1:
                # One section per service period across the agreements.
                vals["invoice_line_ids"] = [
                    Command.create(line)
                    for line in self.env["msp.agreement"]._msp_with_sections(
                        [cmd[2] for cmd in vals["invoice_line_ids"]], force=True
                    )
                ]
        return vals_list, covered

    # ------------------------------------------------------------------
    # Review
    # ------------------------------------------------------------------
    def action_view_invoices(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "account.action_move_out_invoice_type"
        )
        action["domain"] = [("msp_billing_run_id", "=", self.id)]
        action["context"] = {"create": False, "search_default_group_by_partner": 0}
        return action

    def action_post_unchanged(self):
        """Post and send the drafts that need no review."""
        self.ensure_one()
        drafts = self.invoice_ids.filtered(
            lambda m: m.state == "draft" and not m.msp_review_needed
        )
        if not drafts:
            raise UserError(
                self.env._("No draft of this run is ready to post without review.")
            )
        drafts._post()
        drafts._msp_send()
        return True

    def action_post_all(self):
        self.ensure_one()
        drafts = self.invoice_ids.filtered(lambda m: m.state == "draft")
        if not drafts:
            raise UserError(self.env._("This run has no draft left to post."))
        drafts._post()
        drafts._msp_send()
        return True
