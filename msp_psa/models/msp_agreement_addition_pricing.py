# Copyright 2026 msp_psa authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""The dated unit price of ``msp.agreement.addition``, read from the price log
(``msp.agreement.price``), and how it changes."""

from odoo import api, fields, models
from odoo.exceptions import ValidationError

from ..tools import billing, validate
from .msp_agreement_pricing import PRICE_NOTE_LENGTH, PRICE_SOURCES


class MspAgreementAddition(models.Model):
    _inherit = "msp.agreement.addition"  # pylint: disable=consider-merging-classes-inherited

    price_history_ids = fields.One2many(
        "msp.agreement.price",
        "addition_id",
        readonly=True,
    )

    @api.model_create_multi
    def create(self, vals_list):
        additions = super().create(vals_list)
        self.env["msp.agreement.price"].sudo().create(
            [
                {
                    "agreement_id": addition.agreement_id.id,
                    "addition_id": addition.id,
                    "component": "addition",
                    "date": addition.date_start,
                    "price_old": 0.0,
                    "price_new": addition.price_unit,
                    "source": "initial",
                }
                for addition in additions
            ]
        )
        return additions

    def write(self, vals):
        typed = not self.env.context.get("msp_price_sync") and bool(
            {"price_unit", "product_id"} & vals.keys()
        )
        olds = {addition.id: addition.price_unit for addition in self} if typed else {}
        res = super().write(vals)
        if typed:
            # A price typed in (form or RPC), or the new product's: from the
            # next period not billed yet; earlier periods are not re-priced.
            self._msp_log_price(
                {addition: addition.price_unit for addition in self},
                None,
                False,
                "manual",
                olds,
            )
        return res

    def _msp_log_price(self, prices, day, note, source, olds=None):
        """Log ``prices`` {addition: unit price} from ``day`` (default: each
        one's agreement's next period not billed yet, not before the addition
        starts), where it differs from the price the log gives that day;
        ``olds`` {addition id: price before an edit} stand for an empty log.
        One read of the log and one create for them all."""
        steps = self._read_price_steps()
        vals_list = []
        for addition, price in prices.items():
            date = day or max(
                addition.agreement_id._msp_next_unbilled_start(), addition.date_start
            )
            current = (olds or {}).get(addition.id, addition.price_unit)
            before = billing.price_at(steps.get(addition.id), date, current)
            if not addition.currency_id.compare_amounts(before, price):
                continue
            vals_list.append(
                {
                    "addition_id": addition.id,
                    "component": "addition",
                    "date": date,
                    "price_old": before,
                    "price_new": price,
                    "source": source,
                    "note": note,
                }
            )
        return self.env["msp.agreement.price"].sudo().create(vals_list)

    def _read_price_steps(self):
        """{addition id: [(date, price)]}: the unit price log of these
        additions, one query; read a day's price with ``billing.price_at(steps,
        day, addition.price_unit)`` (see ``_get_price_at``)."""
        ids = [addition_id for addition_id in self.ids if addition_id]
        if not ids:
            return {}
        steps = self.env["msp.agreement.price"]._read_steps(
            [("addition_id", "in", ids)]
        )
        return {key[1]: log for key, log in steps.items() if key[0] == "addition"}

    def _get_price_at(self, day, steps=None):
        """The monthly unit price in force on ``day``, from the log."""
        self.ensure_one()
        steps = self._read_price_steps() if steps is None else steps
        return billing.price_at(steps.get(self.id), day, self.price_unit)

    def set_price(self, price, date=None, note=None, source="manual"):
        """Set the monthly unit price from ``date`` (default: the agreement's
        next period not billed yet; a date in a period billed already is
        settled on the next invoice at the new price; a future date applies on
        its day)::

            models.execute_kw(db, uid, key, "msp.agreement.addition",
                              "set_price", [[addition_id], 30.0],
                              {"date": "2026-03-01", "note": "2026 prices"})
        """
        label = self._msp_api_label()
        with validate.user_errors(self.env):
            price = validate.to_float(
                price,
                self.env._("unit price of %(additions)s", additions=label),
                minimum=0,
            )
            day = validate.to_date(
                date,
                self.env._("date of the unit price of %(additions)s", additions=label),
                required=False,
            )
            note = validate.to_text(
                note,
                self.env._("note on the unit price of %(additions)s", additions=label),
                max_length=PRICE_NOTE_LENGTH,
                required=False,
            )
            source = validate.to_choice(
                source, self.env._("source of the price change"), PRICE_SOURCES
            )
        self.check_access("write")
        for addition in self:
            if day and day < addition.date_start:
                raise ValidationError(
                    self.env._(
                        "%(addition)s on %(agreement)s: a price cannot take effect "
                        "(%(date)s) before the addition starts (%(start)s).",
                        addition=addition.product_id.display_name,
                        agreement=addition.agreement_id.display_name,
                        date=day,
                        start=addition.date_start,
                    )
                )
        self._msp_log_price(
            {addition: price for addition in self}, day, note or False, source
        )
        return True
