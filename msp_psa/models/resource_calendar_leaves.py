# Copyright 2026 msp_psa authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from datetime import timedelta

from dateutil.relativedelta import relativedelta

from odoo import api, fields, models


class ResourceCalendarLeaves(models.Model):
    """Approved leave (hr_holidays writes one of these when it validates a
    request) and public holidays change technicians' capacity at once: the
    capacity rows they touch are rebuilt, not left to the nightly refresh.

    A public holiday or a leave of a whole calendar also moves the SLA clock
    of the open tickets that run on that calendar (every calendar, for a
    holiday without one) when it falls inside their planning window: those
    tickets, and only those, are replanned by the SLA cron's next pass."""

    _inherit = "resource.calendar.leaves"

    @api.model_create_multi
    def create(self, vals_list):
        leaves = super().create(vals_list)
        leaves._msp_refresh_capacity(leaves._msp_capacity_spans())
        self.env["helpdesk.ticket"]._msp_sla_replan_leaves(leaves._msp_sla_spans())
        return leaves

    def write(self, vals):
        spans = self._msp_capacity_spans()
        sla_spans = self._msp_sla_spans()
        result = super().write(vals)
        if {"date_from", "date_to", "resource_id", "calendar_id", "company_id"} & set(
            vals
        ):
            self._msp_refresh_capacity(spans + self._msp_capacity_spans())
        if {"date_from", "date_to", "resource_id", "calendar_id", "time_type"} & set(
            vals
        ):
            self.env["helpdesk.ticket"]._msp_sla_replan_leaves(
                sla_spans + self._msp_sla_spans()
            )
        return result

    def unlink(self):
        spans = self._msp_capacity_spans()
        sla_spans = self._msp_sla_spans()
        result = super().unlink()
        self._msp_refresh_capacity(spans)
        self.env["helpdesk.ticket"]._msp_sla_replan_leaves(sla_spans)
        return result

    def _msp_sla_spans(self):
        """[(calendar, date_from, date_to)] of these leaves that SLA clocks
        count: time off of no single resource (a public holiday, a closure),
        the calendar empty when it applies to every calendar."""
        return [
            (leave.calendar_id, leave.date_from, leave.date_to)
            for leave in self.sudo()
            if not leave.resource_id
            and leave.time_type == "leave"
            and leave.date_from
            and leave.date_to
        ]

    def _msp_capacity_spans(self):
        """[(technicians, first day, last day)] whose capacity these leaves
        touch: the resource's own employee, else the technicians working on
        the calendar (or, without one, every technician of the company)."""
        if not self:
            return []
        technicians = self.env["msp.technician.capacity"]._technicians()
        spans = []
        for leave in self.sudo():
            if leave.resource_id:
                concerned = technicians.filtered(
                    lambda e, r=leave.resource_id: e.resource_id == r
                )
            elif leave.calendar_id:
                concerned = technicians.filtered(
                    lambda e, c=leave.calendar_id: e.resource_calendar_id == c
                )
            else:
                concerned = technicians.filtered(
                    lambda e, c=leave.company_id: not c or e.company_id == c
                )
            if concerned and leave.date_from and leave.date_to:
                # A day either side: the leave is in UTC, days are local.
                spans.append(
                    (
                        concerned,
                        leave.date_from.date() - timedelta(days=1),
                        leave.date_to.date() + timedelta(days=1),
                    )
                )
        return spans

    @api.model
    def _msp_refresh_capacity(self, spans):
        """Rebuild the capacity rows of ``spans`` inside the window the nightly
        refresh keeps (last month to next month): one rebuild for all."""
        if not spans:
            return
        today = fields.Date.context_today(self)
        window_from = today.replace(day=1) - relativedelta(months=1)
        window_to = today.replace(day=1) + relativedelta(months=2, days=-1)
        employees = self.env["hr.employee"]
        first, last = None, None
        for concerned, day_from, day_to in spans:
            day_from, day_to = max(day_from, window_from), min(day_to, window_to)
            if day_from > day_to:
                continue
            employees |= concerned
            first = min(first or day_from, day_from)
            last = max(last or day_to, day_to)
        if employees:
            self.env["msp.technician.capacity"]._refresh(employees, first, last)
