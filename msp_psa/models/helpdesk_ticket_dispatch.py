# Copyright 2026 msp_psa authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from collections import defaultdict
from datetime import datetime, time, timedelta

import pytz

from odoo import api, fields, models
from odoo.exceptions import UserError

from ..tools import capacity as cap
from ..tools import dispatch
from ..tools.validate import to_id, user_errors

HISTORY_DAYS = 90


# Dispatch lives apart from helpdesk_ticket.py (the SLA clock and agreement
# mapping) so that each concern reads, and changes, on its own.
class HelpdeskTicket(models.Model):
    """Dispatch: who should take a ticket (skills, free capacity before its
    SLA deadline, open workload weighted by time to breach, history with the
    client), one-click assignment with the suggestion's rank logged, and the
    dispatch board's columns with each technician's remaining capacity."""

    _inherit = "helpdesk.ticket"  # pylint: disable=consider-merging-classes-inherited

    user_id = fields.Many2one(group_expand="_msp_group_expand_technicians")
    msp_minutes_to_breach = fields.Integer(
        string="Minutes to Breach",
        compute="_compute_msp_minutes_to_breach",
        help="Minutes left before the next SLA deadline (response, then "
        "resolution); negative once breached.",
    )

    @api.depends("msp_response_deadline", "msp_resolution_deadline")
    def _compute_msp_minutes_to_breach(self):
        now = fields.Datetime.now()
        for ticket in self:
            deadline = ticket._msp_next_deadline()
            ticket.msp_minutes_to_breach = (
                int((deadline - now).total_seconds() // 60) if deadline else 0
            )

    def _msp_next_deadline(self):
        """The deadline the ticket runs against: the response deadline until
        the first response, then the resolution deadline; none without SLA,
        when met or paused."""
        self.ensure_one()
        if self.msp_sla_state in ("none", "met", "paused"):
            return False
        if self.msp_response_deadline and not self.msp_first_response_date:
            return self.msp_response_deadline
        return self.msp_resolution_deadline

    def _msp_window_deadline(self):
        """The end of the window the ticket's work must fit in: its resolution
        deadline while the resolution target runs; none without SLA, when met
        or paused."""
        self.ensure_one()
        if self.msp_sla_state in ("none", "met", "paused"):
            return False
        return self.msp_resolution_deadline

    # ------------------------------------------------------------------
    # Facts, batched: one query per kind, whatever the number of people
    # ------------------------------------------------------------------
    @api.model
    def _msp_technician_employees(self, company):
        return (
            self.env["hr.employee"]
            .sudo()
            .search(
                [
                    ("msp_technician", "=", True),
                    ("user_id", "!=", False),
                    ("company_id", "=", company.id),
                ]
            )
        )

    @api.model
    def _msp_work_hours(self, employees, start, stops):
        """{employee id: [working hours from ``start`` to each of ``stops``]}:
        calendar less leave and public holidays, each in the employee's
        timezone; one read per calendar for all its employees."""
        result = {employee.id: [0.0] * len(stops) for employee in employees}
        by_calendar = defaultdict(lambda: self.env["hr.employee"])
        for employee in employees:
            by_calendar[employee.resource_calendar_id] += employee
        end = max(stops)
        for calendar, members in by_calendar.items():
            if not calendar or end <= start:
                continue
            work = calendar._work_intervals_batch(
                start, end, resources=members.resource_id
            )
            for employee in members:
                intervals = [(s, e) for s, e, _a in work[employee.resource_id.id]]
                result[employee.id] = [
                    cap.hours(cap.clip(intervals, start, stop)) for stop in stops
                ]
        return result

    @api.model
    def _msp_open_tickets(self, users, exclude=None):
        """{user id: [(hours to breach or None, remaining hours)]} of their
        open tickets."""
        now = fields.Datetime.now()
        domain = [("user_id", "in", users.ids), ("stage_id.closed", "=", False)]
        if exclude:
            domain.append(("id", "not in", exclude.ids))
        result = defaultdict(list)
        # One query for all the tickets, whatever their number.
        tickets = self.sudo().search_fetch(
            domain,
            [
                "user_id",
                "msp_sla_state",
                "msp_response_deadline",
                "msp_first_response_date",
                "msp_resolution_deadline",
                "planned_hours",
                "remaining_hours",
            ],
        )
        for ticket in tickets:
            deadline = ticket._msp_next_deadline()
            remaining = ticket.remaining_hours if ticket.planned_hours else None
            result[ticket.user_id.id].append(
                (
                    (deadline - now).total_seconds() / 3600.0 if deadline else None,
                    max(remaining, 0.0) if remaining is not None else None,
                )
            )
        return result

    def _msp_requirements(self):
        """The ticket's required skills (team's and category's; the strictest
        of a skill wins) as the scoring helper takes them."""
        self.ensure_one()
        merged = {}
        for req in (
            self.team_id.msp_requirement_ids | self.category_id.msp_requirement_ids
        ).sudo():
            key = req.skill_id.id
            known = merged.get(key)
            merged[key] = {
                "skill_id": key,
                "name": req.skill_id.name,
                "min_level": max(req.min_level, known["min_level"] if known else 0),
                "mandatory": req.mandatory or bool(known and known["mandatory"]),
            }
        return list(merged.values())

    def _msp_dispatch_candidates(self, now=None):
        """(candidates, requirements, deadline hours or None) for this ticket."""
        self.ensure_one()
        now = now or fields.Datetime.now()
        employees = self._msp_technician_employees(self.company_id)
        users = employees.user_id
        deadline = self._msp_window_deadline()
        deadline_hours = (
            max((deadline - now).total_seconds() / 3600.0, 0.0) if deadline else None
        )
        start = pytz.utc.localize(now)
        stop = pytz.utc.localize(max(deadline, now)) if deadline else start
        window = self._msp_work_hours(employees, start, [stop])
        skills = defaultdict(dict)
        for line in (
            self.env["hr.employee.skill"]
            .sudo()
            .search_fetch(
                [("employee_id", "in", employees.ids)],
                ["employee_id", "skill_id", "skill_level_id"],
            )
        ):
            skills[line.employee_id.id][line.skill_id.id] = (
                line.skill_level_id.level_progress
            )
        leave_end = max(deadline, now) if deadline else now + timedelta(minutes=1)
        on_leave = set(
            self.env["hr.leave"]
            .sudo()
            .search(
                [
                    ("employee_id", "in", employees.ids),
                    ("state", "=", "validate"),
                    ("date_from", "<", leave_end),
                    ("date_to", ">", now),
                ]
            )
            .employee_id.ids
        )
        open_tickets = self._msp_open_tickets(users, exclude=self)
        history = {}
        client = self.commercial_partner_id
        if client:
            since = fields.Date.to_date(now) - timedelta(days=HISTORY_DAYS)
            history = dict(
                self.env["account.analytic.line"]
                .sudo()
                ._read_group(
                    [
                        ("user_id", "in", users.ids),
                        ("date", ">=", since),
                        ("ticket_id.commercial_partner_id", "=", client.id),
                    ],
                    ["user_id"],
                    ["unit_amount:sum"],
                )
            )
            history = {user.id: hours for user, hours in history.items()}
        team_users = self.team_id.sudo().user_ids
        candidates = [
            {
                "id": employee.user_id.id,
                "employee_id": employee.id,
                "name": employee.name,
                "skills": skills[employee.id],
                "on_leave": employee.id in on_leave,
                "in_team": not team_users or employee.user_id in team_users,
                "window_hours": window[employee.id][0],
                "open_tickets": open_tickets.get(employee.user_id.id, []),
                "client_hours": history.get(employee.user_id.id, 0.0),
            }
            for employee in employees
        ]
        return candidates, self._msp_requirements(), deadline_hours

    def _msp_suggest(self, limit=3, now=None):
        """The ranked technicians, each with its explanation."""
        self.ensure_one()
        candidates, requirements, deadline_hours = self._msp_dispatch_candidates(now)
        ticket_hours = self.remaining_hours if self.planned_hours else None
        with user_errors(self.env):
            ranked = dispatch.rank(
                candidates,
                requirements,
                deadline_hours=deadline_hours,
                ticket_hours=ticket_hours,
                limit=limit,
            )
        by_id = {cand["id"]: cand for cand in candidates}
        for item in ranked:
            item["employee_id"] = by_id[item["id"]]["employee_id"]
            item["explanation"] = self._msp_explain(item)
        return ranked

    def _msp_explain(self, item):
        parts = item["parts"]
        text = [
            self.env._(
                "skills %(met)s/%(total)s",
                met=parts["skills_met"],
                total=parts["skills_total"],
            )
            + (
                f" ({', '.join(parts['skill_labels'])})"
                if parts["skill_labels"]
                else ""
            )
        ]
        if parts["has_deadline"]:
            text.append(
                self.env._(
                    "%(hours)s free before the resolution deadline",
                    hours=dispatch.format_hours(parts["free_hours"]) or "0 h",
                )
            )
        if parts["open_count"]:
            load = (
                self.env._("workload %(load)s (1 open ticket", load=parts["workload"])
                if parts["open_count"] == 1
                else self.env._(
                    "workload %(load)s (%(count)s open tickets",
                    load=parts["workload"],
                    count=parts["open_count"],
                )
            )
            if parts["soonest"] is not None and parts["soonest"] <= 0:
                load += self.env._(", one breached")
            elif parts["soonest"] is not None:
                load += self.env._(
                    ", one due in %(time)s",
                    time=dispatch.format_hours(parts["soonest"]),
                )
            text.append(load + ")")
        else:
            text.append(self.env._("no open tickets"))
        if parts["has_deadline"]:
            text.append(
                self.env._(
                    "%(hours)s on this client in %(days)s days",
                    hours=dispatch.format_hours(parts["client_hours"]) or "0 h",
                    days=HISTORY_DAYS,
                )
            )
        else:
            text.append(
                self.env._("no SLA deadline: ranked by skills and workload only")
            )
        return self.env._(
            "%(name)s: %(facts)s", name=item["name"], facts=", ".join(text)
        )

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------
    def action_msp_suggest(self):
        """Open the top three suggestions of the ticket."""
        self.ensure_one()
        suggestions = self.env["msp.dispatch.suggestion"]._create_for(self)
        if not suggestions:
            raise UserError(
                self.env._(
                    "No technician can take %(ticket)s: everyone is on leave, "
                    "outside the team or without a mandatory skill.",
                    ticket=self.display_name,
                )
            )
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Suggested Technicians"),
            "res_model": "msp.dispatch.suggestion",
            "view_mode": "list",
            "domain": [("id", "in", suggestions.ids)],
            "target": "new",
        }

    def action_msp_assign(self, user_id):
        """Assign the ticket to ``user_id`` (RPC: a user id) and notify them."""
        with user_errors(self.env):
            user_id = to_id(user_id, self.env._("user_id"))
        user = self.env["res.users"].browse(user_id).exists()
        if not user:
            raise UserError(self.env._("User %(id)s does not exist.", id=user_id))
        self.write({"user_id": user.id})
        return True

    def action_msp_assign_first(self):
        """Assign each ticket to its first suggestion (the board's button)."""
        for ticket in self:
            ranked = ticket._msp_suggest(limit=1)
            if not ranked:
                raise UserError(
                    self.env._(
                        "No technician can take %(ticket)s: everyone is on leave, "
                        "outside the team or without a mandatory skill.",
                        ticket=ticket.display_name,
                    )
                )
            ticket.action_msp_assign(ranked[0]["id"])
        return True

    # ------------------------------------------------------------------
    # Rank logging, notification and automatic assignment
    # ------------------------------------------------------------------
    def write(self, vals):
        if not vals.get("user_id") or self.env.context.get("msp_no_dispatch_log"):
            return super().write(vals)
        rankings = {
            ticket.id: ticket._msp_suggest(limit=None)
            for ticket in self
            if ticket.user_id.id != vals["user_id"]
        }
        result = super().write(vals)
        self.env["msp.dispatch.log"]._log_assignments(
            self.filtered(lambda t: t.id in rankings), rankings
        )
        return result

    @api.model_create_multi
    def create(self, vals_list):
        tickets = super().create(vals_list)
        for ticket in tickets:
            if ticket.team_id.msp_auto_assign and not ticket.user_id:
                ranked = ticket._msp_suggest(limit=1)
                if ranked:
                    ticket.with_context(msp_dispatch_auto=True).write(
                        {"user_id": ranked[0]["id"]}
                    )
        return tickets

    # ------------------------------------------------------------------
    # Dispatch board
    # ------------------------------------------------------------------
    @api.model
    def _msp_group_expand_technicians(self, users, domain):
        """On the dispatch board, every technician has a column, busy or not."""
        if not self.env.context.get("msp_dispatch_board"):
            return users
        return users | self._msp_technician_employees(self.env.company).user_id

    @api.model
    def _msp_remaining_capacity(self, users):
        """{user id: (hours left today, hours left this week)} in each
        technician's timezone: working time from now to the end of the day
        (week) less the estimated remaining work of their open tickets due by
        then."""
        now = fields.Datetime.now()
        employees = self._msp_technician_employees(self.env.company).filtered(
            lambda e: e.user_id in users
        )
        open_tickets = self._msp_open_tickets(employees.user_id)
        result = {}
        start = pytz.utc.localize(now)
        by_tz = defaultdict(lambda: self.env["hr.employee"])
        for employee in employees:
            by_tz[employee.tz or "UTC"] += employee
        for tz_name, members in by_tz.items():
            local = start.astimezone(pytz.timezone(tz_name))
            day_end = local.tzinfo.localize(
                datetime.combine(local.date() + timedelta(days=1), time.min)
            )
            week_end = day_end + timedelta(days=6 - local.weekday())
            stops = [day_end.astimezone(pytz.utc), week_end.astimezone(pytz.utc)]
            hours = self._msp_work_hours(members, start, stops)
            for employee in members:
                figures = []
                for stop, work in zip(stops, hours[employee.id], strict=True):
                    horizon = (stop - start).total_seconds() / 3600.0
                    busy = sum(
                        remaining if remaining else dispatch.DEFAULT_TICKET_HOURS
                        for due, remaining in open_tickets.get(employee.user_id.id, [])
                        if due is not None and due <= horizon
                    )
                    figures.append(max(work - busy, 0.0))
                result[employee.user_id.id] = tuple(figures)
        return result

    @api.model
    def web_read_group(
        self, domain, fields, groupby, limit=None, offset=0, orderby=False, lazy=True
    ):
        result = super().web_read_group(
            domain,
            fields,
            groupby,
            limit=limit,
            offset=offset,
            orderby=orderby,
            lazy=lazy,
        )
        if not self.env.context.get("msp_dispatch_board") or groupby[:1] != ["user_id"]:
            return result
        user_ids = [
            group["user_id"][0] for group in result["groups"] if group.get("user_id")
        ]
        free = self._msp_remaining_capacity(self.env["res.users"].browse(user_ids))
        for group in result["groups"]:
            # Every column open, the unassigned one included.
            group["__fold"] = False
            value = group.get("user_id")
            if not value:
                continue
            if value[0] in free:
                today, week = free[value[0]]
                label = self.env._(
                    "%(name)s · %(today)s today, %(week)s week",
                    name=value[1],
                    today=dispatch.format_hours(today) or "0 h",
                    week=dispatch.format_hours(week) or "0 h",
                )
            else:
                label = self.env._("%(name)s · not a technician", name=value[1])
            group["user_id"] = (value[0], label)
        return result
