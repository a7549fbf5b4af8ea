# Copyright 2026 msp_psa authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import fields, models

COST_GROUPS = (
    "hr.group_hr_user,msp_psa.group_msp_psa_manager,account.group_account_readonly"
)


# One concern per file, on purpose (issue 14): costs and profitability
# kept apart from the model's definition.
class HrEmployee(models.Model):
    _inherit = "hr.employee"  # pylint: disable=consider-merging-classes-inherited

    msp_cost_rate_ids = fields.One2many(
        "msp.employee.cost.rate",
        "employee_id",
        string="Cost Rates",
        groups=COST_GROUPS,
        help="The hourly cost from each date on: the time logged on a day is "
        "costed at the rate in force that day.",
    )

    def write(self, vals):
        """An hourly cost typed on the employee is a rate from today (earlier
        time keeps its cost: a technician without dated rates first gets the
        old cost from their first logged time)."""
        sync = "hourly_cost" in vals and not self.env.context.get("msp_cost_rate_sync")
        if sync:
            self.sudo()._msp_keep_past_cost()
        result = super().write(vals)
        if sync:
            self._msp_set_cost_rate(
                fields.Date.context_today(self), vals["hourly_cost"]
            )
        return result

    def _msp_keep_past_cost(self):
        """A rate at the current hourly cost from each technician's first
        logged time, for those without any dated rate yet."""
        employees = self.sudo().filtered(
            lambda e: e.hourly_cost and not e.msp_cost_rate_ids
        )
        if not employees:
            return
        first = dict(
            self.env["account.analytic.line"]
            .sudo()
            ._read_group(
                [("employee_id", "in", employees.ids), ("project_id", "!=", False)],
                ["employee_id"],
                ["date:min"],
            )
        )
        today = fields.Date.context_today(self)
        self.env["msp.employee.cost.rate"].sudo().with_context(
            msp_cost_rate_keep=True
        ).create(
            [
                {
                    "employee_id": employee.id,
                    "date_from": min(first.get(employee) or today, today),
                    "hourly_cost": employee.hourly_cost,
                }
                for employee in employees
            ]
        )

    def _msp_set_cost_rate(self, day, cost):
        """The rate of ``self`` from ``day`` is ``cost`` (created or updated)."""
        Rate = self.env["msp.employee.cost.rate"].sudo()
        existing = Rate.search(
            [("employee_id", "in", self.ids), ("date_from", "=", day)]
        )
        by_employee = {rate.employee_id: rate for rate in existing}
        to_create = []
        for employee in self:
            if employee in by_employee:
                by_employee[employee].hourly_cost = cost
            else:
                to_create.append(
                    {"employee_id": employee.id, "date_from": day, "hourly_cost": cost}
                )
        Rate.create(to_create)

    def action_msp_change_cost_rate(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Change Cost Rate"),
            "res_model": "msp.cost.rate.wizard",
            "view_mode": "form",
            "target": "new",
            "context": {"default_employee_id": self.id},
        }
