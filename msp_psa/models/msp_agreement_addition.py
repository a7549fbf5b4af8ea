# Copyright 2026 msp_psa authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import bisect
from collections import defaultdict
from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import float_compare

from ..tools import mrr as mrr_tools
from ..tools import validate

# The longest note an integration may leave on a quantity change.
QUANTITY_NOTE_LENGTH = 1000


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
        res = super().write(vals)
        if {"date_start"} & vals.keys():
            self._sync_initial_entry()
        if {"quantity_source", "kind_id", "date_start", "date_end"} & vals.keys():
            self.filtered(
                lambda a: a.quantity_source == "counted"
            )._recount_quantities()
        return res

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
        label = ", ".join(
            self.env._(
                "%(addition)s on %(agreement)s",
                addition=addition.product_id.display_name,
                agreement=addition.agreement_id.display_name,
            )
            for addition in self
        ) or self.env._("no addition")
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
        logs = defaultdict(list)  # addition id -> [(date, quantity_new)] in log order
        for entry in Log.search_read(
            [("addition_id", "in", additions.ids)],
            ["addition_id", "date", "quantity_new"],
            order="date, id",
            load=None,
        ):
            logs[entry["addition_id"]].append((entry["date"], entry["quantity_new"]))

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
                logged = _logged_at(log, day)
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
            current = _logged_at(log, max(today, addition.date_start)) or 0.0
            if addition.quantity != current:
                quantities[current].append(addition.id)
        Log.create(new_entries)
        for quantity, ids in quantities.items():
            self.browse(ids).with_context(msp_quantity_counted=True).write(
                {"quantity": quantity}
            )

    def _get_monthly_amount_at(self, day):
        """What the addition bills a month on ``day``: its subtotal today; on
        another day, the quantity its log gives for that day, at today's price
        (0 for a one-time addition or outside its service)."""
        self.ensure_one()
        if self.recurrence != "recurring" or not self._is_in_service(day):
            return 0.0
        if day == fields.Date.context_today(self):
            return self.monthly_amount
        quantity = mrr_tools.billable_quantity(
            self._get_quantity_at(day), self.included_quantity
        )
        return self.currency_id.round(quantity * self.price_unit)

    def _get_quantity_at(self, day):
        """Quantity of the addition on ``day`` per its log (0 outside its service)."""
        self.ensure_one()
        if not self._is_in_service(day):
            return 0.0
        log = [
            (e.date, e.quantity_new)
            for e in self.quantity_history_ids.sorted(lambda e: (e.date, e.id))
        ]
        return _logged_at(log, day) or 0.0

    @api.model
    def _cron_refresh_counted_quantities(self):
        """Move counted quantities to today's count (items can be future-dated)."""
        self.search([("quantity_source", "=", "counted")])._recount_quantities()
        return True


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


def _logged_at(log, day):
    """Quantity the log gives for ``day``.

    The last entry dated on or before it (None if none).
    """
    value = None
    for entry_date, quantity in log:
        if entry_date > day:
            break
        value = quantity
    return value
