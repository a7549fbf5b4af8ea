# Copyright 2026 msp_psa authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import logging
from collections import defaultdict
from datetime import timedelta

import psycopg2
from psycopg2.extras import execute_values

from odoo import api, fields, models

from ..tools import cron, labels, movement
from .msp_agreement import BILLING_MODELS
from .msp_agreement_addition_mrr import STEPS_MEMO

_logger = logging.getLogger(__name__)

PENDING_KEY = "msp.mrr.month.refresh"
# Agreements refreshed together (their clients' agreements included).
REFRESH_CHUNK = 1000
_ONE_DAY = timedelta(days=1)
MOVES = ("new", "expansion", "contraction", "churn", "reactivation")


class MspMrrMonth(models.Model):
    """An agreement's MRR movement in one month, in company currency.

    One row per agreement and month in which its MRR was not zero at the
    start or at the end: opening (the previous month's closing), new,
    expansion, contraction, churn, reactivation and closing, classified by
    ``tools/movement.py``. The MRR of a month is the agreement's MRR
    (``msp.agreement.mrr``, ``tools/mrr.py``) on the month's last day (today
    for the current month), counted while the agreement is in force and
    active or suspended on that day (its dated state log), converted at that
    day's rate.

    A derived table: refreshed for the agreements whose history changes (at
    the end of the transaction), and nightly for the current month.
    """

    _name = "msp.mrr.month"
    _description = "MSP MRR Movement"
    _order = "month desc, agreement_id"
    _rec_name = "agreement_id"

    month = fields.Date(required=True, readonly=True, index=True)
    agreement_id = fields.Many2one(
        "msp.agreement", required=True, readonly=True, index=True, ondelete="cascade"
    )
    partner_id = fields.Many2one("res.partner", string="Client", readonly=True)
    user_id = fields.Many2one("res.users", string="Account Manager", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True, index=True)
    currency_id = fields.Many2one("res.currency", readonly=True)
    billing_model = fields.Selection(BILLING_MODELS, readonly=True)
    opening_mrr = fields.Monetary(string="Opening MRR", readonly=True)
    new_mrr = fields.Monetary(string="New", readonly=True)
    expansion_mrr = fields.Monetary(string="Expansion", readonly=True)
    contraction_mrr = fields.Monetary(
        string="Contraction", readonly=True, help="A decrease: subtract it."
    )
    churn_mrr = fields.Monetary(
        string="Churn", readonly=True, help="MRR lost: subtract it."
    )
    reactivation_mrr = fields.Monetary(string="Reactivation", readonly=True)
    net_mrr = fields.Monetary(
        string="Net Change",
        readonly=True,
        help="New + expansion − contraction − churn + reactivation.",
    )
    closing_mrr = fields.Monetary(string="Closing MRR", readonly=True)
    closing_arr = fields.Monetary(string="Closing ARR", readonly=True)

    _sql_constraints = [
        (
            "agreement_month_uniq",
            "unique(agreement_id, month)",
            "An agreement has one MRR movement row a month.",
        ),
    ]

    @api.depends("agreement_id.name", "month")
    def _compute_display_name(self):
        for row in self:
            row.display_name = self.env._(
                "%(agreement)s, %(month)s",
                agreement=row.agreement_id.name or "",
                month=labels.fmt_month(row.month) if row.month else "",
            )

    # ------------------------------------------------------------------
    # Scheduling a refresh
    # ------------------------------------------------------------------
    @api.model
    def _msp_schedule_refresh(self, agreement_ids):
        """The MRR history of these agreements changed: refresh their rows
        when the transaction ends (once for all the changes of a request).
        Call it from anything that changes what an agreement's MRR was on a
        past or present day."""
        agreement_ids = {i for i in agreement_ids if i}
        if not agreement_ids:
            return
        data = self.env.cr.precommit.data
        pending = data.get(PENDING_KEY)
        if pending is None:
            pending = data[PENDING_KEY] = set()
            self.env.cr.precommit.add(self._msp_run_scheduled_refresh)
        pending.update(agreement_ids)

    def _msp_run_scheduled_refresh(self):
        """Refresh what the transaction scheduled, before it commits. A derived
        table must not stop the change that triggered it: an error (other than
        a database conflict, which retries the request) is logged and its
        rows are left as they were."""
        ids = self.env.cr.precommit.data.pop(PENDING_KEY, set())
        if not ids:
            return
        agreements = (
            self.env["msp.agreement"]
            .sudo()
            .with_context(active_test=False)
            .browse(ids)
            .exists()
        )
        try:
            with self.env.cr.savepoint(flush=False):
                self.sudo()._refresh(agreements)
        except psycopg2.OperationalError:
            raise
        except Exception:
            _logger.exception(
                "MRR movement of agreements %s not refreshed", agreements.ids
            )

    @api.model
    def _cron_refresh_current_month(self):
        """Nightly: the current month's rows read today's MRR; last month's
        rows are closed on its last day."""
        today = fields.Date.context_today(self)
        previous = movement.month_start(movement.month_start(today) - _ONE_DAY)
        self.env.cr.execute(
            """
            SELECT id FROM msp_agreement
             WHERE active AND state IN ('active', 'suspended')
             UNION
            SELECT agreement_id FROM msp_mrr_month
             WHERE month >= %s AND closing_mrr <> 0
            """,
            [previous],
        )
        ids = [row[0] for row in self.env.cr.fetchall()]
        agreements = self.env["msp.agreement"].with_context(active_test=False)
        self.sudo()._refresh(
            agreements.browse(ids), month_from=previous, commit=cron.may_commit()
        )
        return True

    # ------------------------------------------------------------------
    # Refresh
    # ------------------------------------------------------------------
    @api.model
    def _refresh(self, agreements, month_from=None, commit=False):
        """Compute again the rows of ``agreements`` (and of the other
        agreements of their clients, whose reactivations depend on each
        other) from ``month_from`` (default: their whole history) to the
        current month, by chunks of whole clients (each committed with
        ``commit``)."""
        if not agreements:
            return
        self.env.flush_all()
        Agreement = self.env["msp.agreement"].sudo().with_context(active_test=False)
        partner_ids = list(set(agreements.sudo().mapped("partner_id").ids))
        self.env.cr.execute(
            "SELECT partner_id, id FROM msp_agreement WHERE partner_id = ANY(%s)"
            " ORDER BY partner_id, id",
            [partner_ids],
        )
        by_partner = defaultdict(list)
        for partner_id, agreement_id in self.env.cr.fetchall():
            by_partner[partner_id].append(agreement_id)
        chunks, chunk = [], []
        for ids in by_partner.values():
            chunk.extend(ids)
            if len(chunk) >= REFRESH_CHUNK:
                chunks.append(chunk)
                chunk = []
        if chunk:
            chunks.append(chunk)
        for chunk in chunks:
            self._refresh_chunk(Agreement.browse(chunk), month_from)
            if commit:
                # Safe: a chunk's rows are complete (whole clients); a crash
                # later leaves the other chunks as the night before.
                self.env.cr.commit()  # pylint: disable=invalid-commit

    def _read_state_steps(self, agreements):
        """{agreement id: [(date, state)]} in order, one query."""
        steps = defaultdict(list)
        for entry in (
            self.env["msp.agreement.state.log"]
            .sudo()
            .search_read(
                [("agreement_id", "in", agreements.ids)],
                ["agreement_id", "date", "state"],
                order="date, id",
                load=None,
            )
        ):
            steps[entry["agreement_id"]].append((entry["date"], entry["state"]))
        return steps

    def _read_mrr_series(self, agreements, months, today):
        """{agreement: [MRR in company currency per month]} of the agreements
        whose MRR counts, each month read with the agreement's own MRR on the
        month's measure day (``msp.agreement.mrr`` in the context's date)."""
        steps = self._read_state_steps(agreements)
        candidates = agreements.filtered(
            lambda a: a.active and movement.state_on(a.date_start, steps[a.id])
        )
        series = {a: [0.0] * len(months) for a in agreements}
        for i, month in enumerate(months):
            day = movement.measure_day(month, today)
            live = candidates.filtered(
                lambda a, d=day: movement.live_on(
                    d, a.date_start, a.date_end, a.auto_renew, steps[a.id]
                )
            )
            for agreement in live.with_context(date=day):
                amount = agreement.mrr
                company = agreement.company_id
                if agreement.currency_id != company.currency_id:
                    amount = agreement.currency_id._convert(
                        amount, company.currency_id, company, day
                    )
                series[agreement][i] = amount
        return series

    def _refresh_chunk(self, agreements, month_from):
        today = fields.Date.context_today(self)
        starts = [a.date_start for a in agreements if a.date_start]
        if not starts:
            return
        first = movement.month_start(min(starts))
        if month_from:
            first = max(first, movement.month_start(month_from))
        months = movement.months_between(first, today)
        self.env.cr.cache[STEPS_MEMO] = {}
        try:
            agreements.addition_ids._read_quantity_steps()  # one read for all
            series = self._read_mrr_series(agreements, months, today)
        finally:
            self.env.cr.cache.pop(STEPS_MEMO, None)
        opening, seen = self._read_before(agreements, first)
        groups = defaultdict(list)
        for agreement in agreements:
            groups[agreement.company_id, agreement.partner_id].append(agreement)
        rows = []
        now = fields.Datetime.now()
        uid = self.env.uid
        for (company, partner), members in groups.items():
            result = movement.client_movements(
                {a.id: series[a] for a in members},
                opening={a.id: opening.get(a.id, 0.0) for a in members},
                seen={a.id for a in members if a.id in seen},
                client_seen=any(a.id in seen for a in members),
                digits=company.currency_id.decimal_places,
            )
            for agreement in members:
                for month, row in zip(months, result[agreement.id], strict=True):
                    if not row["opening"] and not row["closing"]:
                        continue
                    net = sum(
                        row[m] * (-1 if m in ("contraction", "churn") else 1)
                        for m in MOVES
                    )
                    rows.append(
                        (
                            month,
                            agreement.id,
                            partner.id,
                            agreement.user_id.id or None,
                            company.id,
                            company.currency_id.id,
                            agreement.billing_model,
                            row["opening"],
                            row["new"],
                            row["expansion"],
                            row["contraction"],
                            row["churn"],
                            row["reactivation"],
                            company.currency_id.round(net),
                            row["closing"],
                            company.currency_id.round(12 * row["closing"]),
                            uid,
                            now,
                            uid,
                            now,
                        )
                    )
        self.env.cr.execute(
            "DELETE FROM msp_mrr_month WHERE agreement_id = ANY(%s) AND month >= %s",
            [agreements.ids, first],
        )
        if rows:
            execute_values(
                self.env.cr._obj,
                """
                INSERT INTO msp_mrr_month (
                    month, agreement_id, partner_id, user_id, company_id,
                    currency_id, billing_model, opening_mrr, new_mrr,
                    expansion_mrr, contraction_mrr, churn_mrr, reactivation_mrr,
                    net_mrr, closing_mrr, closing_arr,
                    create_uid, create_date, write_uid, write_date
                ) VALUES %s
                """,
                rows,
                page_size=1000,
            )
        self.invalidate_model()
        # the chunk's agreements, additions and logs leave the cache
        agreements.invalidate_recordset()
        agreements.addition_ids.invalidate_recordset()

    def _read_before(self, agreements, first):
        """(closing of the month before ``first``, agreements with MRR before
        ``first``) from the rows already stored."""
        self.env.cr.execute(
            """
            SELECT agreement_id,
                   sum(closing_mrr) FILTER (WHERE month = %s),
                   bool_or(closing_mrr > 0 OR opening_mrr > 0)
              FROM msp_mrr_month
             WHERE agreement_id = ANY(%s) AND month < %s
             GROUP BY agreement_id
            """,
            [movement.month_start(first - _ONE_DAY), agreements.ids, first],
        )
        opening, seen = {}, set()
        for agreement_id, closing, had in self.env.cr.fetchall():
            opening[agreement_id] = closing or 0.0
            if had:
                seen.add(agreement_id)
        return opening, seen
