# Copyright 2026 msp_psa authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Usage signals: what the nightly scan noticed about a client's usage that
calls for a change of agreement (under-billing, growth, repeated overage,
block hours running out early, tickets per user rising), with the figures
that prove it. Detection arithmetic in ``tools/signals.py``."""

import math
from collections import defaultdict
from datetime import timedelta

from dateutil.relativedelta import relativedelta
from markupsafe import Markup, escape

from odoo import api, fields, models
from odoo.exceptions import UserError

from ..tools import billing
from ..tools import signals as signal_tools

SIGNAL_KINDS = [
    ("under_billing", "Under-billing"),
    ("growth", "Growth"),
    ("overage", "Repeated Overage"),
    ("block_burn", "Block Running Out"),
    ("tickets_per_user", "Tickets per User Rising"),
]
SIGNAL_STATES = [
    ("open", "Open"),
    ("actioned", "Actioned"),
    ("dismissed", "Dismissed"),
]
GROWTH_WINDOW_DAYS = 90
BURN_WINDOW_DAYS = 30


def _num(value):
    """A figure as people write it: 5, not 5.0."""
    if isinstance(value, float):
        return f"{value:g}"
    return value


class MspUsageSignal(models.Model):
    _name = "msp.usage.signal"
    _description = "MSP Usage Signal"
    _inherit = ["mail.thread"]
    _order = "date desc, id desc"
    _check_company_auto = True

    agreement_id = fields.Many2one(
        "msp.agreement",
        required=True,
        ondelete="cascade",
        index=True,
        readonly=True,
        check_company=True,
    )
    company_id = fields.Many2one(
        related="agreement_id.company_id", store=True, index=True
    )
    partner_id = fields.Many2one(
        related="agreement_id.partner_id", store=True, string="Client"
    )
    user_id = fields.Many2one(
        related="agreement_id.user_id", store=True, string="Account Manager"
    )
    currency_id = fields.Many2one(related="agreement_id.currency_id")
    mrr = fields.Monetary(related="agreement_id.mrr", string="Current MRR")
    kind = fields.Selection(SIGNAL_KINDS, required=True, readonly=True)
    state = fields.Selection(
        SIGNAL_STATES, required=True, default="open", readonly=True, tracking=True
    )
    date = fields.Date(string="Raised On", required=True, readonly=True)
    episode = fields.Char(
        required=True,
        readonly=True,
        help="What this signal is about (the addition and level, the period): a "
        "dismissed episode is never raised again.",
    )
    addition_id = fields.Many2one(
        "msp.agreement.addition", readonly=True, ondelete="set null"
    )
    evidence = fields.Json(string="Evidence Figures", readonly=True)
    evidence_html = fields.Html(
        string="Evidence", compute="_compute_evidence_html", sanitize=False
    )
    summary = fields.Char(compute="_compute_evidence_html")
    current_quantity = fields.Float(readonly=True, digits="Product Unit of Measure")
    suggested_quantity = fields.Float(
        readonly=True,
        digits="Product Unit of Measure",
        help="Units (or block hours) the suggested change order proposes.",
    )
    monthly_impact = fields.Monetary(
        compute="_compute_monthly_impact",
        help="What the suggested change adds to the MRR at today's prices.",
    )
    lead_id = fields.Many2one("crm.lead", string="Opportunity", readonly=True)
    dismiss_reason = fields.Text(readonly=True, tracking=True)
    dismissed_by_id = fields.Many2one("res.users", readonly=True)
    dismissed_date = fields.Date(readonly=True)

    def init(self):
        cr = self.env.cr
        # At most one open signal per kind and agreement...
        cr.execute(
            """
            CREATE UNIQUE INDEX IF NOT EXISTS msp_usage_signal_open_uniq
                ON msp_usage_signal (agreement_id, kind) WHERE state = 'open'
            """
        )
        # ...and an episode is raised once: dismissed, it stays dismissed.
        cr.execute(
            """
            CREATE UNIQUE INDEX IF NOT EXISTS msp_usage_signal_episode_uniq
                ON msp_usage_signal (agreement_id, kind, episode)
            """
        )

    @api.depends("kind", "agreement_id")
    def _compute_display_name(self):
        kinds = dict(self._fields["kind"]._description_selection(self.env))
        for signal in self:
            signal.display_name = self.env._(
                "%(kind)s: %(agreement)s",
                kind=kinds.get(signal.kind, ""),
                agreement=signal.agreement_id.display_name,
            )

    @api.depends("suggested_quantity", "current_quantity", "addition_id", "kind")
    def _compute_monthly_impact(self):
        for signal in self:
            agreement = signal.agreement_id
            extra = signal.suggested_quantity - signal.current_quantity
            if signal.kind in ("under_billing", "growth") and signal.addition_id:
                price = signal.addition_id.price_unit
            elif signal.kind in ("overage", "block_burn") and agreement.block_hours:
                price = agreement.block_price / agreement.block_hours
                if agreement.billing_cycle != "monthly":
                    price /= {"quarterly": 3, "semi_annual": 6, "annual": 12}[
                        agreement.billing_cycle
                    ]
            else:
                price = 0.0
            signal.monthly_impact = signal.currency_id.round(max(extra, 0) * price)

    @api.depends("evidence", "kind")
    def _compute_evidence_html(self):
        for signal in self:
            signal.summary, signal.evidence_html = signal._render_evidence()

    def _render_evidence(self):
        """(headline, HTML) of the evidence, in the reader's language."""
        self.ensure_one()
        ev = self.evidence or {}
        _ = self.env._
        product = self.addition_id.product_id.display_name or ""
        rows = []
        if self.kind == "under_billing":
            headline = _(
                "%(product)s billed for %(billed)s but %(counted)s managed items "
                "counted",
                product=product,
                billed=_num(ev.get("billed")),
                counted=_num(ev.get("counted")),
            )
            rows = [
                (_("Billed quantity"), ev.get("billed")),
                (_("Items counted"), ev.get("counted")),
            ]
        elif self.kind == "growth":
            headline = _(
                "%(product)s up from %(first)s to %(last)s in 90 days (%(pct)s %%)",
                product=product,
                first=_num(ev.get("from")),
                last=_num(ev.get("to")),
                pct=ev.get("growth_pct") if ev.get("growth_pct") is not None else "∞",
            )
            rows = [(day, qty) for day, qty in ev.get("series", [])]
        elif self.kind == "overage":
            headline = _(
                "Overage in %(count)s of the last 3 periods (%(avg)s h on average)",
                count=ev.get("periods_over"),
                avg=ev.get("average_overage"),
            )
            rows = [(label, f"{hours:g} h") for label, hours in ev.get("series", [])]
        elif self.kind == "block_burn":
            headline = _(
                "Block hours run out in %(days)s days, %(early)s days before the "
                "period ends",
                days=ev.get("days_to_empty"),
                early=ev.get("days_early"),
            )
            rows = [
                (_("Hours left"), ev.get("remaining")),
                (_("Hours a day (last 30 days)"), ev.get("burn_per_day")),
                (_("Days to run out"), ev.get("days_to_empty")),
                (_("Days left in the period"), ev.get("days_left")),
            ]
        elif self.kind == "tickets_per_user":
            ratios = ev.get("ratios") or []
            headline = _(
                "Tickets per user rising three months running: %(ratios)s",
                ratios=" → ".join(str(r) for r in ratios),
            )
            rows = [
                (
                    month,
                    _(
                        "%(tickets)s tickets, %(users)s users: %(ratio)s per user",
                        tickets=tickets,
                        users=users,
                        ratio=ratio,
                    ),
                )
                for month, tickets, users, ratio in ev.get("series", [])
            ]
        else:
            return "", Markup("")
        body = Markup("").join(
            Markup("<tr><td>%s</td><td>%s</td></tr>") % (label, _num(value))
            for label, value in rows
        )
        html = Markup("<p>%s</p><table class='table table-sm'>%s</table>") % (
            escape(headline),
            body,
        )
        return headline, html

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------
    def action_create_opportunity(self):
        """An opportunity in CRM for the account manager, the evidence in its
        description; the signal is then actioned. Created as superuser: an MSP
        user needs no Sales rights to hand a lead to the account manager."""
        opened = self.filtered(lambda s: s.state == "open")
        if self - opened:
            raise UserError(
                self.env._(
                    "%(signals)s: only an open signal becomes an opportunity.",
                    signals=", ".join((self - opened).mapped("display_name")),
                )
            )
        leads = (
            self.env["crm.lead"]
            .sudo()
            .create([signal._prepare_lead_vals() for signal in opened])
        )
        for signal, lead in zip(opened, leads, strict=True):
            signal.write({"lead_id": lead.id, "state": "actioned"})
            signal.message_post(
                body=self.env._("Opportunity %(lead)s created.", lead=lead.name)
            )
        if len(leads) == 1 and self.env["crm.lead"].has_access("read"):
            return {
                "type": "ir.actions.act_window",
                "res_model": "crm.lead",
                "res_id": leads.id,
                "view_mode": "form",
            }
        return True

    def _prepare_lead_vals(self):
        self.ensure_one()
        agreement = self.agreement_id
        return {
            "type": "opportunity",
            "name": self.env._(
                "%(client)s: %(summary)s",
                client=agreement.partner_id.name,
                summary=self.summary,
            ),
            "partner_id": agreement.partner_id.id,
            "user_id": agreement.user_id.id,
            "company_id": agreement.company_id.id,
            "description": Markup("<p>%s</p>") % agreement.display_name
            + self.evidence_html,
            "expected_revenue": self.monthly_impact * 12,
        }

    def action_dismiss(self):
        return {
            "type": "ir.actions.act_window",
            "res_model": "msp.usage.signal.dismiss",
            "view_mode": "form",
            "target": "new",
            "context": {"default_signal_ids": [fields.Command.set(self.ids)]},
        }

    def dismiss(self, reason):
        """Dismiss these open signals with ``reason`` (text, required): their
        episodes are never raised again. Reachable over RPC."""
        if not isinstance(reason, str) or not reason.strip():
            raise UserError(self.env._("Give the reason for dismissing the signal."))
        if len(reason) > 1000:
            raise UserError(
                self.env._(
                    "The reason is %(length)s characters long: at most 1,000.",
                    length=len(reason),
                )
            )
        closed = self.filtered(lambda s: s.state != "open")
        if closed:
            raise UserError(
                self.env._(
                    "%(signals)s is not open: only an open signal can be dismissed.",
                    signals=", ".join(closed.mapped("display_name")),
                )
            )
        self.write(
            {
                "state": "dismissed",
                "dismiss_reason": reason.strip(),
                "dismissed_by_id": self.env.uid,
                "dismissed_date": fields.Date.context_today(self),
            }
        )
        return True

    def _prepare_change_vals(self):
        """The change order this signal suggests (model
        ``msp.agreement.change``, see ``action_create_change_order``),
        effective at the start of the next billing period: more units of the
        addition (under-billing, growth; not for a counted quantity, which
        follows the client's fleet), a bigger block (overage, block running
        out: a ``block`` line, quantity = hours per block, price = the
        block's price at its hourly price); none for tickets per user, only
        a note."""
        self.ensure_one()
        agreement = self.agreement_id
        today = fields.Date.context_today(self)
        effective = agreement._period_containing(today)[1] + timedelta(days=1)
        lines = []
        if (
            self.kind in ("under_billing", "growth")
            and self.addition_id
            and self.addition_id.quantity_source != "counted"
        ):
            lines.append(
                {
                    "action": "quantity",
                    "addition_id": self.addition_id.id,
                    "product_id": self.addition_id.product_id.id,
                    "quantity": self.suggested_quantity,
                    "price_unit": self.addition_id.price_unit,
                }
            )
        elif self.kind in ("overage", "block_burn") and agreement.block_hours:
            hourly = agreement.block_price / agreement.block_hours
            lines.append(
                {
                    "action": "block",
                    "quantity": self.suggested_quantity,
                    "price_unit": agreement.currency_id.round(
                        hourly * self.suggested_quantity
                    ),
                }
            )
        return {
            "agreement_id": agreement.id,
            "date_effective": effective,
            "origin": "signal",
            "note": self.summary,
            "line_ids": [(0, 0, line) for line in lines],
        }

    # ------------------------------------------------------------------
    # The nightly scan
    # ------------------------------------------------------------------
    @api.model
    def _cron_scan_usage_signals(self, today=None):
        """Scan every active agreement and write the signals found, with their
        evidence: one open signal per kind and agreement, a dismissed episode
        never again (both guarded by unique indexes). Batched reads: a fixed
        number of queries whatever the number of agreements."""
        today = today or fields.Date.context_today(self)
        agreements = self.env["msp.agreement"].sudo().search([("state", "=", "active")])
        findings = []
        findings += self._detect_quantity_signals(agreements, today)
        findings += self._detect_block_signals(agreements, today)
        findings += self._detect_ticket_signals(agreements, today)
        return self._write_signals(findings, today)

    @api.model
    def _write_signals(self, findings, today):
        """Create the signals of ``findings`` (values without state/date) that
        are neither already open for their kind nor a known episode."""
        if not findings:
            return self.browse()
        Signal = self.sudo()
        # pending dismissals reach the database before the unique index judges
        Signal.flush_model()
        known = Signal.search_read(
            [("agreement_id", "in", list({f["agreement_id"] for f in findings}))],
            ["agreement_id", "kind", "episode", "state"],
            load=None,
        )
        open_keys = {
            (s["agreement_id"], s["kind"]) for s in known if s["state"] == "open"
        }
        episodes = {(s["agreement_id"], s["kind"], s["episode"]) for s in known}
        vals_list = []
        for finding in findings:
            key = (finding["agreement_id"], finding["kind"])
            if key in open_keys or (*key, finding["episode"]) in episodes:
                continue
            open_keys.add(key)
            vals_list.append({**finding, "date": today, "state": "open"})
        return Signal.with_context(tracking_disable=True).create(vals_list)

    @api.model
    def _detect_quantity_signals(self, agreements, today):
        """Under-billing (a manual quantity below the managed items counted for
        it: its counted kind when set, else the users of a per-user agreement or
        the devices of a per-device one) and growth (a quantity up by the
        company's threshold over 90 days). One read of the additions, one of
        their logs, one count of the items."""
        additions = (
            self.env["msp.agreement.addition"]
            .sudo()
            .search(
                [
                    ("agreement_id", "in", agreements.ids),
                    ("recurrence", "=", "recurring"),
                    ("date_start", "<=", today),
                    "|",
                    ("date_end", "=", False),
                    ("date_end", ">=", today),
                ]
            )
        )
        if not additions:
            return []
        logs = additions._read_quantity_steps()
        counts = self._count_items(additions, today)
        days = [today - timedelta(days=d) for d in (GROWTH_WINDOW_DAYS, 60, 30, 0)]
        best = {}  # (agreement id, kind) -> (score, finding)
        for addition in additions:
            agreement = addition.agreement_id
            log = logs.get(addition.id, [])
            if addition.quantity_source == "manual":
                counted = counts.get(self._count_key(addition))
                found = signal_tools.under_billing(addition.quantity, counted)
                if found:
                    self._keep_best(
                        best,
                        found["missing"],
                        {
                            "agreement_id": agreement.id,
                            "kind": "under_billing",
                            "episode": f"{addition.id}:{counted:g}",
                            "addition_id": addition.id,
                            "evidence": found,
                            "current_quantity": addition.quantity,
                            "suggested_quantity": counted,
                        },
                    )
            series = [
                (str(day), billing.step_value(log, day))
                for day in days
                if day >= addition.date_start
            ]
            found = signal_tools.growth(
                series, agreement.company_id.msp_signal_growth_pct
            )
            if found:
                self._keep_best(
                    best,
                    found["growth_pct"] or math.inf,
                    {
                        "agreement_id": agreement.id,
                        "kind": "growth",
                        "episode": f"{addition.id}:{found['to']:g}",
                        "addition_id": addition.id,
                        "evidence": found,
                        "current_quantity": found["to"],
                        "suggested_quantity": signal_tools.projected_quantity(
                            found["from"], found["to"]
                        ),
                    },
                )
        return [finding for _score, finding in best.values()]

    @api.model
    def _keep_best(self, best, score, finding):
        key = (finding["agreement_id"], finding["kind"])
        if key not in best or score > best[key][0]:
            best[key] = (score, finding)

    @api.model
    def _count_key(self, addition):
        agreement = addition.agreement_id
        if addition.kind_id:
            return (agreement.partner_id.id, "kind", addition.kind_id.id)
        if agreement.billing_model == "per_user":
            return (agreement.partner_id.id, "code", "user")
        if agreement.billing_model == "per_device":
            return (agreement.partner_id.id, "category", "device")
        return None

    @api.model
    def _count_items(self, additions, today):
        """{(client, 'kind'|'code'|'category', value): items in service today},
        from one grouped read."""
        groups = (
            self.env["msp.managed.item"]
            .sudo()
            ._read_group(
                [
                    ("partner_id", "in", additions.partner_id.ids),
                    ("active_from", "<=", today),
                    "|",
                    ("active_to", "=", False),
                    ("active_to", ">=", today),
                ],
                ["partner_id", "kind_id"],
                ["__count"],
            )
        )
        counts = defaultdict(int)
        for partner, kind, count in groups:
            counts[(partner.id, "kind", kind.id)] += count
            counts[(partner.id, "code", kind.code)] += count
            counts[(partner.id, "category", kind.category)] += count
        return counts

    @api.model
    def _detect_block_signals(self, agreements, today):
        """Repeated overage (overage hours in 2 of the last 3 complete periods)
        and block burn (hours left ÷ the last 30 days' rate runs out the
        company's margin of days or more before the period ends). One read of
        the time, one of the balances."""
        blocks = agreements.filtered(lambda a: a.block_hours > 0)
        if not blocks:
            return []
        windows = {}
        for agreement in blocks:
            current = agreement._period_containing(today)
            done = []
            start = current[0]
            while len(done) < 3 and start > agreement.date_start:
                period = agreement._period_containing(start - timedelta(days=1))
                done.insert(0, period)
                start = period[0]
            windows[agreement.id] = (current, done)
        first = min(
            [w[1][0][0] for w in windows.values() if w[1]]
            + [today - timedelta(days=BURN_WINDOW_DAYS)]
        )
        lines = (
            self.env["account.analytic.line"]
            .sudo()
            .search_read(
                [
                    ("msp_agreement_id", "in", blocks.ids),
                    ("date", ">=", first),
                    ("date", "<=", today),
                ],
                ["msp_agreement_id", "date", "msp_prepaid_hours", "msp_overage_hours"],
                load=None,
            )
        )
        by_agreement = defaultdict(list)
        for line in lines:
            by_agreement[line["msp_agreement_id"]].append(line)
        balances = blocks._msp_block_balances(today)
        findings = []
        for agreement in blocks:
            current, done = windows[agreement.id]
            mine = by_agreement[agreement.id]
            series = [
                (
                    agreement._period_label(start, end),
                    round(
                        sum(
                            x["msp_overage_hours"]
                            for x in mine
                            if start <= x["date"] <= end
                        ),
                        2,
                    ),
                )
                for start, end in done
            ]
            found = signal_tools.repeated_overage(series)
            if found:
                findings.append(
                    {
                        "agreement_id": agreement.id,
                        "kind": "overage",
                        "episode": str(done[-1][0]),
                        "evidence": found,
                        "current_quantity": agreement.block_hours,
                        "suggested_quantity": agreement.block_hours
                        + math.ceil(found["average_overage"]),
                    }
                )
            _total, left, _used, overage = balances.get(agreement.id, (0, 0, 0, 0))
            trailing = sum(
                x["msp_prepaid_hours"] + x["msp_overage_hours"]
                for x in mine
                if x["date"] > today - timedelta(days=BURN_WINDOW_DAYS)
            )
            found = signal_tools.block_burn(
                left - overage,
                trailing,
                BURN_WINDOW_DAYS,
                (current[1] - today).days,
                agreement.company_id.msp_signal_burn_days,
            )
            if found and left - overage > 0:
                findings.append(
                    {
                        "agreement_id": agreement.id,
                        "kind": "block_burn",
                        "episode": str(current[0]),
                        "evidence": found,
                        "current_quantity": agreement.block_hours,
                        "suggested_quantity": agreement.block_hours
                        + found["shortfall_hours"],
                    }
                )
        return findings

    @api.model
    def _detect_ticket_signals(self, agreements, today):
        """Tickets per user rising over the last three complete months: one
        grouped read of the tickets, one read of the users (managed items of
        kind *user*) to count them at each month's end."""
        if not agreements:
            return []
        month0 = today.replace(day=1)
        months = [month0 - relativedelta(months=n) for n in (3, 2, 1)]
        groups = (
            self.env["helpdesk.ticket"]
            .sudo()
            ._read_group(
                [
                    ("msp_agreement_id", "in", agreements.ids),
                    ("create_date", ">=", fields.Datetime.to_datetime(months[0])),
                    ("create_date", "<", fields.Datetime.to_datetime(month0)),
                ],
                ["msp_agreement_id", "create_date:month"],
                ["__count"],
            )
        )
        tickets = defaultdict(int)
        for agreement, month, count in groups:
            tickets[(agreement.id, month.date().replace(day=1))] += count
        candidates = agreements.filtered(
            lambda a: any(tickets.get((a.id, m)) for m in months)
        )
        if not candidates:
            return []
        users = (
            self.env["msp.managed.item"]
            .sudo()
            .search_read(
                [
                    ("partner_id", "in", candidates.partner_id.ids),
                    ("kind_id.code", "=", "user"),
                    ("active_from", "<", month0),
                ],
                ["partner_id", "active_from", "active_to"],
                load=None,
            )
        )
        users_by_client = defaultdict(list)
        for user in users:
            users_by_client[user["partner_id"]].append(user)
        findings = []
        for agreement in candidates:
            series = []
            for month in months:
                end = month + relativedelta(months=1, days=-1)
                count = sum(
                    1
                    for u in users_by_client[agreement.partner_id.id]
                    if u["active_from"] <= end
                    and (not u["active_to"] or u["active_to"] >= end)
                )
                series.append(
                    (
                        month.strftime("%Y-%m"),
                        tickets.get((agreement.id, month), 0),
                        count,
                    )
                )
            found = signal_tools.tickets_per_user_rising(series)
            if found:
                findings.append(
                    {
                        "agreement_id": agreement.id,
                        "kind": "tickets_per_user",
                        "episode": str(months[-1]),
                        "evidence": found,
                    }
                )
        return findings
