# Copyright 2026 msp_psa authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from collections import defaultdict
from datetime import datetime, time, timedelta

import pytz
from dateutil.relativedelta import relativedelta

from odoo import api, fields, models

from ..tools import billing
from ..tools import capacity as cap
from ..tools.validate import to_date, to_id, user_errors


class MspTechnicianCapacity(models.Model):
    """A technician's capacity on one day, in their timezone: the calendar's
    working hours less public holidays less approved leave.

    Rows are rebuilt from the calendars (batched per calendar, for all its
    technicians at once) by a daily scheduled action and on demand; the
    utilisation report joins them with the time logged.
    """

    _name = "msp.technician.capacity"
    _description = "MSP Technician Capacity per Day"
    _order = "date desc, employee_id"
    _rec_name = "employee_id"

    employee_id = fields.Many2one(
        "hr.employee", required=True, ondelete="cascade", index=True
    )
    user_id = fields.Many2one("res.users", string="Technician", index=True)
    company_id = fields.Many2one("res.company", required=True)
    date = fields.Date(required=True, index=True)
    calendar_hours = fields.Float()
    holiday_hours = fields.Float(string="Public Holiday Hours")
    leave_hours = fields.Float()
    capacity_hours = fields.Float(string="Capacity (h)")
    no_calendar = fields.Boolean(
        help="The technician has no working calendar: no capacity is counted, "
        "and their time is flagged in the utilisation report."
    )

    _sql_constraints = [
        (
            "employee_date_unique",
            "UNIQUE(employee_id, date)",
            "One capacity row per technician and day.",
        )
    ]

    @api.depends("employee_id", "date")
    def _compute_display_name(self):
        for row in self:
            # (no f-string inside the translated call: term extraction would fail)
            hours = billing.fmt_quantity(row.capacity_hours)
            row.display_name = self.env._(
                "%(employee)s on %(date)s: %(hours)s h",
                employee=row.employee_id.name or "",
                date=fields.Date.to_string(row.date) if row.date else "",
                hours=hours,
            )

    @api.model
    def _technicians(self, companies=None):
        domain = [("msp_technician", "=", True)]
        if companies:
            domain.append(("company_id", "in", companies.ids))
        return self.env["hr.employee"].sudo().search(domain)

    @api.model
    def _compute_days(self, employees, date_from, date_to):
        """{employee id: {date: figures}} from ``date_from`` to ``date_to``
        (included) in each employee's timezone, reading each calendar's
        attendances and leaves once for all its employees."""
        result = {}
        by_calendar = defaultdict(lambda: self.env["hr.employee"])
        for employee in employees:
            by_calendar[employee.resource_calendar_id] += employee
        for calendar, members in by_calendar.items():
            if not calendar:
                for employee in members:
                    result[employee.id] = None
                continue
            # One UTC window wide enough for every timezone, cut per day below.
            start = datetime.combine(date_from, time.min).replace(
                tzinfo=pytz.utc
            ) - timedelta(days=1)
            end = datetime.combine(date_to, time.max).replace(
                tzinfo=pytz.utc
            ) + timedelta(days=1)
            resources = members.resource_id
            attendances = calendar._attendance_intervals_batch(
                start, end, resources=resources
            )
            leaves = calendar._leave_intervals_batch(start, end, resources=resources)
            for employee in members:
                resource = employee.resource_id
                tz = pytz.timezone(employee.tz or calendar.tz or "UTC")
                local = [
                    (s.astimezone(tz), e.astimezone(tz))
                    for s, e, _a in attendances[resource.id]
                ]
                holidays, own = [], []
                for s, e, leave in leaves[resource.id]:
                    target = own if leave.resource_id else holidays
                    target.append((s.astimezone(tz), e.astimezone(tz)))
                days = cap.daily_capacity(local, holidays, own)
                result[employee.id] = {
                    day: figures
                    for day, figures in days.items()
                    if date_from <= day <= date_to
                }
        return result

    @api.model
    def _refresh(self, employees, date_from, date_to):
        """Rebuild the rows of ``employees`` between the dates (included)."""
        employees = employees.sudo()
        self.sudo().search(
            [
                ("employee_id", "in", employees.ids),
                ("date", ">=", date_from),
                ("date", "<=", date_to),
            ]
        ).unlink()
        days = self._compute_days(employees, date_from, date_to)
        vals_list = []
        for employee in employees:
            figures = days.get(employee.id)
            base = {
                "employee_id": employee.id,
                "user_id": employee.user_id.id,
                "company_id": employee.company_id.id,
            }
            if figures is None:
                # No calendar: one flagged row per day, no capacity.
                day = date_from
                while day <= date_to:
                    vals_list.append(dict(base, date=day, no_calendar=True))
                    day += timedelta(days=1)
                continue
            for day, fig in figures.items():
                vals_list.append(
                    dict(
                        base,
                        date=day,
                        calendar_hours=fig["calendar"],
                        holiday_hours=fig["holiday"],
                        leave_hours=fig["leave"],
                        capacity_hours=fig["capacity"],
                    )
                )
        return self.sudo().create(vals_list)

    @api.model
    def _cron_refresh(self):
        """Last month to next month, for every technician."""
        today = fields.Date.context_today(self)
        date_from = today.replace(day=1) - relativedelta(months=1)
        date_to = today.replace(day=1) + relativedelta(months=2, days=-1)
        self._refresh(self._technicians(), date_from, date_to)

    @api.model
    def refresh_capacity(self, date_from=None, date_to=None, employee_ids=None):
        """Rebuild capacity rows (RPC): dates ``YYYY-MM-DD``, default last month
        to next month; ``employee_ids`` default every technician."""
        with user_errors(self.env):
            today = fields.Date.context_today(self)
            start = to_date(date_from, self.env._("date_from"), required=False)
            stop = to_date(date_to, self.env._("date_to"), required=False)
            ids = [
                to_id(value, self.env._("employee_ids"))
                for value in (employee_ids or [])
            ]
        start = start or today.replace(day=1) - relativedelta(months=1)
        stop = stop or today.replace(day=1) + relativedelta(months=2, days=-1)
        if stop < start:
            start, stop = stop, start
        employees = (
            self.env["hr.employee"].browse(ids).exists()
            if ids
            else self._technicians(self.env.companies)
        )
        self._refresh(employees, start, stop)
        return True

    def action_refresh(self):
        self.refresh_capacity()
        return {"type": "ir.actions.client", "tag": "reload"}

    @api.model
    def _demo_prepare(self):
        """Demo only: Liam's leave this week, a month of logged time for the six
        demo technicians (Acme's covered remote work every working day, some
        billable Fabrikam work this month) and their capacity rows."""
        ref = self.env.ref
        today = fields.Date.context_today(self)
        keys = ("dana", "ravi", "sofia", "kenji", "liam", "amara")
        employees = self.env["hr.employee"].browse(
            [ref(f"msp_psa.employee_tech_{key}_demo").id for key in keys]
        )
        liam = ref("msp_psa.employee_tech_liam_demo")
        leave = (
            self.env["hr.leave"]
            .sudo()
            .with_context(leave_skip_state_check=True, mail_notrack=True)
            .create(
                {
                    "holiday_status_id": ref("msp_psa.leave_type_demo").id,
                    "employee_id": liam.id,
                    "request_date_from": today,
                    "request_date_to": today + timedelta(days=4),
                }
            )
        )
        if leave.state != "validate":
            leave.action_validate(check_state=False)
        # Share of each working day's capacity the technician logs.
        shares = dict(zip(keys, (0.8, 0.7, 0.75, 0.7, 0.8, 0.55), strict=True))
        start = today - timedelta(days=30)
        days = self._compute_days(employees, start, today - timedelta(days=1))
        maintenance = ref("msp_psa.ticket_dispatch_acme_maintenance_demo")
        plc = ref("msp_psa.ticket_dispatch_fabrikam_plc_demo")
        remote = ref("msp_psa.work_type_remote")
        onsite = ref("msp_psa.work_type_onsite")
        vals_list = []
        for key, employee in zip(keys, employees, strict=True):
            for day, figures in sorted((days.get(employee.id) or {}).items()):
                hours = round(figures["capacity"] * shares[key] * 4) / 4
                if not hours:
                    continue
                billable = (
                    min(1.5, hours)
                    if key in ("ravi", "kenji") and day >= today.replace(day=1)
                    else 0.0
                )
                for ticket, amount, work_type in (
                    (maintenance, hours - billable, remote),
                    (plc, billable, onsite),
                ):
                    if amount > 0:
                        vals_list.append(
                            {
                                "name": self.env._("Service desk work"),
                                "ticket_id": ticket.id,
                                "project_id": ticket.project_id.id,
                                "user_id": employee.user_id.id,
                                "employee_id": employee.id,
                                "date": day,
                                "unit_amount": amount,
                                "msp_work_type_id": work_type.id,
                            }
                        )
        # Liam logged half an hour on his first day of leave: flagged.
        vals_list.append(
            {
                "name": self.env._("Answered a call while on leave"),
                "ticket_id": maintenance.id,
                "project_id": maintenance.project_id.id,
                "user_id": liam.user_id.id,
                "employee_id": liam.id,
                "date": today,
                "unit_amount": 0.5,
                "msp_work_type_id": remote.id,
            }
        )
        self.env["account.analytic.line"].sudo().create(vals_list)
        (maintenance | plc).with_context(msp_no_dispatch_log=True).write(
            {"stage_id": ref("helpdesk_mgmt.helpdesk_ticket_stage_done").id}
        )
        self._cron_refresh()
