# Copyright 2026 msp_psa authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import api, models
from odoo.tools import SQL

from ..tools import profitability as profit_tools

# Where the rates of the lines being costed wait for ``_hourly_cost``
# (the cursor's cache: cleared after each batch).
RATES_KEY = "msp_cost_rates"


# One concern per file, on purpose (issue 14): costs and profitability
# kept apart from the model's definition.
class AccountAnalyticLine(models.Model):
    _inherit = "account.analytic.line"  # pylint: disable=consider-merging-classes-inherited

    def _timesheet_postprocess_values(self, values):
        """Cost the lines at the rate in force on their work date (a new line,
        or a line whose hours, technician or date changed). The rates of all
        the lines' technicians are read in one query."""
        cache = self.env.cr.cache
        owner = RATES_KEY not in cache
        if owner:
            cache[RATES_KEY] = self.env[
                "msp.employee.cost.rate"
            ]._msp_rates_by_employee(self.sudo().employee_id)
        try:
            result = super()._timesheet_postprocess_values(values)
            if "date" in values and not {"unit_amount", "employee_id"} & set(values):
                for line in self.sudo().filtered("project_id"):
                    currency = line.currency_id or line.company_id.currency_id
                    result[line.id]["amount"] = currency.round(
                        -line.unit_amount * line._hourly_cost()
                    )
            return result
        finally:
            if owner:
                cache.pop(RATES_KEY, None)

    def _hourly_cost(self):
        """The technician's rate in force on the work date; Odoo's hourly cost
        when the technician has no dated rate at all; nothing before the first
        dated rate (the line is then flagged as costless)."""
        self.ensure_one()
        rates = self.env.cr.cache.get(RATES_KEY)
        if rates is None:
            rates = self.env["msp.employee.cost.rate"]._msp_rates_by_employee(
                self.employee_id
            )
        employee_rates = rates.get(self.employee_id.id)
        if not employee_rates:
            return super()._hourly_cost()
        return profit_tools.rate_in_force(employee_rates, self.date, default=0.0)

    @api.model
    def _msp_recost(self, since, rates):
        """Re-cost the timesheets of ``since`` ({employee: first day}) from that
        day on at the rates in force (``rates``: {employee id: [(date_from,
        cost)]}): one UPDATE per rate segment, none per line. Earlier time is
        left alone."""
        self.flush_model()
        for employee, day in since.items():
            employee_rates = rates.get(employee.id) or []
            digits = (
                employee.currency_id or employee.company_id.currency_id
            ).decimal_places
            segments = profit_tools.rate_segments(employee_rates)
            if employee_rates and day < employee_rates[0][0]:
                segments.insert(0, (day, employee_rates[0][0], 0.0))
            for start, end, cost in segments:
                if end and end <= day:
                    continue
                self.env.cr.execute(
                    SQL(
                        """UPDATE account_analytic_line
                              SET amount = ROUND((-unit_amount * %(cost)s)::numeric,
                                                 %(digits)s),
                                  write_date = now() AT TIME ZONE 'UTC'
                            WHERE employee_id = %(employee)s
                              AND project_id IS NOT NULL
                              AND date >= %(start)s
                              AND (%(end)s::date IS NULL OR date < %(end)s::date)""",
                        cost=cost,
                        digits=digits,
                        employee=employee.id,
                        start=max(start, day),
                        end=end,
                    )
                )
        self.invalidate_model(["amount", "write_date"])
