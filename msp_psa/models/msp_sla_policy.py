# Copyright 2026 msp_psa authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from datetime import timedelta
from functools import partial

from pytz import utc

from odoo import api, fields, models
from odoo.exceptions import ValidationError

from ..tools import sla as sla_tools


class MspSlaPolicy(models.Model):
    """Response and resolution targets per ticket priority, the hours the clock
    runs in, the stages that stop it and the escalation steps.

    An agreement carries a policy; a company has a default one for tickets of
    agreements without their own.
    """

    _name = "msp.sla.policy"
    _description = "MSP SLA Policy"
    _order = "sequence, name"
    _check_company_auto = True

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company
    )
    calendar_id = fields.Many2one(
        "resource.calendar",
        string="Business Hours",
        check_company=True,
        help="The clock runs in these working hours, public holidays and company "
        "leaves excluded. Empty: around the clock (24×7).",
    )
    pause_stage_ids = fields.Many2many(
        "helpdesk.ticket.stage",
        string="Stages That Pause the Clock",
        help="While a ticket is in one of these stages (e.g. waiting on the "
        "customer), neither the response nor the resolution clock runs.",
    )
    at_risk_percent = fields.Integer(
        string="At Risk From (%)",
        default=75,
        help="A target is at risk once this share of it has elapsed.",
    )
    line_ids = fields.One2many("msp.sla.policy.line", "policy_id", string="Targets")
    escalation_ids = fields.One2many(
        "msp.sla.escalation", "policy_id", string="Escalations"
    )
    note = fields.Html(translate=True)

    @api.constrains("at_risk_percent")
    def _check_at_risk_percent(self):
        for policy in self:
            if not 0 < policy.at_risk_percent < 100:
                raise ValidationError(
                    self.env._(
                        "On %(policy)s, 'at risk from' must be a share between 1 "
                        "and 99 %%.",
                        policy=policy.display_name,
                    )
                )

    # ------------------------------------------------------------------
    # Business time: one figure straight from the calendar (the reference),
    # and the clock of a batch (every ticket's figures)
    # ------------------------------------------------------------------
    @api.model
    def _business_minutes(self, calendar, start, end):
        """Minutes of the calendar's working time between two naive UTC datetimes
        (wall-clock minutes when there is no calendar)."""
        if not start or not end or end <= start:
            return 0.0
        if not calendar:
            return (end - start).total_seconds() / 60
        hours = calendar.get_work_hours_count(start, end, compute_leaves=True)
        return round(hours * 60, 2)

    @api.model
    def _plan_minutes(self, calendar, start, minutes):
        """The naive UTC datetime at which `minutes` of the calendar's working
        time have elapsed from `start`."""
        if not calendar:
            return start + timedelta(minutes=minutes)
        if minutes <= 0:
            # The clock starts at the next working minute.
            minutes = 0.0
        deadline = calendar.plan_hours(minutes / 60, start, compute_leaves=True)
        if not deadline:
            raise ValidationError(self._no_working_time_message(calendar))
        return deadline.replace(microsecond=0)

    @api.model
    def _get_clock(self, calendar, window_start=None, window_end=None):
        """The SLA clock (``tools/sla.py``) of ``calendar`` (24×7 without one)
        for a batch: the calendar's work intervals (attendances less leaves
        and public holidays) are read once for the window, here the batch's
        earliest start to its latest moment, and every figure of the batch is
        computed from them in memory; a figure outside the window widens it
        (one more read). Figures equal ``_business_minutes`` and
        ``_plan_minutes``'s."""
        if not calendar:
            return sla_tools.wall_clock()
        window_start = window_start or fields.Datetime.now()
        window_end = max(window_end or window_start, window_start) + timedelta(days=30)
        clock = sla_tools.WindowClock(
            partial(self._get_work_intervals, calendar), window_start, window_end
        )

        def plan(start, minutes):
            deadline = clock.plan(start, minutes)
            if not deadline:
                raise ValidationError(self._no_working_time_message(calendar))
            return deadline

        return sla_tools.Clock(minutes=clock.minutes, plan=plan)

    @api.model
    def _get_work_intervals(self, calendar, window_start, window_end):
        """The calendar's work intervals, public holidays and leaves of the
        whole calendar excluded, between two naive UTC datetimes, as sorted
        naive UTC (start, end) pairs: what ``plan_hours`` and
        ``get_work_hours_count`` count on."""
        intervals = calendar._work_intervals_batch(
            utc.localize(window_start), utc.localize(window_end)
        )[False]
        return [
            (
                start.astimezone(utc).replace(tzinfo=None),
                end.astimezone(utc).replace(tzinfo=None),
            )
            for start, end, _meta in intervals
        ]

    def _no_working_time_message(self, calendar):
        return self.env._(
            "The working hours %(calendar)s have no working time in the "
            "next four years: an SLA cannot run on them.",
            calendar=calendar.display_name,
        )

    def _get_line(self, priority):
        self.ensure_one()
        return self.line_ids.filtered(lambda line: line.priority == priority)[:1]

    def write(self, vals):
        res = super().write(vals)
        self._schedule_ticket_check()
        return res

    def _schedule_ticket_check(self):
        if self:
            self.env["helpdesk.ticket"]._msp_sla_schedule_check(
                [("msp_sla_policy_id", "in", self.ids)]
            )
