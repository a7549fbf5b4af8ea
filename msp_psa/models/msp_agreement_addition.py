# Copyright 2026 msp_psa authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import bisect
from collections import defaultdict
from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.osv import expression
from odoo.tools import float_compare

from ..tools import billing, periods, validate
from ..tools import mrr as mrr_tools

# The longest note an integration may leave on a quantity change.
QUANTITY_NOTE_LENGTH = 1000
# What an addition bills depends on these (and on its quantity log): a change of
# one of them is settled in the periods billed already. Not its description.
# Its unit price is dated in the price log, which marks the day it changes.
BILLED_FACTS = {
    "recurrence",
    "included_quantity",
    "date_start",
    "date_end",
    "prorate",
}


class MspAgreementAddition(models.Model):
    """A billable item of an agreement: a product, a quantity and a monthly unit price.

    The quantity is either typed in (``manual``) or counted from the client's
    managed items of a kind (``counted``). Every change of it is kept in a
    dated log (:class:`msp.agreement.addition.quantity`) from which billing
    reads the quantity at any date.
    """

    _name = "msp.agreement.addition"
    _description = "MSP Agreement Addition"
    _inherit = ["mail.thread"]
    _order = "agreement_id, sequence, id"
    _check_company_auto = True

    agreement_id = fields.Many2one(
        "msp.agreement", required=True, ondelete="cascade", index=True
    )
    company_id = fields.Many2one(
        related="agreement_id.company_id", store=True, index=True
    )
    currency_id = fields.Many2one(related="agreement_id.currency_id")
    partner_id = fields.Many2one(
        related="agreement_id.partner_id", store=True, index=True, string="Client"
    )
    agreement_state = fields.Selection(related="agreement_id.state")
    sequence = fields.Integer(default=10)
    product_id = fields.Many2one(
        "product.product",
        required=True,
        check_company=True,
        tracking=True,
        domain="[('sale_ok', '=', True)]",
    )
    name = fields.Text(
        string="Description",
        compute="_compute_name",
        store=True,
        readonly=False,
        required=True,
        precompute=True,
    )
    recurrence = fields.Selection(
        [("recurring", "Recurring (monthly price)"), ("one_time", "One-time")],
        required=True,
        default="recurring",
        tracking=True,
    )
    quantity_source = fields.Selection(
        [("manual", "Manual"), ("counted", "Counted from managed items")],
        required=True,
        default="manual",
        tracking=True,
    )
    kind_id = fields.Many2one(
        "msp.managed.item.kind",
        string="Counted Kind",
        tracking=True,
        help="The kind of managed item whose in-service count gives the quantity.",
    )
    quantity = fields.Float(
        default=1.0, digits="Product Unit of Measure", tracking=True
    )
    included_quantity = fields.Float(
        string="Less Included",
        digits="Product Unit of Measure",
        tracking=True,
        help="Quantity included in the agreement's fee: only the quantity beyond it is "
        "billed.",
    )
    billable_quantity = fields.Float(
        compute="_compute_amounts", store=True, digits="Product Unit of Measure"
    )
    price_unit = fields.Monetary(
        string="Unit Price",
        compute="_compute_price_unit",
        store=True,
        readonly=False,
        tracking=True,
        help="Monthly price of one unit (for a one-time addition, its price). Defaults "
        "to the client's "
        "pricelist.",
    )
    cost_unit = fields.Monetary(
        string="Unit Cost",
        compute="_compute_cost_unit",
        store=True,
        readonly=False,
        help="What one unit costs the MSP per month (licence, tooling), for margins.",
    )
    monthly_amount = fields.Monetary(
        string="Subtotal", compute="_compute_amounts", store=True
    )
    margin = fields.Monetary(compute="_compute_amounts", store=True)
    date_start = fields.Date(
        string="Effective Date",
        required=True,
        tracking=True,
        compute="_compute_date_start",
        store=True,
        readonly=False,
        precompute=True,
        help="First day the addition is billed. Defaults to the agreement's start, or "
        "to today on an agreement already running.",
    )
    date_end = fields.Date(
        string="Cancel Date", tracking=True, help="Last day the addition is billed."
    )
    prorate = fields.Boolean(
        default=True,
        help="Bill partial periods by days when the addition or its quantity changes "
        "mid-period.",
    )
    quantity_history_ids = fields.One2many(
        "msp.agreement.addition.quantity",
        "addition_id",
        readonly=True,
    )
    settle_from = fields.Date(
        readonly=True,
        copy=False,
        help="Earliest day a billed fact of the addition changed since its "
        "agreement was last invoiced (a quantity change, back-dated or not; its "
        "price, included quantity, dates, proration): the next invoice settles "
        "the periods already billed from there on. Cleared when invoiced; not "
        "moved by its description.",
    )

    @api.depends("agreement_id")
    def _compute_date_start(self):
        today = fields.Date.context_today(self)
        for addition in self:
            if addition.date_start or not addition.agreement_id:
                continue
            agreement = addition.agreement_id
            running = agreement.state != "draft" and agreement.date_start < today
            addition.date_start = today if running else agreement.date_start

    # ------------------------------------------------------------------
    # Computes
    # ------------------------------------------------------------------
    @api.depends("product_id")
    def _compute_name(self):
        for addition in self:
            if addition.product_id:
                addition.name = (
                    addition.product_id.get_product_multiline_description_sale()
                )

    @api.depends("name", "product_id.display_name")
    def _compute_display_name(self):
        # The description's first line: the rest is the product's sales text.
        for addition in self:
            addition.display_name = (addition.name or "").split("\n")[0] or (
                addition.product_id.display_name or ""
            )

    @api.depends("product_id", "agreement_id.partner_id", "agreement_id.currency_id")
    def _compute_price_unit(self):
        for addition in self:
            if not addition.product_id or not addition.agreement_id:
                continue
            agreement = addition.agreement_id
            pricelist = agreement.partner_id.with_company(
                agreement.company_id
            ).property_product_pricelist
            price_currency = pricelist.currency_id or addition.product_id.currency_id
            date = addition.date_start or fields.Date.context_today(addition)
            price = pricelist._get_product_price(
                addition.product_id,
                addition.quantity or 1.0,
                currency=price_currency,
                date=date,
            )
            addition.price_unit = price_currency._convert(
                price, agreement.currency_id, agreement.company_id, date
            )

    @api.depends("product_id", "agreement_id.currency_id")
    def _compute_cost_unit(self):
        for addition in self:
            if not addition.product_id or not addition.agreement_id:
                continue
            agreement = addition.agreement_id
            product = addition.product_id.with_company(agreement.company_id)
            addition.cost_unit = agreement.company_id.currency_id._convert(
                product.standard_price,
                agreement.currency_id,
                agreement.company_id,
                addition.date_start or fields.Date.context_today(addition),
            )

    @api.depends("quantity", "included_quantity", "price_unit", "cost_unit")
    def _compute_amounts(self):
        for addition in self:
            # A new addition has no currency until its agreement is chosen.
            currency = addition.currency_id or addition.env.company.currency_id
            addition.billable_quantity = mrr_tools.billable_quantity(
                addition.quantity, addition.included_quantity
            )
            addition.monthly_amount = currency.round(
                addition.billable_quantity * addition.price_unit
            )
            addition.margin = addition.monthly_amount - currency.round(
                addition.quantity * addition.cost_unit
            )

    @api.onchange("kind_id")
    def _onchange_kind_id(self):
        if self.kind_id:
            self.quantity_source = "counted"

    def _is_in_service(self, day):
        self.ensure_one()
        return mrr_tools.in_service(self.date_start, self.date_end, day)

    # ------------------------------------------------------------------
    # Constraints
    # ------------------------------------------------------------------
    @api.constrains("quantity", "included_quantity", "price_unit", "cost_unit")
    def _check_amounts(self):
        labels = {
            "quantity": self.env._("quantity"),
            "included_quantity": self.env._("included quantity"),
            "price_unit": self.env._("unit price"),
            "cost_unit": self.env._("unit cost"),
        }
        for addition in self:
            for fname, label in labels.items():
                if addition[fname] < 0:
                    raise ValidationError(
                        self.env._(
                            "%(addition)s on %(agreement)s: the %(what)s cannot be "
                            "negative (%(value)s).",
                            addition=addition.product_id.display_name,
                            agreement=addition.agreement_id.display_name,
                            what=label,
                            value=addition[fname],
                        )
                    )

    @api.constrains("date_start", "date_end", "agreement_id")
    def _check_dates(self):
        for addition in self:
            if addition.date_end and addition.date_end < addition.date_start:
                raise ValidationError(
                    self.env._(
                        "%(addition)s on %(agreement)s: the cancel date (%(end)s) "
                        "cannot be before the "
                        "effective date (%(start)s).",
                        addition=addition.product_id.display_name,
                        agreement=addition.agreement_id.display_name,
                        end=addition.date_end,
                        start=addition.date_start,
                    )
                )
            if addition.date_start < addition.agreement_id.date_start:
                raise ValidationError(
                    self.env._(
                        "%(addition)s on %(agreement)s cannot take effect (%(start)s) "
                        "before the agreement "
                        "starts (%(agreement_start)s).",
                        addition=addition.product_id.display_name,
                        agreement=addition.agreement_id.display_name,
                        start=addition.date_start,
                        agreement_start=addition.agreement_id.date_start,
                    )
                )

    @api.constrains("quantity_source", "kind_id")
    def _check_kind(self):
        for addition in self:
            if addition.quantity_source == "counted" and not addition.kind_id:
                raise ValidationError(
                    self.env._(
                        "%(addition)s on %(agreement)s is counted from managed items: "
                        "choose which kind "
                        "of item to count.",
                        addition=addition.product_id.display_name,
                        agreement=addition.agreement_id.display_name,
                    )
                )

    # ------------------------------------------------------------------
    # CRUD and quantity log
    # ------------------------------------------------------------------
    @api.model_create_multi
    def create(self, vals_list):
        additions = super().create(vals_list)
        manual = additions.filtered(lambda a: a.quantity_source == "manual")
        self.env["msp.agreement.addition.quantity"].sudo().create(
            [
                {
                    "addition_id": addition.id,
                    "date": addition.date_start,
                    "quantity_old": 0.0,
                    "quantity_new": addition.quantity,
                    "source": "initial",
                }
                for addition in manual
            ]
        )
        (additions - manual)._recount_quantities()
        additions._msp_changed_from(
            {addition: addition._msp_service_start() for addition in additions}
        )
        return additions

    def write(self, vals):
        if "quantity" in vals and not self.env.context.get("msp_quantity_counted"):
            counted = self.filtered(lambda a: a.quantity_source == "counted")
            if counted and vals.get("quantity_source") != "manual":
                raise UserError(
                    self.env._(
                        "The quantity of %(additions)s is counted from the client's "
                        "managed items: add or "
                        "end items instead, or switch the addition to a manual "
                        "quantity.",
                        additions=", ".join(counted.mapped("product_id.display_name")),
                    )
                )
            self._log_manual_quantity(vals["quantity"])
        changed = BILLED_FACTS & vals.keys()
        if changed:
            before = {addition: addition._msp_service_start() for addition in self}
        res = super().write(vals)
        if changed:
            self._msp_changed_from(
                {
                    addition: min(day, addition._msp_service_start())
                    for addition, day in before.items()
                }
            )
        if {"date_start"} & vals.keys():
            self._sync_initial_entry()
        if {"quantity_source", "kind_id", "date_start", "date_end"} & vals.keys():
            self.filtered(
                lambda a: a.quantity_source == "counted"
            )._recount_quantities()
        return res

    def _msp_service_start(self):
        """The first day a change of the addition's terms touches: its start, or
        the day after its end when that comes first."""
        self.ensure_one()
        if self.date_end and self.date_end < self.date_start:
            return self.date_end + timedelta(days=1)
        return self.date_start

    def _msp_changed_from(self, days):
        """A billed fact of some additions changed from a day on: ``days``
        {addition: day}. Their next invoice settles the periods billed from the
        earliest such day (``settle_from``)."""
        moved = defaultdict(list)
        for addition, day in days.items():
            if day and (not addition.settle_from or day < addition.settle_from):
                moved[day].append(addition.id)
        for day, ids in moved.items():
            self.browse(ids).write({"settle_from": day})

    def _msp_settle_again(self, lines):
        """The invoice ``lines`` (of additions) no longer count (their invoice
        was cancelled or deleted): what they billed is settled again from
        their first day."""
        days = {}
        for line in lines.filtered(lambda x: x.msp_addition_id and x.start_date):
            addition = line.msp_addition_id
            days[addition] = min(days.get(addition, line.start_date), line.start_date)
        self.env["msp.agreement.addition"].sudo()._msp_changed_from(days)
        # The fixed fee's and the block's price changes: settled again too.
        fee_days = {}
        for line in lines.filtered(
            lambda x: x.msp_price_change and not x.msp_addition_id and x.start_date
        ):
            agreement = line.msp_agreement_id
            fee_days[agreement] = min(
                fee_days.get(agreement, line.start_date), line.start_date
            )
        for agreement, day in fee_days.items():
            if not agreement.fee_settle_from or day < agreement.fee_settle_from:
                agreement.sudo().fee_settle_from = day

    def _log_manual_quantity(self, new_quantity):
        """Log a typed-in quantity change.

        Effective today or on the context's ``msp_quantity_date``, which may be
        in the past but not before the addition's latest logged change (the log
        only grows forward, so every entry's old quantity stays true), nor in
        the future (the addition's quantity is today's).
        """
        today = fields.Date.context_today(self)
        with validate.user_errors(self.env):
            day = (
                validate.to_date(
                    self.env.context.get("msp_quantity_date"),
                    self.env._("date of the quantity change"),
                    required=False,
                )
                or today
            )
        if day > today:
            raise UserError(
                self.env._(
                    "A quantity change takes effect today or earlier, not on %(date)s.",
                    date=day,
                )
            )
        source = self.env.context.get("msp_quantity_source", "manual")
        precision = self.env["decimal.precision"].precision_get(
            "Product Unit of Measure"
        )
        changed = self.filtered(
            lambda a: float_compare(
                a.quantity, new_quantity, precision_digits=precision
            )
        )
        latest = dict(
            self.env["msp.agreement.addition.quantity"]
            .sudo()
            ._read_group(
                [("addition_id", "in", changed.ids)], ["addition_id"], ["date:max"]
            )
        )
        for addition in changed:
            last = latest.get(addition)
            if last and last > max(day, addition.date_start):
                raise UserError(
                    self.env._(
                        "%(addition)s on %(agreement)s already changed on %(last)s: a "
                        "new quantity cannot take effect earlier (%(date)s).",
                        addition=addition.product_id.display_name,
                        agreement=addition.agreement_id.display_name,
                        last=last,
                        date=day,
                    )
                )
        self.env["msp.agreement.addition.quantity"].sudo().create(
            [
                {
                    "addition_id": addition.id,
                    "date": max(day, addition.date_start),
                    "quantity_old": addition.quantity,
                    "quantity_new": new_quantity,
                    "source": source,
                }
                for addition in changed
            ]
        )

    def _sync_initial_entry(self):
        initial = (
            self.env["msp.agreement.addition.quantity"]
            .sudo()
            .search([("addition_id", "in", self.ids), ("source", "=", "initial")])
        )
        for entry in initial:
            if entry.date != entry.addition_id.date_start:
                entry.date = entry.addition_id.date_start

    def _msp_api_label(self):
        """These additions in words, for the messages of the methods outside
        callers reach ("Per-User Support on AGR/2026/00001, …")."""
        return ", ".join(
            self.env._(
                "%(addition)s on %(agreement)s",
                addition=addition.product_id.display_name,
                agreement=addition.agreement_id.display_name,
            )
            for addition in self
        ) or self.env._("no addition")

    def set_quantity(self, quantity, date=None, note=None):
        """External API: set a manual quantity from ``date`` (default today).

        The change is logged as an API change::

            models.execute_kw(db, uid, key, "msp.agreement.addition",
                              "set_quantity", [[addition_id], 42],
                              {"date": "2026-11-17"})

        The quantity must be a finite number of zero or more, the date a
        ``YYYY-MM-DD`` not in the future: anything else is refused with a
        ``ValidationError`` naming the value and the addition, and nothing is
        written.
        """
        label = self._msp_api_label()
        with validate.user_errors(self.env):
            quantity = validate.to_float(
                quantity,
                self.env._("quantity of %(additions)s", additions=label),
                minimum=0,
            )
            day = validate.to_date(
                date,
                self.env._("date of the quantity of %(additions)s", additions=label),
                latest=fields.Date.context_today(self),
                required=False,
            )
            note = validate.to_text(
                note,
                self.env._("note on the quantity of %(additions)s", additions=label),
                max_length=QUANTITY_NOTE_LENGTH,
                required=False,
            )
        ctx = {"msp_quantity_source": "api"}
        if day:
            ctx["msp_quantity_date"] = day
        self.with_context(**ctx).write({"quantity": quantity})
        if note:
            entries = self.quantity_history_ids.sorted("id")[-1:]
            entries.sudo().write({"note": note})
        return True

    @api.ondelete(at_uninstall=False)
    def _unlink_except_running_agreement(self):
        running = self.filtered(
            lambda a: a.agreement_id.state not in ("draft", "cancelled")
        )
        if running:
            raise UserError(
                self.env._(
                    "%(additions)s belong to a running agreement: set a cancel date "
                    "instead of deleting "
                    "them, so that billing history stays whole.",
                    additions=", ".join(running.mapped("product_id.display_name")),
                )
            )

    # ------------------------------------------------------------------
    # Counting managed items
    # ------------------------------------------------------------------
    @api.model
    def _recount_for_keys(self, keys):
        """Recount the counted additions of some (company, client, kind) id triples."""
        companies, partners, kinds = (set(col) for col in zip(*keys, strict=True))
        additions = self.search(
            [
                ("quantity_source", "=", "counted"),
                ("company_id", "in", list(companies)),
                ("partner_id", "in", list(partners)),
                ("kind_id", "in", list(kinds)),
            ]
        )
        additions.filtered(
            lambda a: (a.company_id.id, a.partner_id.id, a.kind_id.id) in keys
        )._recount_quantities()

    def _recount_quantities(self):
        """Bring counted quantities and their dated log in line with the managed items.

        For each addition, the count of in-service items is evaluated at every
        date where it can change (an item's first day, the day after its last,
        the addition's start, any date already logged). Where the log says
        otherwise, an entry is added at that date, so the log always answers
        "how many on day D" exactly, back-dated changes included. Running it
        again adds nothing.
        """
        additions = self.filtered(
            lambda a: a.quantity_source == "counted" and a.kind_id
        )
        if not additions:
            return
        Item = self.env["msp.managed.item"].sudo()
        items = Item.search_read(
            [
                ("partner_id", "in", additions.partner_id.ids),
                ("kind_id", "in", additions.kind_id.ids),
                ("company_id", "in", additions.company_id.ids),
            ],
            ["partner_id", "kind_id", "company_id", "active_from", "active_to"],
            load=None,
        )
        events = defaultdict(list)  # key -> [(date, +1/-1)]
        for item in items:
            key = (item["company_id"], item["partner_id"], item["kind_id"])
            events[key].append((item["active_from"], 1))
            if item["active_to"]:
                events[key].append((item["active_to"] + timedelta(days=1), -1))
        Log = self.env["msp.agreement.addition.quantity"].sudo()
        logs = additions._read_quantity_steps()

        today = fields.Date.context_today(self)
        new_entries = []
        quantities = defaultdict(list)  # new current quantity -> additions
        for addition in additions:
            key = (addition.company_id.id, addition.partner_id.id, addition.kind_id.id)
            step_dates, step_counts = _step_function(events[key])
            log = list(logs[addition.id])
            check_dates = sorted(
                {addition.date_start}
                | {d for d in step_dates if d > addition.date_start}
                | {d for d, _qty in log if d > addition.date_start}
            )
            if addition.date_end:
                check_dates = [d for d in check_dates if d <= addition.date_end]
            for day in check_dates:
                count = _value_at(step_dates, step_counts, day)
                logged = billing.step_value(log, day, default=None)
                if logged is None or logged != count:
                    new_entries.append(
                        {
                            "addition_id": addition.id,
                            "date": day,
                            "quantity_old": logged or 0.0,
                            "quantity_new": count,
                            "source": "count",
                        }
                    )
                    # Insert after every entry of the same date: it wins for that date.
                    pos = bisect.bisect_right([d for d, _q in log], day)
                    log.insert(pos, (day, count))
            current = billing.step_value(log, max(today, addition.date_start))
            if addition.quantity != current:
                quantities[current].append(addition.id)
        Log.create(new_entries)
        for quantity, ids in quantities.items():
            self.browse(ids).with_context(msp_quantity_counted=True).write(
                {"quantity": quantity}
            )

    def _get_monthly_amount_at(self, day):
        """What the addition bills a month on ``day``: see
        ``_get_monthly_amounts_at``."""
        self.ensure_one()
        return self._get_monthly_amounts_at(day)[self]

    def _get_monthly_amounts_at(self, day):
        """{addition: what it bills a month on ``day``}: its subtotal today; on
        another day, the quantity its log gives for that day, at the price its
        price log gives for that day (0 for a one-time addition or outside its
        service). One read of each log for all of them."""
        amounts = {}
        in_service = self.filtered(
            lambda a: a.recurrence == "recurring" and a._is_in_service(day)
        )
        today = fields.Date.context_today(self)
        logs = in_service._read_quantity_steps() if day != today and in_service else {}
        prices = in_service._read_price_steps() if day != today and in_service else {}
        for addition in self:
            if addition not in in_service:
                amounts[addition] = 0.0
            elif day == today:
                amounts[addition] = addition.monthly_amount
            else:
                quantity = mrr_tools.billable_quantity(
                    billing.step_value(logs.get(addition.id, []), day),
                    addition.included_quantity,
                )
                price = billing.price_at(
                    prices.get(addition.id), day, addition.price_unit
                )
                amounts[addition] = addition.currency_id.round(quantity * price)
        return amounts

    def _get_quantity_at(self, day):
        """Quantity of the addition on ``day`` per its log (0 outside its service)."""
        self.ensure_one()
        if not self._is_in_service(day):
            return 0.0
        return billing.step_value(self._read_quantity_steps().get(self.id, []), day)

    def _read_quantity_steps(self):
        """{addition id: [(date, quantity)]}: the quantity log of these additions
        as a step function, in date order, the last entry of a date winning (as
        ``billing.step_value`` reads it). The one reader of the log, one query
        for them all."""
        steps = defaultdict(list)
        ids = [addition_id for addition_id in self.ids if addition_id]  # not new ones
        if not ids:
            return steps
        # sudo: the log is the system's; whoever reads an addition reads its
        # quantities
        for entry in (
            self.env["msp.agreement.addition.quantity"]
            .sudo()
            .search_read(
                [("addition_id", "in", ids)],
                ["addition_id", "date", "quantity_new"],
                order="date, id",
                load=None,
            )
        ):
            log = steps[entry["addition_id"]]
            if log and log[-1][0] == entry["date"]:
                log[-1] = (entry["date"], entry["quantity_new"])
            else:
                log.append((entry["date"], entry["quantity_new"]))
        return steps

    def _read_billed_lines(self, windows):
        """What was billed of these additions, in one query: ({addition id:
        [(start, end, billed quantity)] (``billing.BilledPart``, with the
        monthly unit price it billed as ``price``) of its live recurring
        invoice lines that end on or after its agreement's window,
        ``windows[agreement id]``}, {addition id: one-time additions with a
        live invoice line}). A price change line (N units moved from one price
        to another) reads as N units credited at the old price and N charged
        at the new one."""
        billed, billed_once = defaultdict(list), set()
        by_window = defaultdict(list)
        for addition in self:
            window = windows.get(addition.agreement_id.id)
            if window:
                by_window[window].append(addition.id)
        if not by_window:
            return billed, billed_once
        domain = expression.OR(
            [
                [
                    ("msp_addition_id", "in", ids),
                    "|",
                    ("msp_line_kind", "=", "one_time"),
                    ("end_date", ">=", window),
                ]
                for window, ids in sorted(by_window.items())
            ]
        )
        # sudo: the engine reads what was billed, whoever previews or runs it
        for line in (
            self.env["account.move.line"]
            .sudo()
            .search_read(
                expression.AND([[("parent_state", "!=", "cancel")], domain]),
                [
                    "msp_addition_id",
                    "msp_line_kind",
                    "start_date",
                    "end_date",
                    "msp_billed_quantity",
                    "msp_unit_price",
                    "msp_price_change",
                    "msp_price_from",
                ],
                load=None,
            )
        ):
            if line["msp_line_kind"] == "one_time":
                billed_once.add(line["msp_addition_id"])
            else:
                billed[line["msp_addition_id"]] += _billed_parts(line)
        return billed, billed_once

    # ------------------------------------------------------------------
    # Invoice lines
    # ------------------------------------------------------------------
    def _prepare_invoice_line_vals(
        self,
        date_from=None,
        date_to=None,
        settlement=False,
        steps=(),
        billed=(),
        prices=None,
    ):
        """The values of the addition's invoice lines, written in its client's
        language (its agreement's ``_msp_client``).

        One-time: its one line. Recurring: the lines that bring what is billed
        of it over [date_from, date_to] to what is due: its quantity day by day
        per its log (``steps``, see ``_read_quantity_steps``), less the
        included quantity, at the price of that day per its price log
        (``prices``, see ``_read_price_steps``; None: read it; empty: its unit
        price); ``billed`` are (start, end, quantity) of its live invoice lines
        (with the monthly price they billed as ``price``, see ``BilledPart``);
        ``settlement``: the window settles changes in periods billed already
        ("3 added 17 Jan"). A day billed at another price than its own is
        re-priced by a price change line ("Price change from 1 Mar:
        10 × (30.00 → 35.00)"); units added or removed in a period billed
        already are settled at the price that day has."""
        self.ensure_one()
        if self.recurrence == "one_time":
            return [self._prepare_one_time_line_vals()]
        agreement = self.agreement_id._msp_client()
        service_end = self.date_end

        def quantity_on(day):
            if day < self.date_start or (service_end and day > service_end):
                return 0.0
            quantity = billing.step_value(steps, day)
            return max(quantity - self.included_quantity, 0.0)

        def largest_in_period(day):
            # Not prorated: the largest quantity of the period, for the whole period.
            start, end = agreement._period_containing(day)
            points = {start, self.date_start} | {d for d, _q in steps}
            return max(quantity_on(d) for d in points if start <= d <= end)

        due_quantity = quantity_on if self.prorate else largest_in_period
        if prices is None:
            prices = self._read_price_steps().get(self.id)

        def price_on(day):
            return billing.price_at(prices, day, self.price_unit)

        def due(day):
            return due_quantity(day), price_on(day)

        def billed_on(day):
            parts = [part for part in billed if part[0] <= day <= part[1]]
            return [(part[2], _price_of(part, price_on, day)) for part in parts]

        breakpoints = {d for d, _q in steps}
        breakpoints |= {d for d, _p in (prices or [])[1:]}
        breakpoints |= {self.date_start}
        if service_end:
            breakpoints.add(service_end + timedelta(days=1))
        for part in billed:
            breakpoints |= {part[0], part[1] + timedelta(days=1)}
        months = periods.CYCLE_MONTHS[agreement.billing_cycle]
        result = []
        part_from = date_from
        while part_from <= date_to:  # one period at a time: a line never spans two
            part_to = min(
                periods.period_bounds(part_from, months, agreement.anchor_day)[1],
                date_to,
            )
            for seg_from, seg_to, quantity, price, old_price in billing.settle_segments(
                part_from, part_to, due, billed_on, breakpoints
            ):
                if old_price is None:
                    vals = self._prepare_segment_line_vals(
                        agreement, seg_from, seg_to, quantity, settlement, price
                    )
                else:
                    vals = self._prepare_price_change_line_vals(
                        agreement, seg_from, seg_to, quantity, price, old_price
                    )
                result.append(vals)
            part_from = part_to + timedelta(days=1)
        return result

    def _prepare_one_time_line_vals(self):
        self.ensure_one()
        return {
            "product_id": self.product_id.id,
            "name": self.name,
            "quantity": self.billable_quantity,
            "price_unit": self.price_unit,
            "start_date": self.date_start,
            "end_date": self.date_start,
            "msp_line_kind": "one_time",
            "msp_addition_id": self.id,
            "msp_billed_quantity": self.billable_quantity,
        }

    def _prepare_segment_line_vals(
        self, agreement, date_from, date_to, quantity, settlement, price=None
    ):
        """One line of ``quantity`` units over [date_from, date_to] (inside one
        period) at the monthly ``price`` (default: its unit price), labelled by
        ``agreement`` (in its client's language)."""
        self.ensure_one()
        months = periods.CYCLE_MONTHS[agreement.billing_cycle]
        period_from, period_to = periods.period_bounds(
            date_from, months, agreement.anchor_day
        )
        whole_period = (
            date_from == period_from
            and date_to == period_to
            and periods.is_boundary(period_from, agreement.anchor_day)
        )
        price = self.price_unit if price is None else price
        label = agreement._msp_factor_label(date_from, date_to)
        # The first line of the addition's description; its product's name when
        # that line is blank (an empty description, or one that starts with a
        # new line).
        label_name = (self.name or "").split("\n")[0].strip()
        label_name = label_name or self.product_id.with_env(agreement.env).display_name
        if settlement:
            count = agreement._msp_quantity_label(abs(quantity))
            day = agreement._msp_day_label(date_from)
            if quantity > 0:
                what = agreement.env._("%(count)s added %(day)s", count=count, day=day)
            else:
                what = agreement.env._(
                    "%(count)s removed %(day)s", count=count, day=day
                )
            detail = agreement.env._(
                "%(what)s, %(period)s: %(quantity)s × %(price)s%(math)s",
                what=what,
                period=agreement._period_label(date_from, date_to),
                quantity=agreement._msp_quantity_label(quantity),
                price=agreement._msp_amount_label(price),
                math=label,
            )
        else:
            detail = agreement.env._(
                "%(period)s: %(quantity)s × %(price)s%(math)s",
                period=agreement._period_label(date_from, date_to),
                quantity=agreement._msp_quantity_label(quantity),
                price=agreement._msp_amount_label(price),
                math=label,
            )
        name = agreement._msp_line_name(label_name, detail)
        if whole_period:
            factor = months
        else:
            factor = billing.month_factor(date_from, date_to, agreement.anchor_day)
        line_quantity, price_unit = agreement._msp_quantity_price(
            quantity, factor, price
        )
        return {
            "product_id": self.product_id.id,
            "name": name,
            "quantity": line_quantity,
            "price_unit": price_unit,
            "start_date": date_from,
            "end_date": date_to,
            "msp_line_kind": "addition",
            "msp_addition_id": self.id,
            "msp_billed_quantity": quantity,
            "msp_unit_price": price,
        }

    def _msp_label_name(self, agreement):
        """The first line of the addition's description; its product's name
        when that line is blank."""
        label_name = (self.name or "").split("\n")[0].strip()
        return label_name or self.product_id.with_env(agreement.env).display_name

    def _prepare_price_change_line_vals(
        self, agreement, date_from, date_to, quantity, price, old_price
    ):
        """One line moving ``quantity`` units billed at the monthly
        ``old_price`` over [date_from, date_to] (inside one period) to
        ``price``: "Price change from 1 Mar, 1–31 Mar 2026: 10 × (30.00 →
        35.00)", in ``agreement``'s client's language."""
        self.ensure_one()
        detail = agreement.env._(
            "Price change from %(day)s, %(period)s: %(quantity)s × (%(old)s → "
            "%(new)s)%(math)s",
            day=agreement._msp_day_label(date_from),
            period=agreement._period_label(date_from, date_to),
            quantity=agreement._msp_quantity_label(quantity),
            old=agreement._msp_amount_label(old_price),
            new=agreement._msp_amount_label(price),
            math=agreement._msp_factor_label(date_from, date_to),
        )
        factor = billing.month_factor(date_from, date_to, agreement.anchor_day)
        line_quantity, price_unit = agreement._msp_quantity_price(
            quantity, factor, price - old_price
        )
        return {
            "product_id": self.product_id.id,
            "name": agreement._msp_line_name(self._msp_label_name(agreement), detail),
            "quantity": line_quantity,
            "price_unit": price_unit,
            "start_date": date_from,
            "end_date": date_to,
            "msp_line_kind": "addition",
            "msp_addition_id": self.id,
            "msp_billed_quantity": quantity,
            "msp_unit_price": price,
            "msp_price_from": old_price,
            "msp_price_change": True,
        }

    @api.model
    def _cron_refresh_counted_quantities(self):
        """Move counted quantities to today's count (items can be future-dated)."""
        self.search([("quantity_source", "=", "counted")])._recount_quantities()
        return True


def _price_of(part, price_on, day):
    """The monthly price a billed part billed (the day's price when unknown)."""
    price = getattr(part, "price", None)
    return price_on(day) if price is None else price


def _billed_parts(line):
    """[BilledPart(start, end, quantity, monthly price)] an invoice line read
    with its msp fields billed: a price change line is its units credited at the old
    price and charged at the new one."""
    start, end = line["start_date"], line["end_date"]
    quantity, price = line["msp_billed_quantity"], line["msp_unit_price"]
    if line.get("msp_price_change"):
        return [
            billing.BilledPart(start, end, -quantity, line["msp_price_from"]),
            billing.BilledPart(start, end, quantity, price),
        ]
    return [billing.BilledPart(start, end, quantity, price)]


def _step_function(events):
    """Sorted change dates and the running count from each date on."""
    dates, counts, running = [], [], 0
    for day, delta in sorted(events):
        running += delta
        if dates and dates[-1] == day:
            counts[-1] = running
        else:
            dates.append(day)
            counts.append(running)
    return dates, counts


def _value_at(dates, counts, day):
    pos = bisect.bisect_right(dates, day)
    return float(counts[pos - 1]) if pos else 0.0
