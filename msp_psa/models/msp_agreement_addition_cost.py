# Copyright 2026 msp_psa authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from collections import defaultdict

from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools import SQL, format_amount

from ..tools import labels
from ..tools import profitability as profit_tools


class MspAgreementAdditionCost(models.Model):
    """Dated log of an addition's unit cost: from ``date_from`` on, one unit
    costs the MSP ``cost_unit`` a month. The addition's ``cost_unit`` is the
    cost in force today; profitability reads the cost in force each month."""

    _name = "msp.agreement.addition.cost"
    _description = "MSP Addition Unit Cost"
    _order = "addition_id, date_from desc, id desc"

    addition_id = fields.Many2one(
        "msp.agreement.addition", required=True, ondelete="cascade", index=True
    )
    agreement_id = fields.Many2one(
        related="addition_id.agreement_id", store=True, index=True
    )
    company_id = fields.Many2one(
        related="addition_id.company_id", store=True, index=True
    )
    currency_id = fields.Many2one(related="addition_id.currency_id")
    date_from = fields.Date(string="From", required=True, index=True)
    cost_unit = fields.Monetary(string="Unit Cost", required=True)

    _sql_constraints = [
        (
            "addition_date_unique",
            "UNIQUE(addition_id, date_from)",
            "An addition has one unit cost a date.",
        )
    ]

    @api.depends("addition_id", "date_from", "cost_unit")
    def _compute_display_name(self):
        for cost in self:
            cost.display_name = self.env._(
                "%(addition)s: %(cost)s a unit from %(date)s",
                addition=cost.addition_id.display_name or "",
                cost=format_amount(self.env, cost.cost_unit, cost.currency_id)
                if cost.currency_id
                else cost.cost_unit,
                date=labels.fmt_date(cost.date_from) if cost.date_from else "",
            )

    @api.constrains("cost_unit")
    def _check_cost_unit(self):
        for cost in self:
            if cost.cost_unit < 0:
                raise ValidationError(
                    self.env._(
                        "%(addition)s: the unit cost cannot be negative (%(cost)s).",
                        addition=cost.addition_id.display_name,
                        cost=cost.cost_unit,
                    )
                )

    @api.model_create_multi
    def create(self, vals_list):
        costs = super().create(vals_list)
        costs.addition_id._msp_sync_cost_unit()
        return costs

    def write(self, vals):
        result = super().write(vals)
        self.addition_id._msp_sync_cost_unit()
        return result

    def unlink(self):
        additions = self.addition_id
        result = super().unlink()
        additions.exists()._msp_sync_cost_unit()
        return result

    @api.model
    def _msp_costs_by_addition(self, additions):
        """{addition id: [(date_from, cost_unit)] sorted}: one query."""
        costs = defaultdict(list)
        if not additions:
            return costs
        self.flush_model()
        for addition_id, date_from, cost in self.env.execute_query(
            SQL(
                """SELECT addition_id, date_from, cost_unit
                     FROM msp_agreement_addition_cost
                    WHERE addition_id = ANY(%s)
                 ORDER BY addition_id, date_from, id""",
                list(additions.ids),
            )
        ):
            costs[addition_id].append((date_from, cost))
        return costs

    @api.model
    def _msp_cost_at(self, additions, day):
        """{addition id: unit cost in force on ``day``} (0.0 before the first)."""
        costs = self._msp_costs_by_addition(additions)
        return {
            addition.id: profit_tools.rate_in_force(costs[addition.id], day, 0.0)
            for addition in additions
        }

    @api.model
    def _cron_sync_cost_unit(self):
        """A unit cost dated today comes into force on its addition."""
        today = fields.Date.context_today(self)
        self.sudo().search(
            [("date_from", "=", today)]
        ).addition_id._msp_sync_cost_unit()
