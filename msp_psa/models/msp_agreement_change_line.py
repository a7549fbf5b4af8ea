# Copyright 2026 msp_psa authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools.misc import formatLang

from ..tools import billing

ACTIONS = [
    ("add", "Add a service"),
    ("remove", "Remove a service"),
    ("quantity", "New quantity"),
    ("price", "New unit price"),
    ("fee", "New monthly fee"),
    ("block", "New block of hours"),
    ("term", "New end of term"),
]
# What each action needs besides itself.
NEEDS_ADDITION = {"remove", "quantity", "price"}


class MspAgreementChangeLine(models.Model):
    """One change a change order proposes (see ``msp.agreement.change``)."""

    _name = "msp.agreement.change.line"
    _description = "MSP Agreement Change Order Line"
    _order = "change_id, sequence, id"
    _check_company_auto = True

    change_id = fields.Many2one(
        "msp.agreement.change", required=True, ondelete="cascade", index=True
    )
    sequence = fields.Integer(default=10)
    company_id = fields.Many2one(related="change_id.company_id", store=True)
    currency_id = fields.Many2one(related="change_id.currency_id")
    agreement_id = fields.Many2one(related="change_id.agreement_id")
    action = fields.Selection(ACTIONS, required=True, default="quantity")
    addition_id = fields.Many2one(
        "msp.agreement.addition",
        string="Service",
        check_company=True,
        domain="[('agreement_id', '=', agreement_id)]",
        help="The agreement's addition to change or remove.",
    )
    product_id = fields.Many2one(
        "product.product",
        compute="_compute_product_id",
        store=True,
        readonly=False,
        check_company=True,
        domain="[('sale_ok', '=', True)]",
        help="The product of a service to add.",
    )
    quantity = fields.Float(
        string="New Quantity", digits="Product Unit of Measure", default=1.0
    )
    quantity_before = fields.Float(
        compute="_compute_before",
        store=True,
        digits="Product Unit of Measure",
        help="The service's quantity when the line was written.",
    )
    price_unit = fields.Monetary(
        string="New Price",
        compute="_compute_price_unit",
        store=True,
        readonly=False,
        help="Monthly unit price of the service (a new monthly fee for a fee "
        "change). Defaults to the client's pricelist for a new service, to the "
        "current price otherwise.",
    )
    price_before = fields.Monetary(
        compute="_compute_before",
        store=True,
        help="The unit price (or monthly fee) when the line was written.",
    )
    date_end = fields.Date(
        string="New End of Term", help="The agreement's new last day (term change)."
    )
    description = fields.Char(compute="_compute_description")

    # ------------------------------------------------------------------
    # Computes
    # ------------------------------------------------------------------
    @api.depends("addition_id")
    def _compute_product_id(self):
        for line in self:
            if line.addition_id:
                line.product_id = line.addition_id.product_id

    @api.depends("action", "addition_id", "change_id.agreement_id")
    def _compute_before(self):
        for line in self:
            line.quantity_before = line.addition_id.quantity
            if line.action == "fee":
                line.price_before = line.change_id.agreement_id.fixed_fee
            elif line.action == "block":
                line.quantity_before = line.change_id.agreement_id.block_hours
                line.price_before = line.change_id.agreement_id.block_price
            else:
                line.price_before = line.addition_id.price_unit

    @api.depends("action", "addition_id", "product_id", "change_id.agreement_id")
    def _compute_price_unit(self):
        for line in self:
            agreement = line.change_id.agreement_id
            if line.action == "fee":
                line.price_unit = line.price_unit or agreement.fixed_fee
            elif line.action == "block":
                line.price_unit = line.price_unit or agreement.block_price
            elif line.action == "add" and line.product_id and agreement:
                # the price a new addition of the product would get
                line.price_unit = (
                    self.env["msp.agreement.addition"]
                    .new(
                        {"agreement_id": agreement.id, "product_id": line.product_id.id}
                    )
                    .price_unit
                )
            elif line.addition_id and not line.price_unit:
                line.price_unit = line.addition_id.price_unit

    @api.depends(
        "action",
        "addition_id",
        "product_id",
        "quantity",
        "quantity_before",
        "price_unit",
        "price_before",
        "date_end",
    )
    def _compute_description(self):
        for line in self:
            line.description = line._msp_describe()

    def _compute_display_name(self):
        for line in self:
            line.display_name = line._msp_describe() or line.change_id.name or ""

    def _msp_describe(self):
        """The line in words, in the environment's language: "Add 3 ×
        Per-User Support at $ 25.00 a month"."""
        self.ensure_one()
        env = self.env
        agreement = self.change_id.agreement_id
        currency = self.currency_id or env.company.currency_id
        product = (self.product_id or self.addition_id.product_id).display_name or ""

        def money(amount):
            return agreement._msp_amount_label(amount) if agreement else str(amount)

        def money_cur(amount):
            return formatLang(env, amount, currency_obj=currency)

        def count(quantity):
            return (
                agreement._msp_quantity_label(quantity)
                if agreement
                else billing.fmt_quantity(quantity)
            )

        if self.action == "add":
            return env._(
                "Add %(quantity)s × %(product)s at %(price)s a month",
                quantity=count(self.quantity),
                product=product,
                price=money_cur(self.price_unit),
            )
        if self.action == "remove":
            return env._("Remove %(product)s", product=product)
        if self.action == "quantity":
            return env._(
                "%(product)s: quantity %(before)s → %(after)s",
                product=product,
                before=count(self.quantity_before),
                after=count(self.quantity),
            )
        if self.action == "price":
            return env._(
                "%(product)s: unit price %(before)s → %(after)s a month",
                product=product,
                before=money(self.price_before),
                after=money_cur(self.price_unit),
            )
        if self.action == "fee":
            return env._(
                "Monthly fee %(before)s → %(after)s",
                before=money(self.price_before),
                after=money_cur(self.price_unit),
            )
        if self.action == "block":
            return env._(
                "Block of hours: %(before_hours)s h for %(before)s → %(after_hours)s h "
                "for %(after)s a period",
                before_hours=count(self.quantity_before),
                before=money(self.price_before),
                after_hours=count(self.quantity),
                after=money_cur(self.price_unit),
            )
        if self.action == "term":
            return env._(
                "The agreement ends on %(date)s",
                date=agreement._msp_day_label(self.date_end)
                if agreement and self.date_end
                else "",
            )
        return ""

    # ------------------------------------------------------------------
    # Constraints
    # ------------------------------------------------------------------
    @api.constrains(
        "action", "addition_id", "product_id", "quantity", "price_unit", "date_end"
    )
    def _check_line(self):
        for line in self:
            change = line.change_id
            agreement = change.agreement_id
            label = dict(ACTIONS)[line.action]
            if line.quantity < 0:
                raise ValidationError(
                    self.env._(
                        "Change %(change)s, %(what)s: the quantity cannot be "
                        "negative (%(value)s).",
                        change=change.name,
                        what=label,
                        value=line.quantity,
                    )
                )
            if line.price_unit < 0:
                raise ValidationError(
                    self.env._(
                        "Change %(change)s, %(what)s: the price cannot be negative "
                        "(%(value)s).",
                        change=change.name,
                        what=label,
                        value=line.price_unit,
                    )
                )
            if line.action in NEEDS_ADDITION:
                if not line.addition_id:
                    raise ValidationError(
                        self.env._(
                            "Change %(change)s, %(what)s: choose the service to "
                            "change.",
                            change=change.name,
                            what=label,
                        )
                    )
                if line.addition_id.agreement_id != agreement:
                    raise ValidationError(
                        self.env._(
                            "Change %(change)s: %(addition)s is not a service of "
                            "agreement %(agreement)s.",
                            change=change.name,
                            addition=line.addition_id.display_name,
                            agreement=agreement.display_name,
                        )
                    )
            if (
                line.action == "quantity"
                and line.addition_id.quantity_source == "counted"
            ):
                raise ValidationError(
                    self.env._(
                        "Change %(change)s: the quantity of %(addition)s is counted "
                        "from the client's managed items; add a service instead, or "
                        "switch it to a manual quantity first.",
                        change=change.name,
                        addition=line.addition_id.display_name,
                    )
                )
            if line.action == "add" and not line.product_id:
                raise ValidationError(
                    self.env._(
                        "Change %(change)s: choose the product of the service to add.",
                        change=change.name,
                    )
                )
            if line.action == "term" and (
                not line.date_end or line.date_end < change.date_effective
            ):
                raise ValidationError(
                    self.env._(
                        "Change %(change)s: the new end of term (%(date)s) must be "
                        "on or after the effective date (%(effective)s).",
                        change=change.name,
                        date=line.date_end or self.env._("none"),
                        effective=change.date_effective,
                    )
                )

    # ------------------------------------------------------------------
    # CRUD: the proposal's price impact follows its lines
    # ------------------------------------------------------------------
    @api.model_create_multi
    def create(self, vals_list):
        lines = super().create(vals_list)
        if not self.env.context.get("msp_change_impact"):
            lines.change_id._msp_check_editable()
            lines.change_id._msp_refresh_impact()
        return lines

    def write(self, vals):
        changes = self.change_id
        if not self.env.context.get("msp_change_impact"):
            changes._msp_check_editable()
        res = super().write(vals)
        if not self.env.context.get("msp_change_impact"):
            (changes | self.change_id)._msp_refresh_impact()
        return res

    def unlink(self):
        changes = self.change_id
        if not self.env.context.get("msp_change_impact"):
            changes._msp_check_editable()
        res = super().unlink()
        if not self.env.context.get("msp_change_impact"):
            changes.exists()._msp_refresh_impact()
        return res
