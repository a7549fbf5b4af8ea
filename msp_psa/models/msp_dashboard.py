# Copyright 2026 msp_psa authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from datetime import date, timedelta

from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.exceptions import AccessError
from odoo.tools.misc import format_date, formatLang

from ..tools import movement

USER_GROUP = "msp_psa.group_msp_psa_user"
TICKET_STATES = ("breached", "at_risk", "paused")
RENEWAL_DAYS = 60
TREND_MONTHS = 12
# What the web client needs of a window action to open it.
ACTION_FIELDS = ["name", "res_model", "views", "view_mode", "search_view_id", "help"]


def fmt_hours(hours):
    """7:30 for 7.5 hours."""
    minutes = round((hours or 0.0) * 60)
    return f"{minutes // 60}:{minutes % 60:02d}"


class MspDashboard(models.AbstractModel):
    """The MSP app's home: the state of the business in one call.

    Every figure is counted under the user's own rights on a domain, and its
    tile opens the list of that domain: what the tile says is what the list
    shows. Tiles of parts that are not installed (profitability, renewals,
    usage signals) are left out.
    """

    _name = "msp.dashboard"
    _description = "MSP Home Dashboard"

    @api.model
    def get_dashboard_data(self):
        """{"company", "currency", "tiles": [{"key", "title", "items": [{"label",
        "value", "count", "empty", "action"}], ...}]} for the current company."""
        if not self.env.user.has_group(USER_GROUP):
            raise AccessError(self.env._("The MSP dashboard is for MSP staff."))
        today = fields.Date.context_today(self)
        tiles = [
            self._tile_mrr(today),
            self._tile_margin(today),
            self._tile_tickets(),
            self._tile_leakage(today),
            self._tile_drafts(),
            self._tile_renewals(today),
            self._tile_usage_signals(),
            self._tile_utilisation(today),
        ]
        return {
            "company": self.env.company.name,
            "tiles": [tile for tile in tiles if tile],
        }

    # ------------------------------------------------------------------
    # Helpers
    # ------------------------------------------------------------------
    def _money(self, amount, currency=None):
        return formatLang(
            self.env,
            amount or 0.0,
            currency_obj=currency or self.env.company.currency_id,
        )

    def _action(self, xmlid=None, model=None, name=None, domain=(), context=None):
        """The window action behind a figure: ``xmlid``'s (or the first of
        ``model``), on ``domain``."""
        Action = self.env["ir.actions.act_window"].sudo()
        # sudo: an action's description is not a secret; the list it opens
        # applies the user's rights
        if xmlid:
            record = self.env.ref(xmlid).sudo()
        else:
            record = Action.search([("res_model", "=", model)], limit=1)
            if not record:
                return False
        action = record.read(ACTION_FIELDS)[0]
        action.pop("id", None)
        action["type"] = "ir.actions.act_window"
        if name:
            action["name"] = name
        # dates as text: the domain travels over JSON and XML-RPC
        action["domain"] = [
            (leaf[0], leaf[1], fields.Date.to_string(leaf[2]))
            if isinstance(leaf, tuple) and isinstance(leaf[2], date)
            else leaf
            for leaf in domain
        ]
        action["context"] = dict(context or {}, create=False)
        action["target"] = "current"
        return action

    def _item(self, label, count, value, empty, action):
        return {
            "label": label,
            "count": count,
            "value": value,
            "empty": empty if not count else "",
            "action": action,
        }

    # ------------------------------------------------------------------
    # Tiles
    # ------------------------------------------------------------------
    def _mrr_domain(self, first_month):
        return [
            ("company_id", "=", self.env.company.id),
            ("month", ">=", first_month),
        ]

    def _tile_mrr(self, today):
        Month = self.env["msp.mrr.month"]
        if not Month.has_access("read"):
            return None
        this_month = movement.month_start(today)
        months = movement.months_between(
            this_month - relativedelta(months=TREND_MONTHS - 1), today
        )
        domain = self._mrr_domain(months[0])
        totals = dict(Month._read_group(domain, ["month:month"], ["closing_mrr:sum"]))
        currency = self.env.company.currency_id
        trend = [
            {
                "label": format_date(self.env, month, date_format="MMM yy"),
                "value": totals.get(month, 0.0),
                "display": self._money(totals.get(month, 0.0), currency),
            }
            for month in months
        ]
        mrr = trend[-1]["value"]
        previous = trend[-2]["value"] if len(trend) > 1 else 0.0
        change = mrr - previous
        action = self._action(
            "msp_psa.msp_mrr_month_action",
            name=self.env._("MRR Movement, last 12 months"),
            domain=domain,
        )
        return {
            "key": "mrr",
            "title": self.env._("Monthly Recurring Revenue"),
            "items": [
                self._item(
                    self.env._("MRR this month"),
                    False,
                    self._money(mrr, currency),
                    "",
                    action,
                )
            ],
            "detail": self._mrr_detail(mrr, change, currency),
            "amount": mrr,
            "trend": trend,
        }

    def _mrr_detail(self, mrr, change, currency):
        arr = self._money(12 * mrr, currency)
        if currency.is_zero(change):
            return self.env._("ARR %(arr)s · unchanged since last month", arr=arr)
        if change > 0:
            return self.env._(
                "ARR %(arr)s · %(change)s more than last month",
                arr=arr,
                change=self._money(change, currency),
            )
        return self.env._(
            "ARR %(arr)s · %(change)s less than last month",
            arr=arr,
            change=self._money(-change, currency),
        )

    def _tile_margin(self, today):
        if "msp.profitability.report" not in self.env:
            return None
        Report = self.env["msp.profitability.report"]
        if not hasattr(Report, "_msp_margin_summary") or not Report.has_access("read"):
            return None
        if not Report._msp_margins_visible():
            # the company keeps margins from this user: no tile of zeros
            return None
        date_from = movement.month_start(today)
        summary = Report._msp_margin_summary(
            date_from, movement.month_end(today), company=self.env.company
        )
        currency = self.env["res.currency"].browse(
            summary.get("currency_id") or self.env.company.currency_id.id
        )
        if summary.get("revenue"):
            detail = self.env._(
                "%(percent)s %% of %(revenue)s revenue",
                percent=formatLang(
                    self.env, summary.get("margin_percent") or 0.0, digits=1
                ),
                revenue=self._money(summary.get("revenue"), currency),
            )
        else:
            detail = self.env._("No revenue this month yet: costs only")
        return {
            "key": "margin",
            "title": self.env._("Margin this Month"),
            "items": [
                self._item(
                    self.env._("Margin"),
                    False,
                    self._money(summary.get("margin"), currency),
                    "",
                    self._action(
                        model="msp.profitability.report",
                        domain=[("month", "=", date_from)],
                    ),
                )
            ],
            "detail": detail,
            "amount": summary.get("margin") or 0.0,
        }

    def _tile_tickets(self):
        Ticket = self.env["helpdesk.ticket"]
        if not Ticket.has_access("read"):
            return None
        base = [("stage_id.closed", "=", False)]
        counts = dict(
            Ticket._read_group(
                [*base, ("msp_sla_state", "in", TICKET_STATES)],
                ["msp_sla_state"],
                ["__count"],
            )
        )
        labels = {
            "breached": (self.env._("Breached"), self.env._("No breached ticket")),
            "at_risk": (self.env._("At risk"), self.env._("None at risk")),
            "paused": (self.env._("Paused"), self.env._("None paused")),
        }
        items = []
        for state in TICKET_STATES:
            label, empty = labels[state]
            domain = [*base, ("msp_sla_state", "=", state)]
            count = counts.get(state, 0)
            items.append(
                self._item(
                    label,
                    count,
                    str(count),
                    empty,
                    self._action(
                        "helpdesk_mgmt.helpdesk_ticket_action",
                        name=self.env._("Open Tickets: %(state)s", state=label),
                        domain=domain,
                    ),
                )
            )
        return {
            "key": "tickets",
            "title": self.env._("Open Tickets by SLA"),
            "items": items,
        }

    def _tile_leakage(self, today):
        Line = self.env["account.analytic.line"]
        if not Line.has_access("read"):
            return None
        domain = [("msp_to_review", "=", True), ("msp_invoice_line_id", "=", False)]
        lines = Line.search(domain)
        company = self.env.company
        amount = sum(
            line.msp_currency_id._convert(
                line.msp_amount_at_stake, company.currency_id, company, today
            )
            for line in lines
        )
        hours = sum(lines.mapped("unit_amount"))
        return {
            "key": "leakage",
            "title": self.env._("Leakage"),
            "items": [
                self._item(
                    self.env._("Time to review"),
                    len(lines),
                    self.env._("%(hours)s h", hours=fmt_hours(hours)),
                    self.env._("No time is leaking"),
                    self._action("msp_psa.msp_leakage_action", domain=domain),
                )
            ],
            "detail": self.env._(
                "%(amount)s at stake", amount=self._money(amount, company.currency_id)
            )
            if lines
            else "",
            "hours": hours,
            "amount": amount,
        }

    def _tile_drafts(self):
        Move = self.env["account.move"]
        if not self.env.user.has_group("account.group_account_invoice"):
            return None
        domain = [
            ("move_type", "in", ("out_invoice", "out_refund")),
            ("msp_agreement_id", "!=", False),
            ("state", "=", "draft"),
        ]
        review = [*domain, ("msp_review_needed", "=", True)]
        counts = dict(Move._read_group(domain, ["msp_review_needed"], ["__count"]))
        total = sum(counts.values())
        flagged = counts.get(True, 0)
        return {
            "key": "drafts",
            "title": self.env._("Drafts to Review"),
            "items": [
                self._item(
                    self.env._("Draft invoices"),
                    total,
                    str(total),
                    self.env._("No draft invoice"),
                    self._action(
                        "msp_psa.msp_invoice_review_action",
                        name=self.env._("Draft MSP Invoices"),
                        domain=domain,
                        context={"default_move_type": "out_invoice"},
                    ),
                ),
                self._item(
                    self.env._("Need a look"),
                    flagged,
                    str(flagged),
                    self.env._("Nothing flagged"),
                    self._action(
                        "msp_psa.msp_invoice_review_action",
                        name=self.env._("Drafts that Need a Look"),
                        domain=review,
                        context={"default_move_type": "out_invoice"},
                    ),
                ),
            ],
        }

    def _tile_renewals(self, today):
        Agreement = self.env["msp.agreement"]
        if "renewal_decision_date" not in Agreement._fields:
            return None
        domain = [
            ("state", "in", ("active", "suspended")),
            ("renewal_decision_date", "!=", False),
            ("renewal_decision_date", "<=", today + timedelta(days=RENEWAL_DAYS)),
        ]
        count = Agreement.search_count(domain)
        return {
            "key": "renewals",
            "title": self.env._("Renewals"),
            "items": [
                self._item(
                    self.env._("To decide within %(days)s days", days=RENEWAL_DAYS),
                    count,
                    str(count),
                    self.env._("No renewal to decide"),
                    self._action(
                        "msp_psa.msp_agreement_action",
                        name=self.env._("Renewals to Decide"),
                        domain=domain,
                    ),
                )
            ],
        }

    def _tile_usage_signals(self):
        if "msp.usage.signal" not in self.env:
            return None
        Signal = self.env["msp.usage.signal"]
        if not Signal.has_access("read"):
            return None
        domain = [("state", "=", "open")]
        count = Signal.search_count(domain)
        return {
            "key": "usage_signals",
            "title": self.env._("Usage Signals"),
            "items": [
                self._item(
                    self.env._("Open signals"),
                    count,
                    str(count),
                    self.env._("No open signal"),
                    self._action(
                        model="msp.usage.signal",
                        name=self.env._("Open Usage Signals"),
                        domain=domain,
                    ),
                )
            ],
        }

    def _tile_utilisation(self, today):
        Report = self.env["msp.utilisation.report"]
        if not Report.has_access("read"):
            return None
        monday = today - timedelta(days=today.weekday())
        domain = [("date", ">=", monday), ("date", "<=", monday + timedelta(days=6))]
        [(client, billable, capacity, count)] = Report._read_group(
            domain,
            [],
            ["client_hours:sum", "billable_hours:sum", "capacity_hours:sum", "__count"],
        )
        percent = 100.0 * (client or 0.0) / capacity if capacity else 0.0
        billable_percent = 100.0 * (billable or 0.0) / capacity if capacity else 0.0
        return {
            "key": "utilisation",
            "title": self.env._("Utilisation this Week"),
            "items": [
                self._item(
                    self.env._("Client work ÷ capacity"),
                    count,
                    self.env._("%(percent)s %%", percent=round(percent)),
                    self.env._("No capacity this week"),
                    self._action(
                        "msp_psa.msp_utilisation_report_action",
                        name=self.env._("Utilisation this Week"),
                        domain=domain,
                        context={"pivot_row_groupby": ["employee_id"]},
                    ),
                )
            ],
            "detail": self.env._(
                "%(client)s h of client work in %(capacity)s h, "
                "%(billable)s %% billable",
                client=fmt_hours(client),
                capacity=fmt_hours(capacity),
                billable=round(billable_percent),
            )
            if capacity
            else "",
            "percent": percent,
        }
