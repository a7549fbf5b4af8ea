# Copyright 2026 msp_psa authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from collections import defaultdict
from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError

from ..tools import coverage, periods
from ..tools import mrr as mrr_tools

BILLING_MODELS = [
    ("fixed", "Fixed Fee"),
    ("per_device", "Per Device"),
    ("per_user", "Per User"),
    ("block_hours", "Prepaid Block Hours"),
    ("time_materials", "Time & Materials"),
]
STATES = [
    ("draft", "Draft"),
    ("active", "Active"),
    ("suspended", "Suspended"),
    ("expired", "Expired"),
    ("cancelled", "Cancelled"),
]
MANAGER_GROUP = "msp_psa.group_msp_psa_manager"
# A run catches up at most this many periods of one agreement in one invoice.
MAX_PERIODS_PER_INVOICE = 24
# Terms that decide how time draws from the agreement's block (the other
# terms of the billing decision are dependencies of the line's computed
# decision; the billing model is only a label and decides nothing).
BLOCK_TERMS = {
    "block_hours",
    "block_rollover_months",
    "block_product_id",
    "fee_product_id",
    "overage_rate",
    "date_start",
    "billing_cycle",
    "anchor_day",
}


class MspAgreement(models.Model):
    """A client agreement: what the MSP sells, at what price, for how long.

    Recurring prices (the fixed fee, the additions' unit prices) are monthly;
    a quarterly agreement bills three months of them per invoice.
    """

    _name = "msp.agreement"
    _description = "MSP Agreement"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "date_start desc, id desc"
    _check_company_auto = True

    name = fields.Char(
        string="Reference",
        required=True,
        readonly=True,
        copy=False,
        default="/",
        index="trigram",
    )
    title = fields.Char(
        required=True,
        tracking=True,
        help="What the client bought, e.g. 'Managed IT 2026'.",
    )
    active = fields.Boolean(default=True)
    state = fields.Selection(
        STATES, required=True, default="draft", copy=False, tracking=True, index=True
    )
    company_id = fields.Many2one(
        "res.company",
        required=True,
        index=True,
        default=lambda self: self.env.company,
        tracking=True,
    )
    partner_id = fields.Many2one(
        "res.partner",
        string="Client",
        required=True,
        index=True,
        tracking=True,
        check_company=True,
        domain="[('is_company', '=', True)]",
    )
    contact_ids = fields.Many2many(
        "res.partner",
        string="Client Contacts",
        domain="[('id', 'child_of', partner_id), ('id', '!=', partner_id)]",
    )
    currency_id = fields.Many2one(
        "res.currency",
        required=True,
        tracking=True,
        default=lambda self: self.env.company.currency_id,
    )
    user_id = fields.Many2one(
        "res.users",
        string="Account Manager",
        tracking=True,
        index=True,
        default=lambda self: self.env.user,
        domain="[('share', '=', False)]",
    )
    client_order_ref = fields.Char(string="Client PO Reference", copy=False)
    sla_policy_id = fields.Many2one(
        "msp.sla.policy",
        string="SLA Policy",
        tracking=True,
        check_company=True,
        help="Response and resolution targets of this client's tickets. Empty: "
        "the company's default policy.",
    )
    note = fields.Html(string="Terms and Notes")

    # Billing model ---------------------------------------------------------------
    billing_model = fields.Selection(
        BILLING_MODELS,
        required=True,
        default="fixed",
        tracking=True,
        help="The agreement's main way of charging. Any agreement can also carry a "
        "fixed fee and "
        "additions of every kind.",
    )
    fixed_fee = fields.Monetary(string="Monthly Fixed Fee", tracking=True)
    fee_product_id = fields.Many2one(
        "product.product",
        check_company=True,
        domain="[('type', '=', 'service'), ('sale_ok', '=', True)]",
        help="Product that carries the fixed fee on invoices (its income account and "
        "taxes).",
    )

    # Dates and renewal ------------------------------------------------------------
    date_start = fields.Date(
        required=True, default=fields.Date.context_today, tracking=True
    )
    term_months = fields.Integer(
        string="Term (months)", default=12, help="0 for an open-ended agreement."
    )
    date_end = fields.Date(
        compute="_compute_date_end",
        store=True,
        readonly=False,
        tracking=True,
        help="Last day of the current term. Empty: open-ended.",
    )
    auto_renew = fields.Boolean(
        default=True, tracking=True, help="Renew for another term when the term ends."
    )
    renewal_notice_days = fields.Integer(
        default=30,
        help="Days before the end of the term by which the client must give notice.",
    )
    date_notice = fields.Date(
        string="Notice Deadline",
        compute="_compute_date_notice",
        store=True,
        help="Last day to give notice.",
    )

    # Billing ---------------------------------------------------------------------
    billing_cycle = fields.Selection(
        [
            ("monthly", "Monthly"),
            ("quarterly", "Quarterly"),
            ("semi_annual", "Semi-annual"),
            ("annual", "Annual"),
        ],
        required=True,
        default="monthly",
        tracking=True,
    )
    billing_timing = fields.Selection(
        [("advance", "In Advance"), ("arrears", "In Arrears")],
        required=True,
        default="advance",
        tracking=True,
        help="In advance: a period is invoiced on its first day. In arrears: the day "
        "after it ends.",
    )
    anchor_day = fields.Integer(
        default=1,
        required=True,
        tracking=True,
        help="Day of the month billing periods start on (1-31; the last day of shorter "
        "months). An agreement "
        "that starts on another day first runs a prorated stub period up to the next "
        "anchor day.",
    )
    next_period_start = fields.Date(
        string="Bill From",
        compute="_compute_next_period_start",
        store=True,
        readonly=False,
        copy=False,
        tracking=True,
        help="First day of the next period to invoice. Moved forward by each billing "
        "run; moved back when an invoice is cancelled. Set it to start billing an "
        "existing agreement from a given period.",
    )
    next_invoice_date = fields.Date(
        compute="_compute_next_invoice_date",
        store=True,
        copy=False,
        index=True,
        help="When the next period is due: its first day in advance, the day after its "
        "end in arrears. Empty when nothing is left to invoice.",
    )
    period_ids = fields.One2many(
        "msp.agreement.period", "agreement_id", string="Billed Periods", readonly=True
    )
    payment_term_id = fields.Many2one("account.payment.term", check_company=True)
    journal_id = fields.Many2one(
        "account.journal",
        string="Sales Journal",
        check_company=True,
        domain="[('type', '=', 'sale')]",
        default=lambda self: self._default_journal_id(),
    )
    auto_post = fields.Boolean(
        string="Post and Send Automatically",
        help="Post generated invoices and email them to the client. Otherwise they "
        "wait as drafts for review.",
    )

    # Time & materials --------------------------------------------------------------
    rate_ids = fields.One2many(
        "msp.agreement.rate", "agreement_id", string="Labour Rates", copy=True
    )

    # Coverage --------------------------------------------------------------------
    team_ids = fields.Many2many(
        "helpdesk.ticket.team",
        string="Covered Teams",
        help="Empty: tickets of every team.",
    )
    category_ids = fields.Many2many(
        "helpdesk.ticket.category",
        string="Covered Categories",
        help="Empty: tickets of every category.",
    )

    # Additions and totals ----------------------------------------------------------
    addition_ids = fields.One2many(
        "msp.agreement.addition", "agreement_id", string="Additions", copy=True
    )
    addition_count = fields.Integer(compute="_compute_addition_count")
    managed_item_count = fields.Integer(compute="_compute_managed_item_count")
    invoice_count = fields.Integer(compute="_compute_invoice_count")
    ticket_count = fields.Integer(compute="_compute_ticket_count")
    revenue_schedule_count = fields.Integer(compute="_compute_revenue_schedule_count")
    mrr_block = fields.Monetary(
        string="Block per Month",
        compute="_compute_mrr_block",
        store=True,
        help="The block's price normalised to a month (a quarterly block counts a "
        "third of its price each month).",
    )
    mrr = fields.Monetary(
        string="Monthly Recurring Revenue",
        compute="_compute_mrr",
        help="Fixed fee, plus the block of hours normalised to a month, plus the "
        "recurring additions in service today less their included quantities: "
        "what a full period bills, per month.",
    )

    _sql_constraints = [
        (
            "name_company_uniq",
            "unique(name, company_id)",
            "An agreement with this reference already exists.",
        ),
    ]

    @api.model
    def _default_journal_id(self):
        # no sudo: MSP users read journals (ir.model.access.csv) without
        # accounting rights, within their companies (account's journal rule)
        return self.env["account.journal"].search(
            [
                *self.env["account.journal"]._check_company_domain(self.env.company),
                ("type", "=", "sale"),
            ],
            limit=1,
        )

    # ------------------------------------------------------------------
    # Computes
    # ------------------------------------------------------------------
    @api.depends("date_start", "term_months")
    def _compute_date_end(self):
        for agreement in self:
            if agreement.date_start and agreement.term_months:
                agreement.date_end = periods.term_end(
                    agreement.date_start, agreement.term_months
                )
            else:
                agreement.date_end = False

    @api.depends("date_end", "renewal_notice_days")
    def _compute_date_notice(self):
        for agreement in self:
            agreement.date_notice = (
                agreement.date_end
                and agreement.date_end - timedelta(days=agreement.renewal_notice_days)
            )

    @api.depends("date_start")
    def _compute_next_period_start(self):
        for agreement in self:
            if not agreement.period_ids:
                agreement.next_period_start = agreement.date_start

    @api.depends(
        "next_period_start", "anchor_day", "billing_cycle", "billing_timing", "date_end"
    )
    def _compute_next_invoice_date(self):
        for agreement in self:
            period = agreement._get_period_at(agreement.next_period_start)
            agreement.next_invoice_date = period and period[2]

    def _period_containing(self, day, origin=None):
        """(start, end) of the billing period containing ``day``: the one place
        that says which period a day falls in.

        Periods run from ``origin`` (default: the agreement's start): a stub up
        to the first anchor day, then whole cycles. Computed directly
        (``periods.period_containing``), not by walking the periods; not cut at
        the end of the term."""
        self.ensure_one()
        return periods.period_containing(
            day,
            origin or self.date_start,
            periods.CYCLE_MONTHS[self.billing_cycle],
            self.anchor_day,
        )

    def _get_period_at(self, start):
        """(start, end, invoice date) of the period beginning on ``start`` (where
        billing's pointer stands: periods run from it), cut at the agreement's
        end; None when ``start`` is empty or after the end."""
        self.ensure_one()
        if not start or (self.date_end and start > self.date_end):
            return None
        date_from, date_to = self._period_containing(start, origin=start)
        if self.date_end and date_to > self.date_end:
            date_to = self.date_end
        invoice_date = (
            date_from
            if self.billing_timing == "advance"
            else date_to + timedelta(days=1)
        )
        return date_from, date_to, invoice_date

    def _get_due_periods(self, date_ref, billed=(), limit=MAX_PERIODS_PER_INVOICE):
        """The periods to invoice on ``date_ref``, and where billing goes on after them.

        From the pointer, every period whose invoice date has come, skipping the
        ``billed`` period starts (periods billed after a cancelled one), at most
        ``limit`` of them. Returns ``(periods, next_start)``.
        """
        self.ensure_one()
        due = []
        period = self._get_period_at(self.next_period_start)
        while period and period[2] <= date_ref and len(due) < limit:
            if period[0] not in billed:
                due.append(period)
            period = self._get_period_at(period[1] + timedelta(days=1))
        if period:
            next_start = period[0]
        else:  # the term is over: park the pointer the day after the end
            next_start = (due[-1][1] if due else self.next_period_start) + timedelta(
                days=1
            )
        return due, next_start

    # ------------------------------------------------------------------
    # The agreement in force on a day
    # ------------------------------------------------------------------
    def _msp_in_force(self, day):
        """Whether this agreement's term covers ``day`` (tools/coverage.py)."""
        self.ensure_one()
        return coverage.in_force(day, self.date_start, self.date_end, self.auto_renew)

    @api.model
    def _get_covering_agreements(self, requests):
        """The agreement covering each of ``requests``, ``(client, company, day,
        team, category)`` tuples, in their order (an empty recordset where none
        does), from one read: the client's active agreement of that company in
        force on the day whose coverage includes the team and the category (an
        empty coverage covers all).

        When several cover it, the most specific wins: one that lists both the
        team and the category, then one that lists either, then one that lists
        neither; among equals, the most recent start, then the lowest reference.
        """
        clients = self.env["res.partner"].union(*(r[0] for r in requests))
        candidates = defaultdict(list)
        if clients:
            # sudo: which agreement covers a ticket does not depend on who asks
            for agreement in self.sudo().search(
                [("partner_id", "in", clients.ids), ("state", "=", "active")],
                order="date_start desc, name",
            ):
                candidates[agreement.partner_id, agreement.company_id].append(
                    (
                        agreement,
                        agreement.date_start,
                        agreement.date_end,
                        agreement.auto_renew,
                        agreement.team_ids.ids,
                        agreement.category_ids.ids,
                    )
                )
        empty = self.browse()
        return [
            coverage.best_covering(
                candidates.get((client, company), ()), day, team.id, category.id
            )
            or empty
            for client, company, day, team, category in requests
        ]

    def _msp_redecide_time(self):
        """The block terms changed: split again the time not yet invoiced
        between the blocks and overage."""
        self.env.flush_all()
        self.env["account.analytic.line"].sudo().search(
            [
                ("msp_agreement_id", "in", self.ids),
                ("msp_invoice_line_id", "=", False),
            ]
        )._msp_split_block_hours()

    def _count_related(self, model, field="agreement_id", domain=()):
        """{agreement: number of ``model`` records linking to it by ``field``}.
        sudo: a count for a smart button, whatever the user's rights on them."""
        return dict(
            self.env[model]
            .sudo()
            ._read_group([(field, "in", self.ids), *domain], [field], ["__count"])
        )

    def _action_related(self, xmlid, field="agreement_id", create=True):
        """``xmlid``'s window action on the records linking to this agreement."""
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(xmlid)
        action["domain"] = [(field, "=", self.id)]
        action["context"] = {f"default_{field}": self.id} if create else {}
        return action

    def _compute_addition_count(self):
        counts = self._count_related("msp.agreement.addition")
        for agreement in self:
            agreement.addition_count = counts.get(agreement, 0)

    def _get_invoice_counts(self):
        """{agreement id: number of invoices that bill it} (on the invoice or on a
        line: a consolidated invoice bills several agreements)."""
        if not self.ids:
            return {}
        self.env["account.move"].flush_model(["msp_agreement_id"])
        self.env["account.move.line"].flush_model(["msp_agreement_id"])
        self.env.cr.execute(
            """
            SELECT agreement_id, count(DISTINCT move_id) FROM (
                SELECT msp_agreement_id AS agreement_id, id AS move_id
                  FROM account_move WHERE msp_agreement_id = ANY(%s)
                 UNION
                SELECT msp_agreement_id, move_id
                  FROM account_move_line WHERE msp_agreement_id = ANY(%s)
            ) links GROUP BY agreement_id
            """,
            [self.ids, self.ids],
        )
        return dict(self.env.cr.fetchall())

    def _get_invoice_domain(self):
        return [
            "|",
            ("msp_agreement_id", "in", self.ids),
            ("line_ids.msp_agreement_id", "in", self.ids),
        ]

    def _compute_invoice_count(self):
        # A count, shown to MSP users without accounting rights too.
        counts = self._get_invoice_counts()
        for agreement in self:
            agreement.invoice_count = counts.get(agreement.id, 0)

    @api.depends_context("uid")
    def _compute_ticket_count(self):
        # The tickets the user can open from the button: no sudo, the
        # helpdesk's rules apply (a technician who sees his own tickets counts
        # his own).
        Ticket = self.env["helpdesk.ticket"]
        counts = {}
        if self.ids and Ticket.has_access("read"):
            counts = dict(
                Ticket._read_group(
                    [("msp_agreement_id", "in", self.ids)],
                    ["msp_agreement_id"],
                    ["__count"],
                )
            )
        for agreement in self:
            agreement.ticket_count = counts.get(agreement, 0)

    def _compute_revenue_schedule_count(self):
        counts = self._count_related(
            "msp.revenue.schedule", domain=[("state", "!=", "cancelled")]
        )
        for agreement in self:
            agreement.revenue_schedule_count = counts.get(agreement, 0)

    def _compute_managed_item_count(self):
        counts = dict(
            self.env["msp.managed.item"]._read_group(
                [("partner_id", "in", self.partner_id.ids), ("is_current", "=", True)],
                ["partner_id"],
                ["__count"],
            )
        )
        for agreement in self:
            agreement.managed_item_count = counts.get(agreement.partner_id, 0)

    @api.depends("block_hours", "block_price", "billing_cycle", "currency_id")
    def _compute_mrr_block(self):
        for agreement in self:
            currency = agreement.currency_id or agreement.env.company.currency_id
            agreement.mrr_block = currency.round(
                mrr_tools.block_monthly(
                    agreement.block_hours,
                    agreement.block_price,
                    periods.CYCLE_MONTHS[agreement.billing_cycle or "monthly"],
                )
            )

    @api.depends_context("date")
    @api.depends(
        "fixed_fee",
        "mrr_block",
        "addition_ids.monthly_amount",
        "addition_ids.recurrence",
        "addition_ids.date_start",
        "addition_ids.date_end",
    )
    def _compute_mrr(self):
        """The product's one MRR (``tools/mrr.py``) on the context's date (today
        by default); the MRR report sums the same stored components (fixed fee,
        block per month, additions' subtotals) for today."""
        day = fields.Date.to_date(
            self.env.context.get("date")
        ) or fields.Date.context_today(self)
        amounts = self.addition_ids._get_monthly_amounts_at(day)
        today = fields.Date.context_today(self)
        # Another day than today: the fee and block price in force that day.
        prices = self._read_price_steps() if day != today else {}
        for agreement in self:
            fee, block_month = agreement.fixed_fee, agreement.mrr_block
            if day != today:
                fee = agreement._get_fee_at(day, prices)
                currency = agreement.currency_id or agreement.env.company.currency_id
                block_month = currency.round(
                    mrr_tools.block_monthly(
                        agreement.block_hours,
                        agreement._get_block_price_at(day, prices),
                        periods.CYCLE_MONTHS[agreement.billing_cycle or "monthly"],
                    )
                )
            agreement.mrr = mrr_tools.monthly_recurring(
                fee, block_month, (amounts[a] for a in agreement.addition_ids)
            )

    # ------------------------------------------------------------------
    # Constraints
    # ------------------------------------------------------------------
    @api.constrains("partner_id")
    def _check_partner_is_client(self):
        for agreement in self:
            if agreement.partner_id != agreement.partner_id.commercial_partner_id:
                raise ValidationError(
                    self.env._(
                        "An agreement is made with a client company: %(contact)s is a "
                        "contact of "
                        "%(client)s. Choose %(client)s as the client and add "
                        "%(contact)s to its contacts.",
                        contact=agreement.partner_id.display_name,
                        client=agreement.partner_id.commercial_partner_id.display_name,
                    )
                )

    @api.constrains("contact_ids", "partner_id")
    def _check_contacts(self):
        for agreement in self:
            strangers = agreement.contact_ids.filtered(
                lambda c, a=agreement: c.commercial_partner_id != a.partner_id
            )
            if strangers:
                raise ValidationError(
                    self.env._(
                        "%(contacts)s do not work for %(client)s.",
                        contacts=", ".join(strangers.mapped("display_name")),
                        client=agreement.partner_id.display_name,
                    )
                )

    @api.constrains(
        "fixed_fee",
        "block_hours",
        "block_price",
        "overage_rate",
        "term_months",
        "renewal_notice_days",
        "anchor_day",
    )
    def _check_amounts(self):
        labels = {
            "fixed_fee": self.env._("monthly fixed fee"),
            "block_hours": self.env._("hours bought"),
            "block_price": self.env._("block price"),
            "overage_rate": self.env._("overage rate"),
            "term_months": self.env._("term"),
            "renewal_notice_days": self.env._("renewal notice"),
        }
        for agreement in self:
            for fname, label in labels.items():
                if agreement[fname] < 0:
                    raise ValidationError(
                        self.env._(
                            "Agreement %(agreement)s: the %(what)s cannot be negative "
                            "(%(value)s).",
                            agreement=agreement.display_name,
                            what=label,
                            value=agreement[fname],
                        )
                    )
            if not 1 <= agreement.anchor_day <= 31:
                raise ValidationError(
                    self.env._(
                        "Agreement %(agreement)s: the anchor day must be a day of the "
                        "month, 1 to 31.",
                        agreement=agreement.display_name,
                    )
                )

    @api.constrains("date_start", "date_end", "next_period_start")
    def _check_dates(self):
        for agreement in self:
            if agreement.next_period_start and agreement.next_period_start < (
                agreement.date_start
            ):
                raise ValidationError(
                    self.env._(
                        "Agreement %(agreement)s cannot bill from %(date)s, before it "
                        "starts (%(start)s).",
                        agreement=agreement.display_name,
                        date=agreement.next_period_start,
                        start=agreement.date_start,
                    )
                )
            if agreement.date_end and agreement.date_end < agreement.date_start:
                raise ValidationError(
                    self.env._(
                        "Agreement %(agreement)s cannot end (%(end)s) before it starts "
                        "(%(start)s).",
                        agreement=agreement.display_name,
                        end=agreement.date_end,
                        start=agreement.date_start,
                    )
                )

    @api.constrains("currency_id", "journal_id")
    def _check_currency(self):
        for agreement in self:
            journal_currency = agreement.journal_id.currency_id
            if journal_currency and journal_currency != agreement.currency_id:
                raise ValidationError(
                    self.env._(
                        "Agreement %(agreement)s is in %(currency)s but its sales "
                        "journal %(journal)s only "
                        "accepts %(journal_currency)s.",
                        agreement=agreement.display_name,
                        currency=agreement.currency_id.name,
                        journal=agreement.journal_id.display_name,
                        journal_currency=journal_currency.name,
                    )
                )
            if not agreement.currency_id.active:
                raise ValidationError(
                    self.env._(
                        "The currency %(currency)s is not active: activate it in "
                        "Accounting before using it.",
                        currency=agreement.currency_id.name,
                    )
                )

    # ------------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------------
    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if vals.get("name", "/") == "/":
                company = (
                    self.env["res.company"].browse(vals.get("company_id"))
                    or self.env.company
                )
                vals["name"] = (
                    self.env["ir.sequence"]
                    .with_company(company)
                    .next_by_code("msp.agreement")
                    or "/"
                )
        return super().create(vals_list)

    def write(self, vals):
        res = super().write(vals)
        if BLOCK_TERMS & set(vals):
            self._msp_redecide_time()
        if "sla_policy_id" in vals:
            self.env["helpdesk.ticket"]._msp_sla_schedule_check(
                [("msp_agreement_id", "in", self.ids)]
            )
        return res

    @api.depends("name", "title")
    def _compute_display_name(self):
        for agreement in self:
            agreement.display_name = (
                f"{agreement.name} - {agreement.title}"
                if agreement.title
                else agreement.name
            )

    @api.model
    def _search_display_name(self, operator, value):
        if operator in ("ilike", "=ilike", "like") and value:
            return ["|", ("name", operator, value), ("title", operator, value)]
        return super()._search_display_name(operator, value)

    @api.ondelete(at_uninstall=False)
    def _unlink_except_active_or_invoiced(self):
        for agreement in self:
            if agreement.state not in ("draft", "cancelled"):
                raise UserError(
                    self.env._(
                        "Agreement %(agreement)s is %(state)s: only draft or cancelled "
                        "agreements can be "
                        "deleted. Cancel it first, or archive it.",
                        agreement=agreement.display_name,
                        state=dict(STATES)[agreement.state].lower(),
                    )
                )
        invoiced = (
            self.env["account.move"]
            .sudo()
            .search_count(self._get_invoice_domain(), limit=1)
        )
        if invoiced:
            raise UserError(
                self.env._(
                    "An agreement that has invoices cannot be deleted: its invoices "
                    "must keep their "
                    "origin. Archive it instead."
                )
            )

    # ------------------------------------------------------------------
    # State machine
    # ------------------------------------------------------------------
    def _check_manager(self, action):
        if not self.env.user.has_group(MANAGER_GROUP) and not self.env.su:
            raise AccessError(
                self.env._(
                    "Only an MSP Manager can %(action)s an agreement.", action=action
                )
            )

    def _check_state(self, allowed, action):
        wrong = self.filtered(lambda a: a.state not in allowed)
        if wrong:
            raise UserError(
                self.env._(
                    "Cannot %(action)s %(agreements)s: allowed only from %(states)s.",
                    action=action,
                    agreements=", ".join(wrong.mapped("display_name")),
                    states=", ".join(dict(STATES)[s].lower() for s in allowed),
                )
            )

    def action_activate(self):
        self._check_manager(self.env._("activate"))
        self._check_state(("draft", "suspended"), self.env._("activate"))
        for agreement in self:
            if not agreement.journal_id:
                raise UserError(
                    self.env._(
                        "Set a sales journal on %(agreement)s before activating it.",
                        agreement=agreement.display_name,
                    )
                )
            if agreement.date_end and agreement.date_end < fields.Date.context_today(
                self
            ):
                raise UserError(
                    self.env._(
                        "%(agreement)s ended on %(date)s: extend its end date before "
                        "activating it.",
                        agreement=agreement.display_name,
                        date=agreement.date_end,
                    )
                )
        resumed = self.filtered(lambda a: a.state == "suspended")
        self.write({"state": "active"})
        resumed._skip_suspended_periods()
        return True

    def _skip_suspended_periods(self):
        """A suspension is not billed: billing resumes with the current period."""
        today = fields.Date.context_today(self)
        for agreement in self:
            pointer = agreement.next_period_start
            if not pointer or pointer > today:
                continue
            current = agreement._period_containing(today)[0]
            if current > pointer:
                agreement.next_period_start = current
                agreement.message_post(
                    body=self.env._(
                        "Resumed: billing goes on from %(date)s; the periods from "
                        "%(skipped)s while the agreement was suspended are not billed.",
                        date=current,
                        skipped=pointer,
                    )
                )

    def action_suspend(self):
        self._check_state(("active",), self.env._("suspend"))
        self.write({"state": "suspended"})
        return True

    def action_expire(self):
        self._check_state(("active", "suspended"), self.env._("expire"))
        self.write({"state": "expired"})
        self.env["msp.revenue.schedule"]._stop_agreements(
            self, fields.Date.context_today(self)
        )
        return True

    def action_cancel(self):
        self._check_manager(self.env._("cancel"))
        self._check_state(("draft", "active", "suspended"), self.env._("cancel"))
        self.write({"state": "cancelled"})
        self.env["msp.revenue.schedule"]._stop_agreements(
            self, fields.Date.context_today(self)
        )
        return True

    def action_reset_draft(self):
        self._check_manager(self.env._("reset to draft"))
        self._check_state(("cancelled",), self.env._("reset to draft"))
        if (
            self.env["account.move"]
            .sudo()
            .search_count(self._get_invoice_domain(), limit=1)
        ):
            raise UserError(
                self.env._("An agreement that has invoices cannot go back to draft.")
            )
        self.write({"state": "draft"})
        return True

    # ------------------------------------------------------------------
    # Renewals: msp_agreement_renewal.py (the queue and the nightly renewal)
    # ------------------------------------------------------------------

    # ------------------------------------------------------------------
    # Smart buttons
    # ------------------------------------------------------------------
    def action_view_additions(self):
        return self._action_related("msp_psa.msp_agreement_addition_action")

    def action_view_tickets(self):
        return self._action_related(
            "helpdesk_mgmt.helpdesk_ticket_action", "msp_agreement_id"
        )

    def action_view_revenue_schedules(self):
        return self._action_related("msp_psa.msp_revenue_schedule_action", create=False)

    def action_view_managed_items(self):
        self.ensure_one()
        return self.partner_id.action_view_msp_managed_items()

    def action_view_invoices(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "account.action_move_out_invoice_type"
        )
        action["domain"] = self._get_invoice_domain()
        action["context"] = {"default_move_type": "out_invoice", "create": False}
        return action
