# Copyright 2026 msp_psa authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import logging
import time
from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL

from ..tools import cron, labels, revenue

_logger = logging.getLogger(__name__)

RECOGNITION_KINDS = [
    ("recognition", "Recognition"),
    ("termination", "Early termination"),
    ("reversal", "Reversal"),
]


class MspRevenueScheduleLine(models.Model):
    """One month of a recognition schedule. Posting it debits the deferred
    revenue account and credits the income account (the other way round for a
    negative amount, a credit note's or a reversal's)."""

    _name = "msp.revenue.schedule.line"
    _description = "MSP Revenue Recognition Month"
    _order = "date, id"

    schedule_id = fields.Many2one(
        "msp.revenue.schedule",
        required=True,
        readonly=True,
        index=True,
        ondelete="cascade",
    )
    date = fields.Date(
        required=True,
        readonly=True,
        index=True,
        help="Month end the revenue belongs to (or, for a reversal, the day it "
        "was taken back).",
    )
    amount = fields.Monetary(readonly=True)
    kind = fields.Selection(
        RECOGNITION_KINDS,
        default="recognition",
        required=True,
        readonly=True,
    )
    state = fields.Selection(
        [("planned", "Deferred"), ("posted", "Recognised"), ("cancelled", "Cancelled")],
        default="planned",
        required=True,
        readonly=True,
        index=True,
    )
    move_id = fields.Many2one(
        "account.move",
        string="Recognition Entry",
        readonly=True,
        index="btree_not_null",
        ondelete="restrict",
    )
    move_line_id = fields.Many2one(
        "account.move.line",
        string="Deferred Revenue Item",
        readonly=True,
        index="btree_not_null",
        ondelete="restrict",
    )
    # The date of its entry, written with it (a recognition entry never goes
    # back to draft, so its date does not change).
    date_posted = fields.Date(string="Posted On", readonly=True)
    # The company is copied on each month when it is created (a schedule
    # never changes it; record rules and the recognition's queries filter on
    # it); the rest of the schedule is read through it, joined by the ORM
    # when searching or grouping. Posting an invoice that defers twelve months
    # then costs no per-month recompute nor foreign-key checks (issue 16).
    company_id = fields.Many2one("res.company", readonly=True, index=True)
    currency_id = fields.Many2one(related="company_id.currency_id")
    partner_id = fields.Many2one(related="schedule_id.partner_id", string="Client")
    agreement_id = fields.Many2one(related="schedule_id.agreement_id")
    product_id = fields.Many2one(related="schedule_id.product_id")
    income_account_id = fields.Many2one(related="schedule_id.income_account_id")
    deferred_account_id = fields.Many2one(related="schedule_id.deferred_account_id")
    recognition_issue_id = fields.Many2one(
        "msp.revenue.recognition.issue",
        string="Recognition Failure",
        readonly=True,
        index="btree_not_null",
        ondelete="set null",
        help="The failure of the daily recognition that concerned this month. "
        "A month still deferred with a failure failed on the last run: it is "
        "tried again on the next one.",
    )

    _sql_constraints = [
        (
            "posted_with_entry",
            "CHECK (state != 'posted' OR move_id IS NOT NULL)",
            "A recognised month names the entry that recognised it.",
        ),
    ]

    def init(self):
        # A month of a schedule is recognised once: at most one line that is not
        # cancelled per schedule, month and kind.
        self.env.cr.execute(
            """
            CREATE UNIQUE INDEX IF NOT EXISTS msp_revenue_schedule_line_month_uniq
                ON msp_revenue_schedule_line (schedule_id, date, kind)
             WHERE state != 'cancelled'
            """
        )

    @api.model_create_multi
    def create(self, vals_list):
        """A month carries its schedule's company, for every caller that gives
        only ``schedule_id``: one read of the schedules concerned."""
        missing = {
            vals["schedule_id"]
            for vals in vals_list
            if vals.get("schedule_id") and "company_id" not in vals
        }
        if missing:
            companies = {
                schedule.id: schedule.company_id.id
                for schedule in self.env["msp.revenue.schedule"].sudo().browse(missing)
            }
            for vals in vals_list:
                if vals.get("schedule_id") and "company_id" not in vals:
                    vals["company_id"] = companies[vals["schedule_id"]]
        return super().create(vals_list)

    @api.model
    def _insert_months(self, months):
        """Insert the planned months ``[(schedule, {"date", "amount"})]`` of
        new schedules in one statement, with the company they copy from their
        schedule; what ``create`` would store, without its per-row cost (a
        year in advance is twelve rows per invoice line, at posting time).

        Only planned recognition months of schedules just created go this
        way: no stored field of this model is computed, no constraint other
        than the database's applies to them (``test_revenue_months_insert``
        checks the rows equal those ``create`` gives)."""
        if not months:
            return
        self.check_access("create")
        columns = {"schedule_id": [], "company_id": [], "date": [], "amount": []}
        for schedule, vals in months:
            columns["schedule_id"].append(schedule.id)
            columns["company_id"].append(schedule.company_id.id)
            columns["date"].append(vals["date"])
            columns["amount"].append(vals["amount"])
        types = {"date": "date[]", "amount": "numeric[]"}
        self.env.cr.execute(
            SQL(
                """
                INSERT INTO msp_revenue_schedule_line
                    (%(names)s, kind, state,
                     create_uid, create_date, write_uid, write_date)
                SELECT *, 'recognition', 'planned',
                       %(uid)s, now() at time zone 'UTC',
                       %(uid)s, now() at time zone 'UTC'
                  FROM unnest(%(arrays)s)
                """,
                names=SQL(", ").join(SQL.identifier(name) for name in columns),
                arrays=SQL(", ").join(
                    SQL("%s::%s", values, SQL(types.get(name, "int[]")))
                    for name, values in columns.items()
                ),
                uid=self.env.uid,
            )
        )
        # The schedules' months are read from the database from now on.
        self.env["msp.revenue.schedule"].browse(
            {schedule.id for schedule, _vals in months}
        ).invalidate_recordset(["line_ids"])

    @api.depends("schedule_id.display_name", "date", "kind")
    def _compute_display_name(self):
        kinds = dict(self._fields["kind"]._description_selection(self.env))
        for line in self:
            if not line.date:
                line.display_name = line.schedule_id.display_name or kinds.get(
                    line.kind, ""
                )
            elif line.kind == "recognition":
                line.display_name = self.env._(
                    "%(schedule)s, %(month)s",
                    schedule=line.schedule_id.display_name or "",
                    month=labels.fmt_month(line.date),
                )
            else:
                line.display_name = self.env._(
                    "%(schedule)s, %(kind)s %(date)s",
                    schedule=line.schedule_id.display_name or "",
                    kind=kinds[line.kind],
                    date=labels.fmt_date(line.date),
                )

    # ------------------------------------------------------------------
    # Recognition
    # ------------------------------------------------------------------
    @api.model
    def _cron_recognize_revenue(self, batch_size=50, time_budget=120.0):
        """Daily: post the recognition entries that are due. Safe to run again:
        only planned months are taken, under a row lock, and they are marked
        posted with their entry in the same transaction.

        The work is a list of entries (company, journal, month and kind, cut
        so that no entry has more lines than the company's maximum), taken in
        batches of at most ``batch_size`` entries and that many lines per
        company; each batch is committed with the cron's progress, so a crash
        loses one batch at most and the next run posts what is still planned.
        An entry that fails on an error a user can fix (a deprecated account,
        a missing journal, ...) is rolled back, logged as a recognition
        failure and left planned: the next run tries it again. Any other error
        propagates: the scheduler reports it and retries."""
        today = fields.Date.context_today(self)
        started = time.monotonic()
        autocommit = cron.may_commit()
        # Companies using several workers: their worker crons post in
        # parallel (msp_revenue_schedule_line_workers.py); this job does the
        # others' entries itself.
        spread = self._msp_recognition_companies(today, spread=True)
        if spread:
            self._msp_start_recognition_workers(spread)
            if autocommit:
                # Safe: only the workers' triggers are pending; committed, the
                # cron runner sees them while this job goes on.
                self.env.cr.commit()  # pylint: disable=invalid-commit
        units = self._get_recognition_units(
            today, self._msp_recognition_companies(today, spread=False)
        )
        total, done, failed = len(units), 0, 0
        for company, batch in self._recognition_company_batches(units, batch_size):
            failures = self.with_company(company)._recognise_units(batch)
            done += len(batch) - len(failures)
            failed += len(failures)
            self.env["ir.cron"]._notify_progress(
                done=done, remaining=total - done - failed
            )
            if autocommit:
                # Safe: each entry of the batch is posted and linked to its
                # months, or its unit is left planned with its failure
                # logged; a crash later re-runs only what is still planned.
                self.env.cr.commit()  # pylint: disable=invalid-commit
            if time_budget and time.monotonic() - started > time_budget:
                return total - done - failed
        return 0

    @api.model
    def _recognition_company_batches(self, units, batch_size):
        """(company, batch) over ``units`` ({key: months}), company by
        company, each company's entries cut at its maximum of lines (the daily
        job and the workers take the same batches)."""
        by_company = {}
        for key, lines in units.items():
            by_company.setdefault(key[0], {})[key] = lines
        for company, company_units in by_company.items():
            for batch in self._recognition_batches(
                company_units, batch_size, company._msp_revenue_entry_max_lines()
            ):
                yield company, batch

    @api.model
    def _get_recognition_units(self, date_ref, companies=None):
        """The planned months due on ``date_ref`` (of ``companies`` when given),
        by the entry that posts them: ``{(company, journal, date, kind, part):
        months}``, ``part`` numbering the entries of one month cut at the
        company's maximum of lines."""
        # The fields the cut needs, read in one query: the months themselves
        # are read batch by batch, when a batch is formed (to count its entry
        # lines) and posted from that read. A month's run holds ids, not every
        # due month and schedule in the cache: memory flat in N.
        condition = SQL("line.state = 'planned' AND line.date <= %s", date_ref)
        if companies is not None:
            if not companies:
                return {}
            condition = SQL(
                "%s AND line.company_id IN %s", condition, tuple(companies.ids)
            )
        self.flush_model()
        self.env["msp.revenue.schedule"].flush_model()
        rows = self.env.execute_query(
            SQL(
                """
                SELECT line.id, line.company_id, schedule.journal_id, line.date,
                       line.kind, line.amount, schedule.partner_id,
                       schedule.income_account_id, schedule.deferred_account_id,
                       schedule.analytic_distribution
                  FROM msp_revenue_schedule_line line
                  JOIN msp_revenue_schedule schedule
                    ON schedule.id = line.schedule_id
                 WHERE %s
                 ORDER BY line.company_id, line.date, line.id
                """,
                condition,
            )
        )
        Company = self.env["res.company"].sudo()
        Journal = self.env["account.journal"].sudo()
        company_settings = {
            company.id: (
                company.currency_id,
                company.msp_revenue_entry_detail == "account",
                company._msp_revenue_entry_max_lines(),
            )
            for company in Company.browse({row[1] for row in rows})
        }
        groups = {}
        for (
            line_id,
            company_id,
            journal_id,
            day,
            kind,
            amount,
            partner_id,
            income_id,
            deferred_id,
            analytic,
        ) in rows:
            currency, by_account, __ = company_settings[company_id]
            keys = revenue.entry_keys(
                1 if currency.compare_amounts(amount, 0) > 0 else -1,
                income_id,
                deferred_id,
                False if by_account else (partner_id or False),
                analytic,
            )
            groups.setdefault((company_id, journal_id, day, kind), []).append(
                ((partner_id or False, line_id), line_id, keys)
            )
        lines = self.sudo()
        return {
            (Company.browse(company_id), Journal.browse(journal_id), day, kind, part): (
                lines.browse(chunk)
            )
            for (company_id, journal_id, day, kind), chunks in revenue.cut_entries(
                groups, lambda key: company_settings[key[0]][2]
            ).items()
            for part, chunk in enumerate(chunks)
        }

    def _group_recognition_entries(self, key_map=None):
        """{(company, journal, date, kind): [months of one entry, ...]}: these
        months by the entry that posts them, client by client, each entry cut
        at the company's maximum of lines (``key_map``: their
        ``_recognition_key_map`` when already read)."""
        keys = self._recognition_key_map() if key_map is None else key_map
        groups = {}
        for line in self:
            schedule = line.schedule_id
            groups.setdefault(
                (line.company_id, schedule.journal_id, line.date, line.kind), []
            ).append(((schedule.partner_id.id, line.id), line.id, keys[line.id]))
        return {
            key: [self.browse(chunk) for chunk in chunks]
            for key, chunks in revenue.cut_entries(
                groups, lambda key: key[0]._msp_revenue_entry_max_lines()
            ).items()
        }

    @api.model
    def _recognition_batches(self, units, batch_size, max_lines):
        """``units`` ({key: months}) in batches of at most ``batch_size``
        entries and ``max_lines`` entry lines (an entry alone may fill one)."""
        batch, size = {}, 0
        for key, lines in units.items():
            count = len(
                {k for pair in lines._recognition_key_map().values() for k in pair}
            )
            if batch and (len(batch) >= batch_size or size + count > max_lines):
                yield batch
                batch, size = {}, 0
            batch[key] = lines
            size += count
        if batch:
            yield batch

    @api.model
    def _recognise_units(self, units):
        """Post the entries of ``units`` together; if that fails on an error a
        user can fix (``UserError`` and its kinds), unit by unit, logging the
        ones that fail. Returns the keys of the units that failed."""
        lines = self.browse().union(*units.values())  # in this company's context
        try:
            with self.env.cr.savepoint():
                lines._post_recognition()
            return []
        except UserError as error:
            _logger.info(
                "Revenue recognition: a batch failed (%s), one entry at a time", error
            )
        failures = []
        # One savepoint around the retries: an unexpected error leaves nothing
        # of the batch written, its failure log included.
        with self.env.cr.savepoint():
            for key, unit in units.items():
                unit = self.browse(unit.ids)
                try:
                    with self.env.cr.savepoint():
                        unit._post_recognition()
                except UserError as error:
                    failures.append(key)
                    _logger.warning(
                        "Revenue recognition of %s, %s %s failed: %s",
                        key[0].name,
                        key[1].display_name,
                        key[2],
                        error,
                    )
                    self.env["msp.revenue.recognition.issue"]._log_failure(
                        key[:4], unit, error
                    )
        return failures

    def _lock_for_posting(self):
        """Lock the planned lines (two workers never post the same month)."""
        if not self:
            return self
        self.flush_recordset(["state"])
        rows = self.env.execute_query(
            SQL(
                """
                SELECT id FROM msp_revenue_schedule_line
                 WHERE id IN %s AND state = 'planned'
                   FOR UPDATE SKIP LOCKED
                """,
                tuple(self.ids),
            )
        )
        return self.browse([row[0] for row in rows])

    def _get_recognition_date(self, company, journal, day):
        """``day``, or the first open date after the company's lock dates."""
        locks = company._get_violated_lock_dates(day, False, journal)
        if locks:
            return locks[-1][0] + timedelta(days=1), locks
        return day, []

    def _post_recognition(self):
        """One entry per company, journal and month (cut at the company's
        maximum of lines): post them, link them back."""
        lines = self.sudo()._lock_for_posting()
        if not lines:
            return self.env["account.move"]
        moves_vals = []
        keys_per_move = []
        key_map = lines._recognition_key_map()
        for key, entries in lines._group_recognition_entries(key_map).items():
            for group in entries:
                vals, keys = group._prepare_recognition_move(*key, key_map=key_map)
                moves_vals.append(vals)
                keys_per_move.append((group, keys))
        # Balanced by construction (each month adds its amount to one line and
        # takes it from another): checked once, when the entries are posted,
        # not after each step of their creation. Entries are no invoices: the
        # invoice line synchronisation would only recompute debit and credit
        # once more. The items are created in one batch on their entries, not
        # as the entries' ``line_ids``: Odoo would first build each of them in
        # memory to precompute the entries' own fields.
        Move = self.env["account.move"].sudo().with_context(skip_invoice_sync=True)
        creating = Move.with_context(
            skip_invoice_line_sync=True, check_move_validity=False
        )
        items_per_move = [vals.pop("line_ids") for vals in moves_vals]
        moves = creating.create(moves_vals)
        items = creating.env["account.move.line"].create(
            [
                dict(vals, move_id=move.id)
                for move, move_items in zip(moves, items_per_move, strict=True)
                for __, __, vals in move_items
            ]
        )
        moves = Move.browse(moves.ids)
        self._cache_entry_items(
            moves, items, [len(move_items) for move_items in items_per_move]
        )
        moves._post(soft=False)
        for move, (group, keys) in zip(moves, keys_per_move, strict=True):
            move_lines = move.line_ids.sorted("id")
            per_item = {}
            for line in group:
                per_item.setdefault(keys[line.id], []).append(line.id)
            for index, line_ids in per_item.items():
                lines.browse(line_ids).write(
                    {
                        "state": "posted",
                        "move_id": move.id,
                        "date_posted": move.date,
                        "move_line_id": move_lines[index].id,
                    }
                )
        lines.schedule_id._update_state()
        return moves

    @api.model
    def _cache_entry_items(self, moves, items, counts):
        """Give ``moves`` their lines in the cache: the ``items`` just created
        for them, ``counts[i]`` of them for the i-th entry, in order.

        Posting reads the entries' lines (``line_ids`` and ``invoice_line_ids``),
        which creating the items leaves out of the cache (the first never
        read, the second dropped: its domain is on the items' display type).
        Read back from the database, every item's date, number and state
        would be written once before posting, for posting to write them
        again. New entries have no other lines than these."""
        field_lines = moves._fields["line_ids"]
        field_invoice_lines = moves._fields["invoice_line_ids"]
        start = 0
        for move, count in zip(moves, counts, strict=True):
            lines = items[start : start + count]
            start += count
            moves.env.cache.set(move, field_lines, lines._ids)
            moves.env.cache.set(
                move,
                field_invoice_lines,
                lines.filtered_domain(field_invoice_lines.get_domain_list(move))._ids,
            )

    def _recognition_key_map(self):
        """{month id: (income key, deferred key)}: the entry lines each of
        these months adds to, read in one pass. Lines merge on account,
        partner, analytic distribution (income) and side; the partner is the
        client, unless the company groups its entries by account
        (``msp_revenue_entry_detail``)."""
        by_account = {
            company
            for company in self.company_id
            if company.msp_revenue_entry_detail == "account"
        }
        result = {}
        for line in self:
            schedule = line.schedule_id
            result[line.id] = revenue.entry_keys(
                1 if schedule.currency_id.compare_amounts(line.amount, 0) > 0 else -1,
                schedule.income_account_id.id,
                schedule.deferred_account_id.id,
                False if line.company_id in by_account else schedule.partner_id.id,
                schedule.analytic_distribution,
            )
        return result

    def _prepare_recognition_move(self, company, journal, day, kind, key_map=None):
        """The values of the entry recognising these lines, and for each line the
        index of its deferred revenue item in the entry (``key_map``: their
        ``_recognition_key_map`` when already read)."""
        currency = company.currency_id
        accounting_date, locks = self._get_recognition_date(company, journal, day)
        month = day.strftime("%Y-%m")
        if kind == "reversal":
            ref = self.env._(
                "Reversal of recognised revenue (invoice reset to draft or cancelled)"
            )
        elif kind == "termination":
            ref = self.env._(
                "Revenue recognition %(month)s (agreement ended early)", month=month
            )
        else:
            ref = self.env._("Revenue recognition %(month)s", month=month)
        narration = False
        if locks:
            narration = self.env._(
                "Revenue of %(month)s posted on %(date)s, the first open date: "
                "%(locks)s.",
                month=month,
                date=accounting_date,
                locks=company._format_lock_dates(locks),
            )
            ref = self.env._(
                "%(ref)s (posted on first open date %(date)s)",
                ref=ref,
                date=accounting_date,
            )
        merged = {}
        line_keys = {}
        if key_map is None:
            key_map = self._recognition_key_map()
        for line in self:
            analytic = line.schedule_id.analytic_distribution or {}
            income_key, deferred_key = key_map[line.id]
            partner_id = income_key[2]
            for key, balance, distribution in (
                (income_key, -line.amount, analytic),
                (deferred_key, line.amount, False),
            ):
                entry = merged.setdefault(
                    key,
                    {
                        "account_id": key[1],
                        "partner_id": partner_id,
                        "analytic_distribution": distribution or False,
                        "balance": 0.0,
                    },
                )
                entry["balance"] += balance
            line_keys[line.id] = deferred_key
        # What Odoo computes for a journal entry line in company currency,
        # given: an entry of a thousand clients has two thousand lines, and
        # each field given is one Odoo does not compute (nor look up the
        # default of) line by line.
        line_defaults = {
            "currency_id": currency.id,
            "display_type": "product",
            "sequence": 100,
            "quantity": 1.0,
            "price_unit": 0.0,
            "discount": 0.0,
            "product_uom_id": False,
            "tax_ids": [],
            "tax_repartition_line_id": False,
        }
        order = list(merged)
        position = {key: index for index, key in enumerate(order)}
        line_vals = []
        for key in order:
            entry = merged[key]
            entry["balance"] = currency.round(entry["balance"])
            entry.update(line_defaults, name=ref, amount_currency=entry["balance"])
            line_vals.append(fields.Command.create(entry))
        return (
            {
                "move_type": "entry",
                "company_id": company.id,
                "journal_id": journal.id,
                "date": accounting_date,
                "ref": ref,
                "narration": narration,
                "line_ids": line_vals,
            },
            {line_id: position[key] for line_id, key in line_keys.items()},
        )
