# Copyright 2026 msp_psa authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import api, fields, models
from odoo.exceptions import ValidationError


class MspAgreementRate(models.Model):
    """How an agreement treats one kind of labour.

    Covered by the fee, or billed at a rate.

    A line without a work type is the agreement's default rate. A work type
    with no line is billable at the default rate: new kinds of work are never
    covered until they are added here.
    """

    _name = "msp.agreement.rate"
    _description = "MSP Agreement Labour Rate"
    _order = "agreement_id, sequence, id"
    _check_company_auto = True

    agreement_id = fields.Many2one(
        "msp.agreement", required=True, ondelete="cascade", index=True
    )
    company_id = fields.Many2one(
        related="agreement_id.company_id", store=True, index=True
    )
    currency_id = fields.Many2one(related="agreement_id.currency_id")
    sequence = fields.Integer(default=10)
    work_type_id = fields.Many2one(
        "msp.work.type",
        help="Empty: the default rate for work types without a line of their own.",
    )
    covered = fields.Boolean(
        string="Covered by the Fee",
        help="Hours of this work type are included in the agreement's fee.",
    )
    product_id = fields.Many2one(
        "product.product",
        string="Labour Product",
        check_company=True,
        domain="[('type', '=', 'service'), ('sale_ok', '=', True)]",
        compute="_compute_product_id",
        store=True,
        readonly=False,
    )
    price_unit = fields.Monetary(string="Hourly Rate")

    _sql_constraints = [
        (
            "work_type_uniq",
            "unique NULLS NOT DISTINCT (agreement_id, work_type_id)",
            "An agreement has one rate per work type, and one default rate.",
        ),
    ]

    @api.depends("work_type_id")
    def _compute_product_id(self):
        for rate in self:
            if rate.work_type_id.product_id:
                rate.product_id = rate.work_type_id.product_id

    @api.depends("agreement_id.name", "work_type_id.name")
    def _compute_display_name(self):
        for rate in self:
            rate.display_name = self.env._(
                "%(agreement)s: %(work)s",
                agreement=rate.agreement_id.name or "",
                work=rate.work_type_id.name or self.env._("default rate"),
            )

    @api.constrains("price_unit")
    def _check_price_unit(self):
        for rate in self:
            if rate.price_unit < 0:
                raise ValidationError(
                    self.env._(
                        "The hourly rate of %(work)s on %(agreement)s cannot be "
                        "negative.",
                        work=rate.work_type_id.name or self.env._("default work"),
                        agreement=rate.agreement_id.display_name,
                    )
                )

    @api.model_create_multi
    def create(self, vals_list):
        rates = super().create(vals_list)
        # The time's decision follows the rates (a computed field); which time
        # draws from a block is split by hand.
        rates.agreement_id.filtered("block_hours")._msp_redecide_time()
        return rates

    def write(self, vals):
        agreements = self.agreement_id
        res = super().write(vals)
        (agreements | self.agreement_id).filtered("block_hours")._msp_redecide_time()
        return res

    def unlink(self):
        agreements = self.agreement_id
        res = super().unlink()
        agreements.filtered("block_hours")._msp_redecide_time()
        return res
