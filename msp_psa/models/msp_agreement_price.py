# Copyright 2026 msp_psa authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from collections import defaultdict

from odoo import api, fields, models
from odoo.exceptions import ValidationError

from ..tools import billing, labels, validate

COMPONENTS = [
    ("fee", "Fixed fee"),
    ("block", "Block of hours"),
    ("addition", "Addition"),
]
SOURCES = [
    ("initial", "Initial price"),
    ("manual", "Manual change"),
    ("escalation", "Price escalation"),
    ("change", "Change order"),
    ("api", "External API"),
]
# The current field each component keeps equal to the price in force today.
CURRENT_FIELD = {"fee": "fixed_fee", "block": "block_price", "addition": "price_unit"}


class MspAgreementPrice(models.Model):
    """Dated log of an agreement's prices: its fixed fee, its block price and
    its additions' unit prices.

    From ``date`` on, the price is ``price_new``. Billing reads the price of
    every day from here (``_read_price_steps``): a step inside a period
    prorates, a step in a period billed already is settled on the next
    invoice, and the agreement's fields (``fixed_fee``, ``block_price``, the
    additions' ``price_unit``) stay the price in force today.

    Entries are written by the system only (a manual edit, an escalation, a
    change order, an API call); nobody edits or deletes them. The entry with
    the highest id wins among entries of one date.
    """

    _name = "msp.agreement.price"
    _description = "MSP Agreement Price Change"
    _order = "date desc, id desc"

    agreement_id = fields.Many2one(
        "msp.agreement", required=True, ondelete="cascade", index=True
    )
    addition_id = fields.Many2one(
        "msp.agreement.addition",
        ondelete="cascade",
        index="btree_not_null",
        help="The addition whose unit price this is; empty for the fixed fee and "
        "the block price.",
    )
    company_id = fields.Many2one(
        related="agreement_id.company_id", store=True, index=True
    )
    partner_id = fields.Many2one(
        related="agreement_id.partner_id", store=True, string="Client"
    )
    currency_id = fields.Many2one(related="agreement_id.currency_id")
    product_id = fields.Many2one(related="addition_id.product_id")
    component = fields.Selection(COMPONENTS, required=True)
    date = fields.Date(string="Effective Date", required=True, index=True)
    price_old = fields.Monetary(string="Old Price")
    price_new = fields.Monetary(string="New Price")
    source = fields.Selection(SOURCES, required=True, default="manual")
    user_id = fields.Many2one(
        "res.users",
        string="Changed By",
        default=lambda self: self.env.user,
        required=True,
    )
    note = fields.Char()
    pending = fields.Boolean(
        readonly=True,
        help="Dated in the future when logged: the daily action moves the "
        "agreement's current price to it on its day.",
    )

    # ------------------------------------------------------------------
    # Writing the log
    # ------------------------------------------------------------------
    @api.model_create_multi
    def create(self, vals_list):
        """Log prices (the system's: callers check the user's rights, then
        create with ``sudo()``): each of ``vals_list`` gives ``component``, the
        ``agreement_id`` (or the ``addition_id`` of an addition's price),
        ``date`` (default: the agreement's next period not billed yet),
        ``price_new``, ``source`` and ``note``. Fills ``price_old`` from the log,
        marks the agreement or addition to settle the periods billed from that
        day, and keeps its current price field the price in force today."""
        Addition = self.env["msp.agreement.addition"].sudo()
        Agreement = self.env["msp.agreement"].sudo()
        addition_ids = {v["addition_id"] for v in vals_list if v.get("addition_id")}
        additions = {a.id: a for a in Addition.browse(sorted(addition_ids)).exists()}
        vals_list = [dict(vals) for vals in vals_list]
        for vals in vals_list:
            self._msp_check_vals(vals, additions)
        agreements = Agreement.browse(sorted({v["agreement_id"] for v in vals_list}))
        steps = agreements._read_price_steps()
        today = fields.Date.context_today(self)
        for vals in vals_list:
            agreement = Agreement.browse(vals["agreement_id"])
            record = additions[vals["addition_id"]] if vals.get("addition_id") else None
            if not vals.get("date"):
                vals["date"] = agreement._msp_next_unbilled_start()
                if record:
                    vals["date"] = max(vals["date"], record.date_start)
            vals["date"] = fields.Date.to_date(vals["date"])
            key = _key(vals)
            current = (record or agreement)[CURRENT_FIELD[vals["component"]]]
            log = steps.setdefault(key, [])
            if "price_old" not in vals:
                vals["price_old"] = billing.price_at(log, vals["date"], current)
            vals["pending"] = vals["date"] > today
            # The log of this call so far, for the next entries' old price.
            if not log:
                initial = vals.get("source") == "initial"
                log.append((None, vals["price_new" if initial else "price_old"]))
            pos = 1
            while pos < len(log) and log[pos][0] <= vals["date"]:
                pos += 1
            log.insert(pos, (vals["date"], vals["price_new"]))
        entries = super().create(vals_list)
        days, fee_days = {}, {}
        for entry in entries:
            if entry.addition_id:
                addition = entry.addition_id
                days[addition] = min(days.get(addition, entry.date), entry.date)
            else:
                agreement = entry.agreement_id
                fee_days[agreement] = min(
                    fee_days.get(agreement, entry.date), entry.date
                )
        Addition._msp_changed_from(days)
        for agreement, day in fee_days.items():
            if not agreement.fee_settle_from or day < agreement.fee_settle_from:
                agreement.sudo().fee_settle_from = day
        entries._msp_apply()
        # What the agreements' MRR was from those days changed: the MRR
        # movement history follows.
        self.env["msp.mrr.month"]._msp_schedule_refresh(entries.agreement_id.ids)
        return entries

    def _msp_check_vals(self, vals, additions):
        component = vals.get("component")
        if component not in CURRENT_FIELD:
            raise ValidationError(
                self.env._(
                    "A price change is of the fixed fee, the block price or an "
                    "addition, not %(component)s.",
                    component=component,
                )
            )
        if component == "addition":
            addition = additions.get(vals.get("addition_id"))
            if not addition:
                raise ValidationError(
                    self.env._("A price change of an addition names the addition.")
                )
            vals["agreement_id"] = addition.agreement_id.id
        elif vals.get("addition_id"):
            raise ValidationError(
                self.env._(
                    "A change of the fixed fee or the block price names no addition."
                )
            )
        if not vals.get("agreement_id"):
            raise ValidationError(
                self.env._("A price change names the agreement it changes.")
            )
        with validate.user_errors(self.env):
            vals["price_new"] = validate.to_float(
                vals.get("price_new"), self.env._("new price"), minimum=0
            )

    def _msp_apply(self):
        """Move the current price fields of these entries' agreements and
        additions to the price in force today (or on their first day, when
        they have not started)."""
        today = fields.Date.context_today(self)
        agreements = self.agreement_id.sudo()
        additions = self.addition_id.sudo()
        steps = agreements._read_price_steps()
        writes = defaultdict(list)  # (record model, field, price) -> ids
        for agreement in agreements:
            day = max(today, agreement.date_start)
            for component in ("fee", "block"):
                fname = CURRENT_FIELD[component]
                log = steps.get((component, agreement.id))
                if log:
                    price = billing.price_at(log, day)
                    if agreement.currency_id.compare_amounts(price, agreement[fname]):
                        writes[agreement._name, fname, price].append(agreement.id)
        for addition in additions:
            log = steps.get(("addition", addition.id))
            if log:
                price = billing.price_at(log, max(today, addition.date_start))
                if addition.currency_id.compare_amounts(price, addition.price_unit):
                    writes[addition._name, "price_unit", price].append(addition.id)
        for (model, fname, price), ids in writes.items():
            self.env[model].sudo().browse(ids).with_context(msp_price_sync=True).write(
                {fname: price}
            )
        # sudo: the log's own bookkeeping (nobody writes the log)
        self.sudo().filtered(lambda e: e.pending and e.date <= today).write(
            {"pending": False}
        )

    @api.model
    def _cron_apply_prices(self):
        """Move the current prices to the entries dated in the future when
        logged whose day has come."""
        today = fields.Date.context_today(self)
        self.search([("pending", "=", True), ("date", "<=", today)])._msp_apply()
        return True

    # ------------------------------------------------------------------
    # Reading the log
    # ------------------------------------------------------------------
    @api.model
    def _read_steps(self, domain):
        """{(component, agreement id, or addition id for an addition): [(date,
        price)]} of the entries of ``domain``: step functions as
        ``billing.price_steps`` builds them (led by the price before the first
        entry), read by ``billing.price_at``. One query."""
        rows = defaultdict(list)
        # sudo: the log is the system's; whoever reads an agreement reads its
        # prices
        for entry in self.sudo().search_read(
            domain,
            [
                "component",
                "agreement_id",
                "addition_id",
                "date",
                "price_old",
                "price_new",
                "source",
            ],
            order="date, id",
            load=None,
        ):
            rows[_key(entry)].append(
                (
                    entry["date"],
                    entry["price_old"],
                    entry["price_new"],
                    entry["source"] == "initial",
                )
            )
        return {key: billing.price_steps(entries) for key, entries in rows.items()}

    @api.depends("agreement_id.name", "component", "product_id", "date", "price_new")
    def _compute_display_name(self):
        components = dict(self._fields["component"]._description_selection(self.env))
        for entry in self:
            what = (
                entry.product_id.display_name
                if entry.component == "addition"
                else components.get(entry.component, "")
            )
            entry.display_name = self.env._(
                "%(agreement)s, %(what)s: %(old)s → %(new)s from %(date)s",
                agreement=entry.agreement_id.name or "",
                what=what or "",
                old=billing.fmt_amount(
                    entry.price_old, entry.currency_id.decimal_places or 2
                ),
                new=billing.fmt_amount(
                    entry.price_new, entry.currency_id.decimal_places or 2
                ),
                date=labels.fmt_date(entry.date) if entry.date else "",
            )


def _key(vals):
    """The component a log entry (values or a read row) prices."""
    if vals["component"] == "addition":
        return ("addition", vals["addition_id"])
    return (vals["component"], vals["agreement_id"])
