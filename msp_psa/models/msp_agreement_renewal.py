# Copyright 2026 msp_psa authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""The renewals queue of ``msp.agreement``: the term a renewal decision is
about, its decision date, its bucket and status, the account manager's
reminders, and the nightly renewal or expiry at the end of the term. Date
arithmetic in ``tools/renewals.py``."""

from collections import defaultdict
from datetime import timedelta

from psycopg2.extras import execute_values

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import format_date

from ..tools import periods
from ..tools import renewals as renewal_tools

RENEWAL_STATUSES = [
    ("to_review", "To Review"),
    ("proposal_sent", "Proposal Sent"),
    ("accepted", "Accepted"),
    ("auto", "Renewing Automatically"),
    ("not_renewing", "Not Renewing"),
    ("lapsed", "Lapsed"),
]
LIVE_STATES = ("active", "suspended")
# Statuses still waiting for a decision: they lapse when the decision date passes.
UNDECIDED = ("to_review", "proposal_sent")
# Statuses whose account manager gets the reminder steps.
REMINDED = ("to_review", "proposal_sent", "auto")


class MspAgreement(models.Model):
    _inherit = "msp.agreement"  # pylint: disable=consider-merging-classes-inherited

    renewal_term_end = fields.Date(
        string="Term Ending",
        compute="_compute_renewal_term_end",
        store=True,
        help="Last day of the term the renewal decision is about: the end date, or "
        "for an open-ended agreement the day before its next anniversary.",
    )
    renewal_decision_date = fields.Date(
        string="Decision Date",
        compute="_compute_renewal_decision_date",
        store=True,
        index=True,
        help="The term's end less the renewal notice days: renew, change or end the "
        "agreement by then.",
    )
    renewal_bucket = fields.Selection(
        renewal_tools.BUCKETS,
        string="Decision Due",
        compute="_compute_renewal_bucket",
        store=True,
        help="How far the decision date is from today; kept current by the nightly "
        "renewals action.",
    )
    renewal_status = fields.Selection(
        RENEWAL_STATUSES,
        compute="_compute_renewal_status",
        store=True,
        readonly=False,
        tracking=True,
        copy=False,
        index=True,
    )
    renewal_step_ids = fields.One2many(
        "msp.agreement.renewal.step", "agreement_id", string="Renewal Reminders"
    )

    @api.depends("date_start", "date_end")
    def _compute_renewal_term_end(self):
        today = fields.Date.context_today(self)
        for agreement in self:
            agreement.renewal_term_end = renewal_tools.term_end_for_decision(
                agreement.date_start, agreement.date_end, today
            )

    @api.depends("renewal_term_end", "renewal_notice_days")
    def _compute_renewal_decision_date(self):
        for agreement in self:
            agreement.renewal_decision_date = renewal_tools.decision_date(
                agreement.renewal_term_end, agreement.renewal_notice_days
            )

    @api.depends("renewal_decision_date", "state")
    def _compute_renewal_bucket(self):
        today = fields.Date.context_today(self)
        for agreement in self:
            agreement.renewal_bucket = (
                agreement.state in LIVE_STATES
                and renewal_tools.bucket(agreement.renewal_decision_date, today)
            )

    @api.depends("auto_renew")
    def _compute_renewal_status(self):
        for agreement in self:
            status = agreement.renewal_status
            if agreement.auto_renew and status in (False, "to_review"):
                agreement.renewal_status = "auto"
            elif not agreement.auto_renew and status in (False, "auto"):
                agreement.renewal_status = "to_review"
            else:
                agreement.renewal_status = status

    # ------------------------------------------------------------------
    # Buttons
    # ------------------------------------------------------------------
    def _set_renewal_status(self, status, allowed):
        self._check_state(LIVE_STATES, self.env._("decide the renewal of"))
        wrong = self.filtered(lambda a: a.renewal_status not in allowed)
        if wrong:
            raise UserError(
                self.env._(
                    "%(agreements)s: the renewal is %(status)s; it cannot be marked "
                    "%(new)s.",
                    agreements=", ".join(wrong.mapped("display_name")),
                    status=dict(RENEWAL_STATUSES)[wrong[0].renewal_status].lower(),
                    new=dict(RENEWAL_STATUSES)[status].lower(),
                )
            )
        self.write({"renewal_status": status})
        return True

    def action_renewal_proposal_sent(self):
        return self._set_renewal_status(
            "proposal_sent", ("to_review", "auto", "lapsed")
        )

    def action_renewal_accept(self):
        return self._set_renewal_status(
            "accepted", ("to_review", "proposal_sent", "auto", "lapsed")
        )

    def action_renewal_not_renewing(self):
        """The client or the MSP ends the agreement at the end of its term:
        billing stops there (the last period prorated) and the nightly action
        expires it. An open-ended agreement gets the end of its current year."""
        self._set_renewal_status(
            "not_renewing", ("to_review", "proposal_sent", "auto", "lapsed")
        )
        for agreement in self.filtered(lambda a: not a.date_end):
            agreement.date_end = agreement.renewal_term_end
        for agreement in self:
            agreement.message_post(
                body=self.env._(
                    "Not renewing: billing stops on %(date)s and the agreement "
                    "expires after it.",
                    date=format_date(self.env, agreement.date_end),
                )
            )
        return True

    def action_renewal_review(self):
        """Back to the queue, undecided (renewing automatically when set so).
        An open-ended agreement marked not renewing is open-ended again."""
        self._check_state(LIVE_STATES, self.env._("decide the renewal of"))
        self.filtered(
            lambda a: (
                a.renewal_status == "not_renewing"
                and not a.term_months
                and a.date_end == a.renewal_term_end
            )
        ).write({"date_end": False})
        for auto_renew, agreements in self.grouped("auto_renew").items():
            agreements.write({"renewal_status": "auto" if auto_renew else "to_review"})
        return True

    # ------------------------------------------------------------------
    # Nightly actions
    # ------------------------------------------------------------------
    @api.model
    def _cron_process_renewals(self):
        """Renew the agreements whose term ended and that renew (automatically,
        or accepted), once: the new end is the first term end on or after
        today, so a second run finds nothing to do. Expire the others (not
        renewing, no auto-renewal, open-ended with an end date set). Batched:
        one write per new end date, one batch of chatter notes."""
        today = fields.Date.context_today(self)
        ended = self.search([("state", "in", LIVE_STATES), ("date_end", "<", today)])
        renew = ended.filtered(
            lambda a: (
                a.term_months
                and a.renewal_status != "not_renewing"
                and (a.auto_renew or a.renewal_status == "accepted")
            )
        )
        (ended - renew).action_expire()
        by_end = defaultdict(list)
        bodies = {}
        for agreement in renew:
            date_end = agreement.date_end
            while date_end < today:
                date_end = periods.term_end(
                    date_end + timedelta(days=1), agreement.term_months
                )
            by_end[date_end].append(agreement.id)
            bodies[agreement.id] = self.env._(
                "Renewed for %(months)s months: the term now ends on %(new)s instead "
                "of %(old)s.",
                months=agreement.term_months,
                new=format_date(self.env, date_end),
                old=format_date(self.env, agreement.date_end),
            )
        for date_end, ids in by_end.items():
            self.browse(ids).write({"date_end": date_end})
        # a new cycle: back to undecided
        for auto_renew, agreements in renew.grouped("auto_renew").items():
            agreements.write({"renewal_status": "auto" if auto_renew else "to_review"})
        renew._message_log_batch(bodies=bodies)
        return True

    @api.model
    def _cron_refresh_renewals(self, today=None):
        """Keep the renewals queue current, in a fixed number of queries
        whatever the number of agreements: roll open-ended agreements past their
        anniversary into their next year (undecided again), refresh the
        buckets, mark undecided renewals whose decision date passed as lapsed,
        and give the account managers their reminders."""
        today = today or fields.Date.context_today(self)
        self.env.flush_all()
        cr = self.env.cr
        cr.execute(
            """
            SELECT id FROM msp_agreement
             WHERE state IN %s AND date_end IS NULL
               AND (renewal_term_end IS NULL OR renewal_term_end < %s)
            """,
            [LIVE_STATES, today],
        )
        # sudo: the nightly queue of every company
        rolled = self.sudo().browse([row[0] for row in cr.fetchall()])
        if rolled:
            for fname in ("renewal_term_end", "renewal_decision_date"):
                self.env.add_to_compute(self._fields[fname], rolled)
            undecided = rolled.filtered(
                lambda a: a.renewal_status not in ("auto", "to_review")
            )
            for auto_renew, agreements in undecided.grouped("auto_renew").items():
                agreements.write(
                    {"renewal_status": "auto" if auto_renew else "to_review"}
                )
            self.env.flush_all()
        self._refresh_renewal_buckets(today)
        cr.execute(
            """
            UPDATE msp_agreement SET renewal_status = 'lapsed'
             WHERE state IN %s AND renewal_status IN %s
               AND renewal_decision_date < %s
            """,
            [LIVE_STATES, UNDECIDED, today],
        )
        self.invalidate_model(["renewal_bucket", "renewal_status"])
        self._create_renewal_reminders(today)
        return True

    @api.model
    def _refresh_renewal_buckets(self, today):
        """The stored buckets as of ``today``, in one query."""
        self.env.cr.execute(
            """
            UPDATE msp_agreement a SET renewal_bucket = b.bucket
              FROM (SELECT id, CASE
                        WHEN state NOT IN %(live)s OR renewal_decision_date IS NULL
                            THEN NULL
                        WHEN renewal_decision_date < %(today)s THEN 'overdue'
                        WHEN renewal_decision_date <= %(today)s + 30 THEN 'd30'
                        WHEN renewal_decision_date <= %(today)s + 60 THEN 'd60'
                        WHEN renewal_decision_date <= %(today)s + 90 THEN 'd90'
                        ELSE 'later' END AS bucket
                      FROM msp_agreement) b
             WHERE a.id = b.id AND a.renewal_bucket IS DISTINCT FROM b.bucket
            """,
            {"live": LIVE_STATES, "today": today},
        )
        self.invalidate_model(["renewal_bucket"])

    @api.model
    def _create_renewal_reminders(self, today):
        """One activity for the account manager per reminder step and term,
        however often this runs: each (agreement, term end, step) is a unique
        row of ``msp.agreement.renewal.step`` inserted first; only the rows
        actually inserted get an activity. When several steps come due at once
        (an agreement created late), the nearest one speaks for them all."""
        cr = self.env.cr
        todo_type = self.env.ref("mail.mail_activity_data_todo", False)
        model_id = self.env["ir.model"]._get_id(self._name)
        activities = []
        for company in self.env["res.company"].sudo().search([]):
            steps = company._msp_renewal_steps()
            if not steps:
                continue
            cr.execute(
                """
                SELECT id, renewal_decision_date, renewal_term_end
                  FROM msp_agreement
                 WHERE company_id = %s AND state IN %s AND renewal_status IN %s
                   AND user_id IS NOT NULL
                   AND renewal_decision_date BETWEEN %s AND %s
                """,
                [company.id, LIVE_STATES, REMINDED, today, today + timedelta(steps[0])],
            )
            rows = []
            for agreement_id, decision, term_end in cr.fetchall():
                for step in renewal_tools.due_steps(decision, steps, today):
                    rows.append((agreement_id, company.id, term_end, step, today))
            if not rows:
                continue
            inserted = execute_values(
                cr,
                """
                INSERT INTO msp_agreement_renewal_step
                    (agreement_id, company_id, term_end, step_days, date,
                     create_uid, write_uid, create_date, write_date)
                SELECT v.agreement_id, v.company_id, v.term_end, v.step_days, v.date,
                       %s, %s, now() at time zone 'UTC', now() at time zone 'UTC'
                  FROM (VALUES %%s) AS v(agreement_id, company_id, term_end,
                                         step_days, date)
                    ON CONFLICT (agreement_id, term_end, step_days) DO NOTHING
                RETURNING agreement_id, step_days
                """
                % (self.env.uid, self.env.uid),
                rows,
                template="(%s, %s, %s::date, %s, %s::date)",
                fetch=True,
            )
            nearest = {}
            for agreement_id, step in inserted:
                nearest[agreement_id] = min(step, nearest.get(agreement_id, step))
            # sudo: the nightly reminders of every company
            for agreement in self.sudo().browse(list(nearest)):
                activities.append(
                    agreement._prepare_renewal_activity_vals(
                        nearest[agreement.id], model_id, todo_type
                    )
                )
        if activities:
            self.env["mail.activity"].sudo().with_context(
                mail_activity_quick_update=True
            ).create(activities)
        return True

    def _prepare_renewal_activity_vals(self, step, model_id, activity_type):
        self.ensure_one()
        return {
            "res_model_id": model_id,
            "res_id": self.id,
            "activity_type_id": activity_type.id if activity_type else False,
            "user_id": self.user_id.id,
            "date_deadline": self.renewal_decision_date,
            "summary": self.env._(
                "Renewal decision by %(date)s (%(step)s-day reminder)",
                date=format_date(self.env, self.renewal_decision_date),
                step=step,
            ),
            "note": self.env._(
                "%(agreement)s: the term ends on %(end)s; decide by %(date)s whether "
                "it renews, changes or ends.",
                agreement=self.display_name,
                end=format_date(self.env, self.renewal_term_end),
                date=format_date(self.env, self.renewal_decision_date),
            ),
        }

    def _prepare_change_vals(self, uplift_pct=0.0):
        """The change order proposing this agreement's renewal (model
        ``msp.agreement.change``, see ``action_create_renewal_proposal``): a
        new term from the day after the current one ends, and optionally
        each recurring addition's price raised by ``uplift_pct`` %, rounded
        to the currency."""
        self.ensure_one()
        start = self.renewal_term_end + timedelta(days=1)
        months = self.term_months or 12
        lines = [
            (
                0,
                0,
                {
                    "action": "term",
                    "date_end": periods.term_end(start, months),
                },
            )
        ]
        if uplift_pct:
            for addition in self.addition_ids.filtered(
                lambda a: (
                    a.recurrence == "recurring"
                    and (not a.date_end or a.date_end >= start)
                )
            ):
                lines.append(
                    (
                        0,
                        0,
                        {
                            "action": "price",
                            "addition_id": addition.id,
                            "product_id": addition.product_id.id,
                            "price_unit": self.currency_id.round(
                                addition.price_unit * (1 + uplift_pct / 100.0)
                            ),
                        },
                    )
                )
        return {
            "agreement_id": self.id,
            "date_effective": start,
            "origin": "renewal",
            "note": self.env._(
                "Renewal of %(agreement)s for %(months)s months from %(date)s.",
                agreement=self.display_name,
                months=months,
                date=format_date(self.env, start),
            ),
            "line_ids": lines,
        }

    def _msp_portal_renewal_date(self):
        """The day the client's portal says the agreement renews: the day
        after its term when it renews automatically or its renewal was
        accepted; none when it is not renewing."""
        self.ensure_one()
        if not self.date_end or self.renewal_status == "not_renewing":
            return False
        if self.auto_renew or self.renewal_status == "accepted":
            return self.date_end + timedelta(days=1)
        return False

    def action_create_renewal_proposal(self):
        """A draft change order proposing the next term (origin renewal); the
        account manager adds an uplift or other changes, then sends it."""
        self.ensure_one()
        if not self.renewal_term_end:
            raise UserError(
                self.env._(
                    "Agreement %(agreement)s has no end of term to renew.",
                    agreement=self.display_name,
                )
            )
        change = self.env["msp.agreement.change"].create(self._prepare_change_vals())
        return change._get_records_action()
