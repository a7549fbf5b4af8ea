# Copyright 2026 msp_psa authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools import format_amount

from ..tools import labels, validate
from ..tools import profitability as profit_tools


class MspCostRateWizard(models.TransientModel):
    """A new hourly cost from a date, after saying what it re-costs."""

    _name = "msp.cost.rate.wizard"
    _description = "MSP Change of Technician Cost Rate"

    employee_id = fields.Many2one("hr.employee", required=True)
    currency_id = fields.Many2one(related="employee_id.company_id.currency_id")
    date_from = fields.Date(
        string="From", required=True, default=fields.Date.context_today
    )
    hourly_cost = fields.Monetary(required=True)
    line_count = fields.Integer(compute="_compute_impact", string="Lines Re-costed")
    hours = fields.Float(compute="_compute_impact", string="Hours Re-costed")
    warning = fields.Char(compute="_compute_impact")

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            with validate.user_errors(self.env):
                if "date_from" in vals:
                    vals["date_from"] = validate.to_date(
                        vals["date_from"], self.env._("Cost rate date")
                    )
        return super().create(vals_list)

    @api.depends("employee_id", "date_from", "hourly_cost")
    def _compute_display_name(self):
        for wizard in self:
            wizard.display_name = self.env._(
                "Cost rate of %(employee)s", employee=wizard.employee_id.name or ""
            )

    @api.depends("employee_id", "date_from", "hourly_cost")
    def _compute_impact(self):
        Rate = self.env["msp.employee.cost.rate"]
        for wizard in self:
            if not wizard.employee_id or not wizard.date_from:
                wizard.line_count, wizard.hours, wizard.warning = 0, 0.0, False
                continue
            count, hours = Rate._msp_preview(wizard.employee_id, wizard.date_from)
            wizard.line_count, wizard.hours = count, hours
            wizard.warning = (
                self.env._(
                    "%(count)s timesheet lines (%(hours)s) logged from %(date)s will "
                    "be re-costed at %(cost)s an hour; earlier time keeps its cost.",
                    count=count,
                    hours=profit_tools.fmt_hours(hours),
                    date=labels.fmt_date(wizard.date_from),
                    cost=format_amount(
                        self.env, wizard.hourly_cost, wizard.currency_id
                    ),
                )
                if count
                else self.env._(
                    "No time logged from %(date)s: nothing is re-costed.",
                    date=labels.fmt_date(wizard.date_from),
                )
            )

    def action_confirm(self):
        self.ensure_one()
        if self.hourly_cost < 0:
            raise ValidationError(
                self.env._(
                    "The hourly cost cannot be negative (%(cost)s).",
                    cost=self.hourly_cost,
                )
            )
        self.employee_id._msp_set_cost_rate(self.date_from, self.hourly_cost)
        return {"type": "ir.actions.act_window_close"}
