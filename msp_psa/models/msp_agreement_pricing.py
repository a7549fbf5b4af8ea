# Copyright 2026 msp_psa authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""The dated prices of ``msp.agreement``: its fixed fee and block price read
from the price log (``msp.agreement.price``), and how they change."""

from odoo import api, fields, models
from odoo.exceptions import ValidationError

from ..tools import billing, validate

# The longest note a caller may leave on a price change.
PRICE_NOTE_LENGTH = 1000
PRICE_SOURCES = ("manual", "escalation", "change", "api")


class MspAgreement(models.Model):
    _inherit = "msp.agreement"  # pylint: disable=consider-merging-classes-inherited

    price_history_ids = fields.One2many(
        "msp.agreement.price",
        "agreement_id",
        readonly=True,
    )
    fee_settle_from = fields.Date(
        readonly=True,
        copy=False,
        help="Earliest day the fixed fee or the block price changed since the "
        "agreement was last invoiced: the next invoice settles the periods "
        "already billed from there on at the new price. Cleared when invoiced.",
    )

    @api.model_create_multi
    def create(self, vals_list):
        agreements = super().create(vals_list)
        self.env["msp.agreement.price"].sudo().create(
            [
                {
                    "agreement_id": agreement.id,
                    "component": component,
                    "date": agreement.date_start,
                    "price_old": 0.0,
                    "price_new": agreement[fname],
                    "source": "initial",
                }
                for agreement in agreements
                for component, fname in (("fee", "fixed_fee"), ("block", "block_price"))
                if agreement[fname]
            ]
        )
        return agreements

    def write(self, vals):
        typed = [
            (component, fname)
            for component, fname in (("fee", "fixed_fee"), ("block", "block_price"))
            if fname in vals and not self.env.context.get("msp_price_sync")
        ]
        olds = {(a.id, fname): a[fname] for a in self for _c, fname in typed}
        res = super().write(vals)
        # A price typed in (form or RPC) applies from the next period not
        # billed yet: earlier periods are not re-priced.
        for component, fname in typed:
            self._msp_log_price(
                component, vals[fname] or 0.0, None, None, "manual", olds=olds
            )
        return res

    def _msp_next_unbilled_start(self):
        """The first day of the agreement's next period not billed yet (its
        start when it was never billed)."""
        self.ensure_one()
        return self.next_period_start or self.date_start

    def _msp_log_price(self, component, price, day, note, source, olds=None):
        """Log ``price`` for ``component`` (fee, block) of these agreements from
        ``day`` (default: each one's next period not billed yet), where it
        differs from the price the log gives for that day; ``olds`` {(id,
        field): price before an edit} stand for an empty log."""
        vals_list = []
        steps = self._read_price_steps()
        fname = {"fee": "fixed_fee", "block": "block_price"}[component]
        for agreement in self:
            date = day or agreement._msp_next_unbilled_start()
            log = steps.get((component, agreement.id))
            current = (olds or {}).get((agreement.id, fname), agreement[fname])
            before = billing.price_at(log, date, current)
            if not agreement.currency_id.compare_amounts(before, price):
                continue
            vals_list.append(
                {
                    "agreement_id": agreement.id,
                    "component": component,
                    "date": date,
                    "price_old": before,
                    "price_new": price,
                    "source": source,
                    "note": note,
                }
            )
        return self.env["msp.agreement.price"].sudo().create(vals_list)

    def _read_price_steps(self):
        """{(component, id): [(date, price)]} of these agreements' price log,
        one query: ("fee", agreement id), ("block", agreement id) and
        ("addition", addition id) of all their additions; read a day's price
        with ``billing.price_at(steps, day, current price)``."""
        ids = [agreement_id for agreement_id in self.ids if agreement_id]
        if not ids:
            return {}
        return self.env["msp.agreement.price"]._read_steps(
            [("agreement_id", "in", ids)]
        )

    def _get_fee_at(self, day, steps=None):
        """The monthly fixed fee in force on ``day``, from the log."""
        self.ensure_one()
        steps = self._read_price_steps() if steps is None else steps
        return billing.price_at(steps.get(("fee", self.id)), day, self.fixed_fee)

    def _get_block_price_at(self, day, steps=None):
        """The block price in force on ``day``, from the log."""
        self.ensure_one()
        steps = self._read_price_steps() if steps is None else steps
        return billing.price_at(steps.get(("block", self.id)), day, self.block_price)

    # ------------------------------------------------------------------
    # The interface of price changes (escalations, change orders, RPC)
    # ------------------------------------------------------------------
    def set_fee(self, amount, date=None, note=None, source="manual"):
        """Set the monthly fixed fee from ``date`` (default: the next period
        not billed yet; may be in a period billed already, which the next
        invoice then settles, or in the future)::

            models.execute_kw(db, uid, key, "msp.agreement", "set_fee",
                              [[agreement_id], 120.0], {"date": "2026-03-15"})
        """
        return self._msp_set_price("fee", amount, date, note, source)

    def set_block_price(self, amount, date=None, note=None, source="manual"):
        """Set the block price (per billing period) from ``date``: see
        ``set_fee``."""
        return self._msp_set_price("block", amount, date, note, source)

    def _msp_set_price(self, component, amount, date, note, source):
        what = {
            "fee": self.env._("monthly fixed fee"),
            "block": self.env._("block price"),
        }[component]
        label = ", ".join(self.mapped("display_name")) or self.env._("no agreement")
        with validate.user_errors(self.env):
            amount = validate.to_float(
                amount,
                self.env._("%(what)s of %(agreements)s", what=what, agreements=label),
                minimum=0,
            )
            day = validate.to_date(
                date,
                self.env._(
                    "date of the %(what)s of %(agreements)s",
                    what=what,
                    agreements=label,
                ),
                required=False,
            )
            note = validate.to_text(
                note,
                self.env._(
                    "note on the %(what)s of %(agreements)s",
                    what=what,
                    agreements=label,
                ),
                max_length=PRICE_NOTE_LENGTH,
                required=False,
            )
            source = validate.to_choice(
                source, self.env._("source of the price change"), PRICE_SOURCES
            )
        self.check_access("write")
        for agreement in self:
            if day and day < agreement.date_start:
                raise validate_error(
                    self.env, agreement.display_name, day, agreement.date_start
                )
        self._msp_log_price(component, amount, day, note or False, source)
        return True


def validate_error(env, name, day, start):
    """The error of a price dated before what it prices starts."""
    return ValidationError(
        env._(
            "%(name)s: a price cannot take effect (%(date)s) before it starts "
            "(%(start)s).",
            name=name,
            date=day,
            start=start,
        )
    )
