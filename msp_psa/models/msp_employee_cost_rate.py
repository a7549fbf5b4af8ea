# Copyright 2026 msp_psa authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from collections import defaultdict

from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools import SQL, format_amount

from ..tools import labels
from ..tools import profitability as profit_tools


class MspEmployeeCostRate(models.Model):
    """A technician's hourly cost from a date on.

    The rate in force on a work date costs the time logged that day (the
    ``amount`` of the timesheet line, as Odoo's hr_timesheet writes it); the
    rate in force today is the employee's ``hourly_cost``. A rate from a past
    date re-costs the time logged from that date until the next rate, and
    leaves earlier time alone.
    """

    _name = "msp.employee.cost.rate"
    _description = "MSP Technician Cost Rate"
    _order = "employee_id, date_from desc"

    employee_id = fields.Many2one(
        "hr.employee", required=True, ondelete="cascade", index=True
    )
    company_id = fields.Many2one(
        related="employee_id.company_id", store=True, index=True
    )
    currency_id = fields.Many2one(related="employee_id.company_id.currency_id")
    date_from = fields.Date(string="From", required=True, index=True)
    hourly_cost = fields.Monetary(required=True)

    _sql_constraints = [
        (
            "employee_date_unique",
            "UNIQUE(employee_id, date_from)",
            "A technician has one cost rate a date.",
        )
    ]

    @api.depends("employee_id", "date_from", "hourly_cost")
    def _compute_display_name(self):
        for rate in self:
            rate.display_name = self.env._(
                "%(employee)s: %(cost)s an hour from %(date)s",
                employee=rate.employee_id.name or "",
                cost=format_amount(self.env, rate.hourly_cost, rate.currency_id)
                if rate.currency_id
                else rate.hourly_cost,
                date=labels.fmt_date(rate.date_from) if rate.date_from else "",
            )

    @api.constrains("hourly_cost")
    def _check_hourly_cost(self):
        for rate in self:
            if rate.hourly_cost < 0:
                raise ValidationError(
                    self.env._(
                        "%(employee)s: the hourly cost cannot be negative (%(cost)s).",
                        employee=rate.employee_id.name,
                        cost=rate.hourly_cost,
                    )
                )

    @api.model_create_multi
    def create(self, vals_list):
        rates = super().create(vals_list)
        rates._msp_apply({rate.employee_id: rate.date_from for rate in rates})
        return rates

    def write(self, vals):
        before = {rate.employee_id: rate.date_from for rate in self}
        result = super().write(vals)
        if {"date_from", "hourly_cost", "employee_id"} & set(vals):
            since = defaultdict(lambda: None)
            for employee, day in before.items():
                since[employee] = day
            for rate in self:
                day = since[rate.employee_id]
                since[rate.employee_id] = (
                    min(day, rate.date_from) if day else (rate.date_from)
                )
            self._msp_apply(dict(since))
        return result

    def unlink(self):
        since = {}
        for rate in self:
            day = since.get(rate.employee_id)
            since[rate.employee_id] = (
                min(day, rate.date_from) if day else (rate.date_from)
            )
        result = super().unlink()
        self._msp_apply(since)
        return result

    # ------------------------------------------------------------------
    # Reading and applying the rates
    # ------------------------------------------------------------------
    @api.model
    def _msp_rates_by_employee(self, employees):
        """{employee id: [(date_from, hourly_cost)] sorted}: one query."""
        rates = defaultdict(list)
        if not employees:
            return rates
        for employee_id, date_from, cost in self.env.execute_query(
            SQL(
                """SELECT employee_id, date_from, hourly_cost
                     FROM msp_employee_cost_rate
                    WHERE employee_id = ANY(%s)
                 ORDER BY employee_id, date_from""",
                list(employees.ids),
            )
        ):
            rates[employee_id].append((date_from, cost))
        return rates

    @api.model
    def _msp_apply(self, since):
        """After rates changed: each employee's ``hourly_cost`` is the rate in
        force today, and the time of ``since`` ({employee: first day changed})
        from that day on is re-costed. One UPDATE per rate segment."""
        since = {employee: day for employee, day in since.items() if employee}
        if not since:
            return
        self.flush_model()
        employees = self.env["hr.employee"].browse([e.id for e in since]).sudo()
        rates = self._msp_rates_by_employee(employees)
        self._msp_sync_hourly_cost(employees, rates)
        self.env["account.analytic.line"]._msp_recost(since, rates)

    @api.model
    def _msp_sync_hourly_cost(self, employees, rates=None):
        """Odoo's hourly cost of ``employees`` := their rate in force today."""
        if rates is None:
            rates = self._msp_rates_by_employee(employees)
        today = fields.Date.context_today(self)
        for employee in employees.sudo():
            current = profit_tools.rate_in_force(rates[employee.id], today)
            if current is not None and employee.hourly_cost != current:
                employee.with_context(msp_cost_rate_sync=True).hourly_cost = current

    @api.model
    def _cron_sync_hourly_cost(self):
        """A rate dated today comes into force: it becomes the hourly cost."""
        today = fields.Date.context_today(self)
        rates = self.sudo().search([("date_from", "=", today)])
        self._msp_sync_hourly_cost(rates.employee_id)

    @api.model
    def _msp_preview(self, employee, date_from):
        """(lines, hours) of the employee's time a rate from ``date_from`` would
        re-cost: from that day to the next rate's start."""
        rates = self._msp_rates_by_employee(employee)[employee.id]
        later = [start for start, _rate in rates if start > date_from]
        domain = [
            ("employee_id", "=", employee.id),
            ("project_id", "!=", False),
            ("date", ">=", date_from),
        ]
        if later:
            domain.append(("date", "<", later[0]))
        [(count, hours)] = (
            self.env["account.analytic.line"]
            .sudo()
            ._read_group(domain, aggregates=["__count", "unit_amount:sum"])
        )
        return count, hours or 0.0
