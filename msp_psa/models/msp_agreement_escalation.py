# Copyright 2026 msp_psa authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Price escalation of ``msp.agreement``: once per anniversary.

The rule (none, a fixed %, a price index, with a cap and a floor, from the
start anniversary or a chosen date), the nightly action that applies each
due anniversary exactly once (``_cron_apply_escalations``), the notice sent
to the client before, and the plan the dry run shows. The arithmetic is in
``tools/escalation.py``; the audit rows are ``msp.agreement.escalation``.
"""

import logging
import math
import time
from datetime import timedelta

from psycopg2 import IntegrityError, OperationalError

from odoo import api, fields, models
from odoo.exceptions import AccessError, ValidationError
from odoo.tools import SQL

from ..tools import coverage, cron, periods
from ..tools import escalation as esc
from ..tools import mrr as mrr_tools

_logger = logging.getLogger(__name__)

ESCALATION_RULES = [
    ("none", "No Escalation"),
    ("fixed", "Fixed Percentage"),
    ("index", "Price Index"),
]
MANAGER_GROUP = "msp_psa.group_msp_psa_manager"
# Tries at taking a batch when a concurrent worker's commit gets in the way.
LOCK_ATTEMPTS = 5
QUIET = {
    "tracking_disable": True,
    "mail_create_nolog": True,
    "mail_create_nosubscribe": True,
    "mail_notrack": True,
}


# One concern per file, on purpose (issue 11.1): the agreement's definition,
# its billing, its block ledger, its price escalation.
class MspAgreement(models.Model):
    _inherit = "msp.agreement"  # pylint: disable=consider-merging-classes-inherited

    escalation_rule = fields.Selection(
        ESCALATION_RULES,
        string="Price Escalation",
        required=True,
        default="none",
        tracking=True,
        help="How the prices (fixed fee, block, recurring additions not exempt) "
        "change once a year: by a fixed percentage, or by a price index "
        "(value on the anniversary ÷ value a year before).",
    )
    escalation_percent = fields.Float(
        string="Yearly Change (%)",
        digits=(16, 2),
        tracking=True,
        help="E.g. 3 for +3 % a year; a negative number lowers the prices.",
    )
    escalation_index_id = fields.Many2one(
        "msp.price.index", string="Price Index", tracking=True
    )
    escalation_use_cap = fields.Boolean(string="Cap", tracking=True)
    escalation_cap_percent = fields.Float(
        string="Cap (%)",
        digits=(16, 2),
        tracking=True,
        help="The largest yearly change, e.g. 5 for at most +5 %.",
    )
    escalation_use_floor = fields.Boolean(string="Floor", tracking=True)
    escalation_floor_percent = fields.Float(
        string="Floor (%)",
        digits=(16, 2),
        tracking=True,
        help="The smallest yearly change, e.g. 0 for never a decrease.",
    )
    escalation_anchor = fields.Selection(
        [("start", "Start Anniversary"), ("date", "Chosen Date")],
        string="Escalates On",
        required=True,
        default="start",
        tracking=True,
    )
    escalation_date = fields.Date(
        string="First Escalation",
        tracking=True,
        help="The first escalation date; then every year on that day.",
    )
    escalation_notice_days = fields.Integer(
        string="Notice (days)",
        default=30,
        help="Days before an escalation the client is sent the notice of the "
        "coming prices (0: no notice).",
    )
    escalation_ids = fields.One2many(
        "msp.agreement.escalation", "agreement_id", string="Escalations", readonly=True
    )
    escalation_count = fields.Integer(compute="_compute_escalation_count")
    escalation_date_next = fields.Date(
        string="Next Escalation",
        compute="_compute_escalation_date_next",
        store=True,
        index="btree_not_null",
        help="The first anniversary not applied yet (empty: no rule, or after "
        "the end of a term that does not renew).",
    )
    escalation_date_notice = fields.Date(
        string="Escalation Notice On",
        compute="_compute_escalation_date_next",
        store=True,
        index="btree_not_null",
        help="When the scheduled action looks at the next escalation: its "
        "notice date, or the escalation date itself without a notice.",
    )

    # ------------------------------------------------------------------
    # Computes
    # ------------------------------------------------------------------
    def _msp_escalation_first(self):
        """The first escalation date (tools/escalation.py)."""
        self.ensure_one()
        return esc.first_anniversary(
            self.date_start,
            self.escalation_date if self.escalation_anchor == "date" else None,
        )

    @api.depends(
        "escalation_rule",
        "escalation_anchor",
        "escalation_date",
        "escalation_notice_days",
        "date_start",
        "date_end",
        "auto_renew",
        "state",
        "escalation_ids.state",
        "escalation_ids.anniversary",
    )
    def _compute_escalation_date_next(self):
        for agreement in self:
            day = False
            if agreement.escalation_rule != "none" and agreement.date_start:
                # An expired agreement's anniversaries are reported once, not
                # retried; the others' until they apply.
                done = agreement.escalation_ids.filtered(
                    lambda r, a=agreement: (
                        r.state == "applied"
                        or (a.state == "expired" and r.state == "not_applied")
                    )
                )
                first = agreement._msp_escalation_first()
                day = esc.next_anniversary(
                    first, max(done.mapped("anniversary"), default=None)
                )
                if not coverage.in_force(
                    day, agreement.date_start, agreement.date_end, agreement.auto_renew
                ):
                    day = False
            agreement.escalation_date_next = day
            agreement.escalation_date_notice = day and day - timedelta(
                days=max(agreement.escalation_notice_days, 0)
            )

    def _compute_escalation_count(self):
        counts = self._count_related("msp.agreement.escalation", field="agreement_id")
        for agreement in self:
            agreement.escalation_count = counts.get(agreement, 0)

    # ------------------------------------------------------------------
    # Constraints
    # ------------------------------------------------------------------
    @api.constrains(
        "escalation_rule",
        "escalation_percent",
        "escalation_index_id",
        "escalation_use_cap",
        "escalation_cap_percent",
        "escalation_use_floor",
        "escalation_floor_percent",
        "escalation_anchor",
        "escalation_date",
        "escalation_notice_days",
        "date_start",
    )
    def _check_escalation(self):
        for agreement in self:
            name = agreement.display_name
            percents = {
                self.env._("yearly change"): agreement.escalation_percent,
                self.env._("cap"): agreement.escalation_cap_percent,
                self.env._("floor"): agreement.escalation_floor_percent,
            }
            for what, value in percents.items():
                if not math.isfinite(value) or value < -100:
                    shown = f"{value:.2f}"
                    raise ValidationError(
                        self.env._(
                            "Agreement %(agreement)s: a %(what)s of %(value)s %% "
                            "would make prices negative; it cannot be below "
                            "-100 %%.",
                            agreement=name,
                            what=what,
                            value=shown,
                        )
                    )
            if (
                agreement.escalation_use_cap
                and agreement.escalation_use_floor
                and agreement.escalation_cap_percent
                < agreement.escalation_floor_percent
            ):
                cap = f"{agreement.escalation_cap_percent:.2f}"
                floor = f"{agreement.escalation_floor_percent:.2f}"
                raise ValidationError(
                    self.env._(
                        "Agreement %(agreement)s: the cap (%(cap)s %%) is under the "
                        "floor (%(floor)s %%).",
                        agreement=name,
                        cap=cap,
                        floor=floor,
                    )
                )
            if agreement.escalation_rule == "index" and not (
                agreement.escalation_index_id
            ):
                raise ValidationError(
                    self.env._(
                        "Agreement %(agreement)s escalates by a price index: "
                        "choose the index.",
                        agreement=name,
                    )
                )
            if agreement.escalation_anchor == "date" and (
                agreement.escalation_rule != "none"
            ):
                if not agreement.escalation_date:
                    raise ValidationError(
                        self.env._(
                            "Agreement %(agreement)s escalates on a chosen date: "
                            "choose the date of the first escalation.",
                            agreement=name,
                        )
                    )
                if agreement.escalation_date <= agreement.date_start:
                    raise ValidationError(
                        self.env._(
                            "Agreement %(agreement)s: the first escalation "
                            "(%(date)s) must come after the start (%(start)s).",
                            agreement=name,
                            date=agreement.escalation_date,
                            start=agreement.date_start,
                        )
                    )
            if agreement.escalation_notice_days < 0:
                raise ValidationError(
                    self.env._(
                        "Agreement %(agreement)s: the escalation notice cannot be "
                        "negative (%(days)s days).",
                        agreement=name,
                        days=agreement.escalation_notice_days,
                    )
                )

    # ------------------------------------------------------------------
    # The plan: what each due anniversary does
    # ------------------------------------------------------------------
    def _msp_escalation_prices(self):
        """{(component, addition or None): price} that escalate today: the
        fixed fee, the block, the recurring additions not exempt that still
        run (not ended)."""
        self.ensure_one()
        prices = {}
        if self.fixed_fee:
            prices["fee", None] = self.fixed_fee
        if self.block_hours and self.block_price:
            prices["block", None] = self.block_price
        for addition in self.addition_ids:
            if (
                addition.recurrence == "recurring"
                and not addition.escalation_exempt
                and addition.price_unit
            ):
                prices["addition", addition] = addition.price_unit
        return prices

    def _msp_mrr_with(self, prices, day):
        """The MRR (tools/mrr.py) on ``day`` with ``prices`` for the escalated
        components, at today's quantities."""
        self.ensure_one()
        currency = self.currency_id
        amounts = []
        for addition in self.addition_ids:
            if addition.recurrence != "recurring" or not mrr_tools.in_service(
                addition.date_start, addition.date_end, day
            ):
                continue
            price = prices.get(("addition", addition), addition.price_unit)
            amounts.append(currency.round(addition.billable_quantity * price))
        fee = prices.get(("fee", None), self.fixed_fee)
        block = currency.round(
            mrr_tools.block_monthly(
                self.block_hours,
                prices.get(("block", None), self.block_price),
                periods.CYCLE_MONTHS[self.billing_cycle],
            )
        )
        return currency.round(mrr_tools.monthly_recurring(fee, block, amounts))

    def _msp_escalation_steps(self, date_to, series, date_from=None):
        """{agreement: [step]}: every anniversary of these agreements from
        their next escalation up to ``date_to`` (those before ``date_from``
        left out of the result but still compounded), each a dict::

            {"anniversary", "rule", "percent", "percent_computed", "reason",
             "reason_note", "index values...", "lines": [(component,
             addition, old, new)], "mrr_old", "mrr_new"}

        Steps follow each other: the second anniversary escalates the first's
        prices. One that cannot apply (suspended, missing index value...)
        blocks the ones after it. ``series`` is ``_read_series`` of the
        indexes. No query per agreement beyond the prefetched records."""
        plan = {}
        for agreement in self:
            if (
                agreement.escalation_rule == "none"
                or not agreement.escalation_date_next
            ):
                continue
            days = esc.anniversaries_between(
                agreement._msp_escalation_first(),
                agreement.escalation_date_next,
                date_to,
            )
            prices = agreement._msp_escalation_prices()
            blocked, steps = None, []
            for day in days:
                if not agreement._msp_in_force(day):
                    break
                step = agreement._msp_escalation_step(day, prices, series)
                if blocked and not step["reason"]:
                    step["reason"] = "blocked"
                    step["reason_note"] = self.env._(
                        "%(date)s not applied", date=blocked
                    )
                if step["reason"]:
                    blocked = blocked or day
                else:
                    prices = {key: new for key, _a, _o, new in step.pop("_keys")}
                if not date_from or day >= date_from:
                    steps.append(step)
            if steps:
                plan[agreement] = steps
        return plan

    def _msp_escalation_step(self, day, prices, series):
        """One anniversary of this agreement from ``prices`` (see
        ``_msp_escalation_steps``)."""
        self.ensure_one()
        step = {
            "anniversary": day,
            "rule": self.escalation_rule,
            "reason": False,
            "reason_note": False,
            "percent": 0.0,
            "percent_computed": 0.0,
            "index_id": False,
            "index_date_now": False,
            "index_value_now": 0.0,
            "index_date_before": False,
            "index_value_before": 0.0,
        }
        now = before = None
        if self.escalation_rule == "index":
            values = series.get(self.escalation_index_id.id, [])
            day_now, day_before = esc.index_dates(day)
            now = esc.index_value_on(values, day_now)
            before = esc.index_value_on(values, day_before)
            step.update(
                index_id=self.escalation_index_id.id,
                index_date_now=day_now,
                index_value_now=now or 0.0,
                index_date_before=day_before,
                index_value_before=before or 0.0,
            )
        cap = self.escalation_cap_percent if self.escalation_use_cap else None
        floor = self.escalation_floor_percent if self.escalation_use_floor else None
        percent, reason = esc.percent_change(
            self.escalation_rule, self.escalation_percent, now, before, cap, floor
        )
        if reason:
            missing = [
                d
                for d, v in ((step["index_date_before"], before), (day, now))
                if v is None or (reason == esc.ZERO_INDEX and not v)
            ]
            step["reason"] = reason
            step["reason_note"] = self.env._(
                "%(index)s has no value on or before %(dates)s",
                index=self.escalation_index_id.name,
                dates=", ".join(str(d) for d in missing),
            )
        else:
            step["percent"] = percent
            step["percent_computed"] = esc.percent_change(
                self.escalation_rule, self.escalation_percent, now, before
            )[0]
        rounding = self.currency_id.rounding
        keys = []
        for (component, addition), old in prices.items():
            if addition and addition.date_end and addition.date_end < day:
                continue
            new = old if reason else esc.escalate(old, percent, rounding)
            keys.append(((component, addition), addition, old, new))
        step["_keys"] = keys
        step["lines"] = [
            (key[0], addition, old, new) for key, addition, old, new in keys
        ]
        if not reason and not keys:
            step["reason"] = "nothing"
        if not step["reason"] and self.state in ("suspended", "expired"):
            step["reason"] = self.state
        step["mrr_old"] = self._msp_mrr_with(prices, day)
        step["mrr_new"] = self._msp_mrr_with(
            {key: new for key, _a, _o, new in keys}, day
        )
        return step

    # ------------------------------------------------------------------
    # Applying
    # ------------------------------------------------------------------
    def _msp_apply_escalation_prices(self, vals_list):
        """Apply escalated prices: ``vals_list`` of ``{agreement_id,
        addition_id (False for fee/block), component ("fee"|"block"|
        "addition"), date, price_new, source, note}``.

        The one place prices change by escalation: each price is logged in the
        dated price history (``msp.agreement.price``) from its anniversary, so
        the billing engine prorates it inside a period and settles a period
        billed already in advance on the next invoice; past invoices are
        never re-priced. The caller checked the user's rights (manager-only
        apply, or the cron)."""
        if not vals_list:
            return
        # sudo: the price log is written by the system only
        self.env["msp.agreement.price"].sudo().create(
            [dict(vals, source="escalation") for vals in vals_list]
        )

    def _msp_escalation_row_vals(self, step):
        self.ensure_one()
        return {
            "agreement_id": self.id,
            # the related stored fields given: not computed row by row
            "company_id": self.company_id.id,
            "partner_id": self.partner_id.id,
            "anniversary": step["anniversary"],
            "rule": step["rule"],
            "reason": step["reason"] or False,
            "reason_note": step["reason_note"] or False,
            "percent": step["percent"],
            "percent_computed": step["percent_computed"],
            "index_id": step["index_id"],
            "index_date_now": step["index_date_now"],
            "index_value_now": step["index_value_now"],
            "index_date_before": step["index_date_before"],
            "index_value_before": step["index_value_before"],
            "mrr_old": step["mrr_old"],
            "mrr_new": step["mrr_new"],
            "line_ids": [fields.Command.clear()]
            + [
                fields.Command.create(
                    {
                        "company_id": self.company_id.id,
                        "sequence": position,
                        "component": component,
                        "addition_id": addition.id if addition else False,
                        "price_old": old,
                        "price_new": new,
                    }
                )
                for position, (component, addition, old, new) in enumerate(
                    step["lines"]
                )
            ],
        }

    def _msp_escalate(self, date_ref, notify=True):
        """Apply every anniversary of these agreements due on ``date_ref``,
        report those that cannot apply, and send the notices due. Batched:
        a fixed number of queries for the whole recordset (reads, then the
        audit rows created together, the prices written grouped by value).

        The caller holds a lock on the agreements; the audit row's unique
        (agreement, anniversary) makes a second application impossible.
        Returns the audit rows applied."""
        agreements = self.with_context(**QUIET)
        Row = self.env["msp.agreement.escalation"].sudo().with_context(**QUIET)
        series = agreements.escalation_index_id._read_series(
            date_ref + timedelta(days=366)
        )
        # what exists: one read for the batch
        existing = {
            (row.agreement_id.id, row.anniversary): row
            for row in Row.search([("agreement_id", "in", agreements.ids)])
        }
        plan = agreements._msp_escalation_steps(date_ref, series)
        create_vals, updates, price_vals = [], [], []
        now, user = fields.Datetime.now(), self.env.user
        for agreement, steps in plan.items():
            for step in steps:
                row = existing.get((agreement.id, step["anniversary"]))
                if row and row.state == "applied":
                    continue
                if (
                    row
                    and row.state == "not_applied"
                    and (
                        row.reason == step["reason"]
                        and row.reason_note == (step["reason_note"] or False)
                    )
                ):
                    continue  # reported already, nothing new
                vals = agreement._msp_escalation_row_vals(step)
                if step["reason"]:
                    vals["state"] = "not_applied"
                else:
                    vals.update(state="applied", user_id=user.id, date_applied=now)
                    percent = f"{step['percent']:+.2f}"
                    price_vals += [
                        {
                            "agreement_id": agreement.id,
                            "addition_id": addition.id if addition else False,
                            "component": component,
                            "date": step["anniversary"],
                            "price_new": new,
                            "source": "escalation",
                            "note": self.env._(
                                "Escalation of %(date)s: %(percent)s %%",
                                date=step["anniversary"],
                                percent=percent,
                            ),
                        }
                        for component, addition, _old, new in step["lines"]
                    ]
                if row:
                    updates.append((row, vals))
                else:
                    create_vals.append(vals)
        rows = Row.create(create_vals)
        for row, vals in updates:
            row.write(vals)
            rows |= row
        # the audit row is the record of it (the agreement's Escalations
        # button): no chatter message per agreement in a nightly batch
        agreements._msp_apply_escalation_prices(price_vals)
        applied = rows.filtered(lambda r: r.state == "applied")
        if notify:
            agreements._msp_send_escalation_notices(date_ref, series, existing)
        return applied

    def _msp_send_escalation_notices(self, date_ref, series, existing):
        """Tell the clients of the next escalation ``escalation_notice_days``
        before it, once per anniversary: the row created *Notified* (with the
        prices expected from the index values known today) marks it sent."""
        due = self.filtered(
            lambda a: (
                a.state == "active"
                and a.escalation_notice_days > 0
                and a.escalation_date_next
                and a.escalation_date_notice <= date_ref < a.escalation_date_next
                and (a.id, a.escalation_date_next) not in existing
            )
        )
        plan = due._msp_escalation_steps(
            max(due.mapped("escalation_date_next"), default=date_ref), series
        )
        vals_list = []
        for agreement, steps in plan.items():
            step = steps[0]
            if step["reason"] or step["anniversary"] != agreement.escalation_date_next:
                continue  # nothing sure to announce: the night of the date says why
            vals = agreement._msp_escalation_row_vals(step)
            vals.update(state="planned", notice_date=date_ref)
            vals_list.append(vals)
        rows = (
            self.env["msp.agreement.escalation"]
            .sudo()
            .with_context(**QUIET)
            .create(vals_list)
        )
        template = self.env.ref(
            "msp_psa.mail_template_msp_escalation_notice", raise_if_not_found=False
        )
        if rows and template:
            template.sudo().send_mail_batch(rows.ids)
        return rows

    # ------------------------------------------------------------------
    # The nightly action
    # ------------------------------------------------------------------
    @api.model
    def _msp_escalation_due_sql(self, date_ref, exclude, agreement_ids=None):
        conditions = [
            SQL("escalation_rule != 'none'"),
            SQL("state IN ('active', 'suspended', 'expired')"),
            SQL("active"),
            SQL("escalation_date_notice <= %s", date_ref),
        ]
        if exclude:
            conditions.append(SQL("NOT (id = ANY(%s))", list(exclude)))
        if agreement_ids is not None:
            conditions.append(SQL("id = ANY(%s)", list(agreement_ids)))
        return SQL(" AND ").join(conditions)

    @api.model
    def _msp_lock_escalation_batch(
        self, date_ref, batch_size, exclude, agreement_ids, autocommit
    ):
        """A batch of agreements with something to do, that no other worker
        holds (``FOR UPDATE SKIP LOCKED``, as the billing run)."""
        self.flush_model()
        query = SQL(
            "SELECT id FROM msp_agreement WHERE %s ORDER BY id LIMIT %s"
            " FOR UPDATE SKIP LOCKED",
            self._msp_escalation_due_sql(date_ref, exclude, agreement_ids),
            batch_size,
        )
        for attempt in range(LOCK_ATTEMPTS):
            try:
                with self.env.cr.savepoint(flush=False):
                    self.env.cr.execute(query)
                    return self.browse([row[0] for row in self.env.cr.fetchall()])
            except OperationalError:
                if not autocommit or attempt == LOCK_ATTEMPTS - 1:
                    raise
                # a concurrent worker committed rows this snapshot still sees
                # as due: start a fresh transaction and look again
                self.env.cr.rollback()
                time.sleep(0.05 * (attempt + 1))
        return self.browse()

    @api.model
    def _cron_apply_escalations(
        self, date_ref=None, batch_size=500, agreement_ids=None
    ):
        """Nightly: apply each due anniversary's escalation exactly once,
        report those that cannot apply, send the notices due. Batches of
        locked agreements, each committed with the action's progress; safe
        to run again or in several workers at once (the unique audit row).
        Returns the number of agreements processed."""
        date_ref = date_ref or fields.Date.context_today(self)
        autocommit = cron.may_commit()
        done, seen = 0, set()
        while True:
            batch = self._msp_lock_escalation_batch(
                date_ref, batch_size, seen, agreement_ids, autocommit
            )
            if not batch:
                break
            seen.update(batch.ids)
            try:
                with self.env.cr.savepoint():
                    batch._msp_escalate(date_ref)
            except IntegrityError:
                # Another worker applied one of these anniversaries in a
                # transaction this one could not see: its row stands, this
                # batch is rolled back and looked at again by the next run.
                _logger.info(
                    "Price escalation: batch of %s agreements already handled "
                    "by another worker",
                    len(batch),
                )
            done += len(batch)
            self.env["ir.cron"]._notify_progress(done=done, remaining=0)
            if autocommit:
                # Safe: the batch's rows and prices are complete and consistent.
                self.env.cr.commit()  # pylint: disable=invalid-commit
        return done

    # ------------------------------------------------------------------
    # Buttons
    # ------------------------------------------------------------------
    def _msp_check_escalation_manager(self):
        if not self.env.su and not self.env.user.has_group(MANAGER_GROUP):
            raise AccessError(
                self.env._("Only an MSP Manager can apply price escalations.")
            )

    def action_apply_escalations(self):
        """Apply the escalations of these agreements due today (managers;
        never one whose date has not come, whatever the caller sends)."""
        self._msp_check_escalation_manager()
        self.env["msp.agreement"].sudo()._cron_apply_escalations(agreement_ids=self.ids)
        return True

    def action_view_escalations(self):
        return self._action_related(
            "msp_psa.msp_agreement_escalation_action", create=False
        )

    def _msp_portal_page_values(self):
        values = super()._msp_portal_page_values()
        today = fields.Date.context_today(self)
        values["msp_escalations"] = self.escalation_ids.filtered(
            lambda r: r.state == "planned" and r.anniversary >= today
        ).sorted("anniversary")
        return values
