# Copyright 2026 msp_psa authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from collections import defaultdict

from odoo import api, fields, models
from odoo.osv import expression
from odoo.tools import frozendict

from ..tools import sla as sla_tools

TARGET_STATUS = [
    ("none", "No Target"),
    ("running", "Running"),
    ("at_risk", "At Risk"),
    ("met", "Met"),
    ("breached", "Breached"),
]
SLA_STATES = [
    ("none", "No SLA"),
    ("on_track", "On Track"),
    ("at_risk", "At Risk"),
    ("paused", "Paused"),
    ("breached", "Breached"),
    ("met", "Met"),
]
EMPTY_SLA_VALS = {
    "msp_response_deadline": False,
    "msp_resolution_deadline": False,
    "msp_first_response_hours": 0.0,
    "msp_resolution_hours": 0.0,
    "msp_paused_hours": 0.0,
    "msp_sla_paused": False,
    "msp_response_status": "none",
    "msp_resolution_status": "none",
    "msp_sla_state": "none",
    "msp_sla_next_check": False,
}
# Fields whose change moves the SLA clock.
SLA_TRIGGERS = {
    "stage_id",
    "priority",
    "msp_agreement_id",
    "partner_id",
    "team_id",
    "category_id",
    "company_id",
}

# Fields whose change may change the covering agreement.
MAPPING_FACTS = {"msp_agreement_id", "partner_id", "team_id", "category_id"}


def _hours_to_done(target, done_at):
    """The hours a target done at ``done_at`` took; 0 while it is not done."""
    if done_at and target.minutes_used is not None:
        return target.minutes_used / 60
    return 0.0


class HelpdeskTicket(models.Model):
    _inherit = "helpdesk.ticket"

    msp_agreement_id = fields.Many2one(
        "msp.agreement",
        string="Agreement",
        compute="_compute_msp_agreement_id",
        store=True,
        readonly=False,
        index="btree_not_null",
        tracking=True,
        domain="[('partner_id', '=', commercial_partner_id), ('state', '=', 'active')]",
        help="The client agreement this ticket is worked under. Set from the client, "
        "the team and the category when they change; staff can choose another one.",
    )
    msp_block_hours = fields.Float(related="msp_agreement_id.block_hours")
    msp_block_hours_remaining = fields.Float(
        string="Block Hours Left",
        related="msp_agreement_id.block_hours_remaining",
        help="Prepaid hours left on the agreement's current block, less overage.",
    )
    msp_unmapped = fields.Boolean(
        string="No Agreement",
        compute="_compute_msp_unmapped",
        store=True,
        help="No agreement covers this ticket: its time is billed as time & materials.",
    )
    msp_change_request = fields.Boolean(
        string="Change Request",
        readonly=True,
        copy=False,
        help="Filed by the client from the agreement's portal page: a change of the "
        "agreement to review. Nothing changes until staff edit the agreement.",
    )

    # SLA clock ---------------------------------------------------------------
    msp_sla_start = fields.Datetime(
        string="SLA Clock Start",
        readonly=True,
        copy=False,
        help="When the ticket was received: the response and resolution clocks "
        "run from here.",
    )
    msp_sla_policy_id = fields.Many2one(
        "msp.sla.policy",
        string="SLA Policy",
        readonly=True,
        index="btree_not_null",
        help="The agreement's SLA policy, else the company's default one.",
    )
    msp_sla_line_id = fields.Many2one(
        "msp.sla.policy.line", string="SLA Targets", readonly=True
    )
    msp_response_deadline = fields.Datetime(string="Respond By", readonly=True)
    msp_resolution_deadline = fields.Datetime(string="Resolve By", readonly=True)
    msp_first_response_date = fields.Datetime(
        string="First Response",
        readonly=True,
        copy=False,
        help="The first public reply by staff.",
    )
    msp_first_response_hours = fields.Float(
        string="First Response Time",
        readonly=True,
        copy=False,
        help="Business hours from the ticket's creation to the first public reply, "
        "pauses excluded.",
    )
    msp_resolution_hours = fields.Float(
        string="Resolution Time",
        readonly=True,
        copy=False,
        help="Business hours from creation to closing, pauses excluded; empty "
        "while the ticket is not resolved.",
    )
    msp_paused_hours = fields.Float(
        string="Time Paused",
        readonly=True,
        copy=False,
        help="Business hours the clock stood still (closed pauses).",
    )
    msp_sla_paused = fields.Boolean(string="SLA Paused", readonly=True, copy=False)
    msp_response_status = fields.Selection(
        TARGET_STATUS, string="Response SLA", readonly=True, copy=False
    )
    msp_resolution_status = fields.Selection(
        TARGET_STATUS, string="Resolution SLA", readonly=True, copy=False
    )
    msp_sla_state = fields.Selection(
        SLA_STATES,
        string="SLA",
        readonly=True,
        copy=False,
        index=True,
        help="On track, at risk (most of a target has elapsed), paused (the ticket "
        "waits in a pause stage: the clock stands still), breached (a target was "
        "missed) or met (every target met).",
    )
    msp_sla_next_check = fields.Datetime(
        readonly=True,
        copy=False,
        index="btree_not_null",
        help="When the SLA state can next change by the clock alone.",
    )
    msp_sla_remaining_hours = fields.Float(
        string="Time Remaining",
        compute="_compute_msp_sla_remaining_hours",
        help="Business hours left to the next open target; negative once overdue.",
    )
    msp_sla_pause_ids = fields.One2many(
        "msp.sla.pause", "ticket_id", string="SLA Pauses", readonly=True
    )
    msp_sla_escalation_ids = fields.One2many(
        "msp.sla.ticket.escalation", "ticket_id", string="Escalations", readonly=True
    )

    @api.depends("commercial_partner_id", "team_id", "category_id")
    def _compute_msp_agreement_id(self):
        """The covering agreement on the day the ticket was opened: see
        msp.agreement._get_covering_agreements."""
        today = fields.Date.context_today(self)
        covering = self.env["msp.agreement"]._get_covering_agreements(
            [
                (
                    ticket.commercial_partner_id,
                    ticket.company_id,
                    fields.Date.to_date(ticket.create_date)
                    if ticket.create_date
                    else today,
                    ticket.team_id,
                    ticket.category_id,
                )
                for ticket in self
            ]
        )
        for ticket, agreement in zip(self, covering, strict=True):
            ticket.msp_agreement_id = agreement

    @api.depends("number", "name")
    def _compute_display_name(self):
        # "HT00017 - Guest Wi-Fi down": the number and the title, the title
        # alone while the ticket has no number yet.
        for ticket in self:
            number = ticket.number if ticket.number not in (False, "/") else ""
            ticket.display_name = " - ".join(filter(None, [number, ticket.name]))

    @api.depends("msp_agreement_id")
    def _compute_msp_unmapped(self):
        for ticket in self:
            ticket.msp_unmapped = not ticket.msp_agreement_id

    # ------------------------------------------------------------------
    # SLA clock
    # ------------------------------------------------------------------
    @api.depends(
        "msp_response_deadline",
        "msp_resolution_deadline",
        "msp_response_status",
        "msp_resolution_status",
        "msp_sla_paused",
    )
    def _compute_msp_sla_remaining_hours(self):
        # One clock per calendar for all the tickets (one read of its work
        # intervals), each figure computed from it in memory.
        now = fields.Datetime.now()
        todo = []
        for ticket in self:
            line = ticket.msp_sla_line_id
            targets = ticket._msp_sla_open_targets() if line and ticket.id else []
            ticket.msp_sla_remaining_hours = 0.0
            if targets:
                todo.append((ticket, line._get_calendar(), targets[0]))
        clocks = self._msp_sla_clocks(
            (calendar, ticket._msp_sla_start(), deadline or now)
            for ticket, calendar, (_target, deadline) in todo
        )
        for ticket, calendar, (target, deadline) in todo:
            clock = clocks[calendar]
            if ticket.msp_sla_paused:
                minutes = target - ticket._msp_sla_elapsed(
                    clock, ticket.msp_sla_pause_ids[-1:].date_start
                )
            elif deadline >= now:
                minutes = clock.minutes(now, deadline)
            else:
                minutes = -clock.minutes(deadline, now)
            ticket.msp_sla_remaining_hours = minutes / 60

    @api.model
    def _msp_sla_clocks(self, spans):
        """{calendar: SLA clock} for ``spans``, (calendar, first moment, last
        moment) of each ticket: each calendar's work intervals read once for
        the window from its tickets' first moment to their last (and now)."""
        now = fields.Datetime.now().replace(microsecond=0)
        windows = {}
        for calendar, first, last in spans:
            low, high = windows.get(calendar, (now, now))
            windows[calendar] = (min(low, first or now), max(high, last or now))
        Policy = self.env["msp.sla.policy"]
        return {
            calendar: Policy._get_clock(calendar, low, high)
            for calendar, (low, high) in windows.items()
        }

    def _msp_sla_open_targets(self):
        """(target minutes, deadline) of the targets still running, the
        response first."""
        self.ensure_one()
        line = self.msp_sla_line_id
        targets = []
        if self.msp_response_status in ("running", "at_risk", "breached") and not (
            self.msp_first_response_date
        ):
            targets.append(
                (
                    line.response_hours * 60,
                    self.msp_response_deadline,
                )
            )
        if self.msp_resolution_status in ("running", "at_risk", "breached") and not (
            self.closed
        ):
            targets.append(
                (
                    line.resolution_hours * 60,
                    self.msp_resolution_deadline,
                )
            )
        return targets

    def _msp_sla_start(self):
        self.ensure_one()
        return (self.msp_sla_start or self.create_date).replace(microsecond=0)

    def _msp_sla_elapsed(self, clock, at):
        """Business minutes the clock ran from the ticket's creation to `at`
        on ``clock`` (see _msp_sla_clocks)."""
        self.ensure_one()
        return sla_tools.elapsed_minutes(
            clock,
            self._msp_sla_start(),
            [(pause.date_start, pause.date_end) for pause in self.msp_sla_pause_ids],
            at,
        )

    def _msp_get_sla_policy(self):
        self.ensure_one()
        return (
            self.msp_agreement_id.sla_policy_id
            or self.company_id.msp_sla_policy_id
            or self.env["msp.sla.policy"]
        )

    def _msp_sync_pause(self, policy, now):
        """Open or close the pause segment so that it matches the stage."""
        self.ensure_one()
        open_pause = self.msp_sla_pause_ids.filtered(lambda p: not p.date_end)
        should_pause = (
            bool(policy) and self.stage_id in policy.pause_stage_ids and not self.closed
        )
        if should_pause and not open_pause:
            self.env["msp.sla.pause"].sudo().create(
                {
                    "ticket_id": self.id,
                    "date_start": now,
                    "reason": self.stage_id.name,
                    "user_id": self.env.user.id,
                }
            )
        elif open_pause and not should_pause:
            open_pause.sudo().write({"date_end": now, "end_user_id": self.env.user.id})

    def _msp_sla_recompute(self):
        """Bring pauses, deadlines, statuses and planned escalations of these
        tickets up to date from the facts: creation, stage history (pauses),
        first response, closing, priority and policy.

        Each target runs on its calendar's clock (``tools/sla.py``), one per
        calendar for the whole batch (its work intervals read once, see
        _msp_sla_clocks); the tickets whose values changed alike are written
        together, the escalations planned are created together.
        """
        now = fields.Datetime.now().replace(microsecond=0)
        tickets = self.sudo()
        to_write = defaultdict(tickets.browse)
        planned = []
        for ticket in tickets:
            policy = ticket._msp_get_sla_policy()
            line = policy._get_line(ticket.priority) if policy else policy
            ticket._msp_sync_pause(policy, now)
            planned.append((ticket, policy, line))
        clocks = self._msp_sla_clocks(
            (line._get_calendar(), ticket._msp_sla_start(), now)
            for ticket, _policy, line in planned
            if line and (ticket.msp_sla_start or ticket.create_date)
        )
        escalations = []
        for ticket, policy, line in planned:
            vals = {
                "msp_sla_policy_id": policy.id,
                "msp_sla_line_id": line.id if line else False,
            }
            if line and (ticket.msp_sla_start or ticket.create_date):
                clock = clocks[line._get_calendar()]
                vals.update(
                    ticket._msp_sla_clock_vals(policy, line, clock, now, escalations)
                )
            else:
                vals.update(EMPTY_SLA_VALS)
                ticket.msp_sla_escalation_ids.filtered(
                    lambda e: e.state == "planned"
                ).unlink()
            changed = ticket._msp_sla_changed(vals)
            if changed:
                to_write[frozendict(changed)] |= ticket
        if escalations:
            self.env["msp.sla.ticket.escalation"].sudo().create(escalations)
        for vals, group in to_write.items():
            group.with_context(msp_sla_recompute=True).write(dict(vals))

    def _msp_sla_pauses(self, clock, start):
        """The pauses as (start, end) pairs, storing the business minutes of
        each closed one on ``clock``."""
        self.ensure_one()
        pauses = []
        for pause in self.msp_sla_pause_ids:
            if pause.date_end:
                minutes = clock.minutes(max(pause.date_start, start), pause.date_end)
                if pause.business_minutes != minutes:
                    pause.business_minutes = minutes
            pauses.append((pause.date_start, pause.date_end))
        return pauses

    def _msp_sla_clock_vals(self, policy, line, clock, now, escalations):
        """The SLA values of the ticket under ``line``'s targets on ``clock``;
        its escalations planned (the new ones appended to ``escalations``, a
        list of values to create)."""
        self.ensure_one()
        start = self._msp_sla_start()
        pauses = self._msp_sla_pauses(clock, start)
        share = policy.at_risk_percent / 100
        targets = {
            "response": line.response_hours * 60,
            "resolution": line.resolution_hours * 60,
        }
        done_at = {
            "response": self.msp_first_response_date,
            "resolution": self.closed and self.closed_date,
        }
        response = sla_tools.target_clock(
            clock, start, pauses, targets["response"], share, now, done_at["response"]
        )
        resolution = sla_tools.target_clock(
            clock,
            start,
            pauses,
            targets["resolution"],
            share,
            now,
            done_at["resolution"],
        )
        paused_closed = sla_tools.paused_minutes(clock, start, pauses)
        paused = any(not end for _start, end in pauses)
        escalations += self._msp_plan_escalations(
            policy, clock, (start, paused_closed, paused), targets, done_at
        )
        return {
            "msp_paused_hours": paused_closed / 60,
            "msp_sla_paused": paused,
            "msp_response_deadline": response.deadline or False,
            "msp_response_status": response.status,
            "msp_first_response_hours": _hours_to_done(response, done_at["response"]),
            "msp_resolution_deadline": resolution.deadline or False,
            "msp_resolution_status": resolution.status,
            "msp_resolution_hours": _hours_to_done(resolution, done_at["resolution"]),
            "msp_sla_state": sla_tools.overall_state(
                response.status, resolution.status, paused=paused
            ),
            "msp_sla_next_check": sla_tools.next_check(response, resolution) or False,
        }

    def _msp_sla_changed(self, vals):
        """The values of ``vals`` that differ from the ticket's."""
        self.ensure_one()
        return {
            name: value
            for name, value in vals.items()
            if self._fields[name].convert_to_write(self[name], self) != value
        }

    def _msp_plan_escalations(self, policy, clock, state, targets, done_at):
        """Plan each escalation step of the policy at its share of its target;
        steps already raised stay raised, steps of a target met are dropped.
        ``state`` is (clock start, minutes paused, paused now). Returns the
        values of the steps to create."""
        self.ensure_one()
        start, paused, open_pause = state
        existing = {e.escalation_id: e for e in self.msp_sla_escalation_ids}
        to_create = []
        for step in policy.escalation_ids:
            record = existing.get(step)
            if record and record.state == "done":
                continue
            target = targets.get(step.target)
            if (
                not target
                or done_at.get(step.target)
                or not step._applies_to(self.priority)
            ):
                if record:
                    record.unlink()
                continue
            due = (
                False
                if open_pause
                else clock.plan(start, target * step.percent / 100 + paused)
            )
            if record:
                if record.date_due != due:
                    record.date_due = due
            else:
                to_create.append(
                    {"ticket_id": self.id, "escalation_id": step.id, "date_due": due}
                )
        return to_create

    # ------------------------------------------------------------------
    # Events that move the clock
    # ------------------------------------------------------------------
    @api.model_create_multi
    def create(self, vals_list):
        now = fields.Datetime.now().replace(microsecond=0)
        for vals in vals_list:
            vals.setdefault("msp_sla_start", now)
        tickets = super().create(vals_list)
        tickets._msp_sla_recompute()
        return tickets

    def write(self, vals):
        res = super().write(vals)
        if SLA_TRIGGERS & set(vals) and not self.env.context.get("msp_sla_recompute"):
            self._msp_sla_recompute()
        if MAPPING_FACTS & set(vals):
            # The agreement may have changed: the time's decision follows (a
            # computed field), its block draw is split by hand.
            self.sudo().timesheet_ids._msp_split_block_hours()
        return res

    def message_post(self, **kwargs):
        message = super().message_post(**kwargs)
        if (
            len(self) == 1
            and not self.msp_first_response_date
            and message.subtype_id == self.env.ref("mail.mt_comment")
            and message.message_type in ("comment", "email")
            and message.author_id.user_ids.filtered(lambda user: not user.share)
            and message.author_id != self.partner_id
        ):
            # sudo: a technician may answer a ticket whose SLA fields he
            # cannot write; the first public reply by staff is a fact.
            self.sudo().with_context(msp_sla_recompute=True).write(
                {"msp_first_response_date": message.date}
            )
            self._msp_sla_recompute()
        return message

    # ------------------------------------------------------------------
    # Scheduled check: at risk, breaches, escalations
    # ------------------------------------------------------------------
    @api.model
    def _cron_msp_sla_check(self, batch_size=500):
        """Refresh the SLA state of tickets whose clock has reached a threshold
        and raise the escalation steps that are due, each once."""
        now = fields.Datetime.now()
        # Companies using several workers: their worker crons do the check in
        # parallel (helpdesk_ticket_sla_workers.py); this job does the rest.
        spread = self._msp_sla_spread_companies()
        own = [("company_id", "not in", spread.ids)] if spread else []
        if spread and self._msp_sla_due_count(now, spread, limit=1):
            self._msp_start_sla_workers()
        tickets = self.sudo().search(
            expression.AND([[("msp_sla_next_check", "<=", now)], own]),
            limit=batch_size,
        )
        tickets._msp_sla_recompute()
        due = (
            self.env["msp.sla.ticket.escalation"]
            .sudo()
            .search(
                expression.AND(
                    [
                        [
                            ("state", "=", "planned"),
                            ("date_due", "<=", now),
                            ("ticket_id.msp_sla_paused", "=", False),
                        ],
                        own,
                    ]
                ),
                limit=batch_size,
            )
        )
        due._raise()
        if len(tickets) == batch_size or len(due) == batch_size:
            remaining = self.sudo().search_count(
                expression.AND([[("msp_sla_next_check", "<=", now)], own])
            )
            self.env["ir.cron"]._notify_progress(
                done=len(tickets) + len(due), remaining=remaining or 1
            )

    @api.model
    def _msp_sla_schedule_check(self, domain):
        """Have the SLA cron refresh the open tickets in `domain` on its next
        pass: a policy or an agreement's terms changed."""
        self.env.flush_all()
        tickets = self.sudo().search(expression.AND([domain, [("closed", "=", False)]]))
        if tickets:
            tickets.with_context(msp_sla_recompute=True).write(
                {"msp_sla_next_check": fields.Datetime.now()}
            )
            self.env.ref("msp_psa.ir_cron_msp_sla_check")._trigger()

    @api.model
    def _msp_sla_replan_leaves(self, spans):
        """Have the SLA cron replan the open tickets whose deadlines the leaves
        ``spans`` ([(calendar, date_from, date_to)], an empty calendar for
        every calendar) can move: those whose targets run on that calendar
        (the policy's, or their priority's own) and whose planning window,
        from the clock's start to its latest deadline or planned escalation
        (open-ended while paused), overlaps the leave."""
        domains = []
        for calendar, date_from, date_to in spans:
            if calendar:
                on_calendar = [
                    "|",
                    ("msp_sla_line_id.calendar_id", "=", calendar.id),
                    "&",
                    ("msp_sla_line_id.calendar_id", "=", False),
                    ("msp_sla_policy_id.calendar_id", "=", calendar.id),
                ]
            else:
                on_calendar = [
                    "|",
                    ("msp_sla_line_id.calendar_id", "!=", False),
                    ("msp_sla_policy_id.calendar_id", "!=", False),
                ]
            domains.append(
                expression.AND(
                    [
                        on_calendar,
                        [("msp_sla_line_id.around_the_clock", "=", False)],
                        [
                            "|",
                            ("msp_sla_start", "<", date_to),
                            "&",
                            ("msp_sla_start", "=", False),
                            ("create_date", "<", date_to),
                        ],
                        [
                            "|",
                            "|",
                            "|",
                            ("msp_sla_paused", "=", True),
                            ("msp_response_deadline", ">", date_from),
                            ("msp_resolution_deadline", ">", date_from),
                            (
                                "msp_sla_escalation_ids",
                                "any",
                                [
                                    ("state", "=", "planned"),
                                    ("date_due", ">", date_from),
                                ],
                            ),
                        ],
                    ]
                )
            )
        if domains:
            self._msp_sla_schedule_check(expression.OR(domains))

    # ------------------------------------------------------------------
    # What the client's portal ticket page shows
    # ------------------------------------------------------------------
    def _msp_portal_sla(self):
        """The ticket's SLA as the client reads it, or {} without one::

            {"policy": str, "state": "on_track", "state_label": "On Track",
             "paused": bool,
             "targets": [{"name": "First response", "hours": 1.0,
                          "business_hours": "Office 9-17",
                          "status": "running", "status_label": "Running",
                          "due": datetime or False, "done": datetime or False}]}

        Datetimes are UTC: the page shows them in the reader's timezone.
        """
        self.ensure_one()
        line = self.sudo().msp_sla_line_id
        if not line or self.msp_sla_state in (False, "none"):
            return {}
        states = dict(self._fields["msp_sla_state"]._description_selection(self.env))
        statuses = dict(
            self._fields["msp_response_status"]._description_selection(self.env)
        )
        targets = []
        for name, hours, status, due, done in (
            (
                self.env._("First response"),
                line.response_hours,
                self.msp_response_status,
                self.msp_response_deadline,
                self.msp_first_response_date,
            ),
            (
                self.env._("Resolution"),
                line.resolution_hours,
                self.msp_resolution_status,
                self.msp_resolution_deadline,
                self.closed and self.closed_date,
            ),
        ):
            if not hours:
                continue
            targets.append(
                {
                    "name": name,
                    "hours": hours,
                    "business_hours": line._get_hours_label(),
                    "status": status,
                    # a running target stands still while the ticket waits
                    "status_label": states["paused"]
                    if self.msp_sla_paused and status in ("running", "at_risk")
                    else statuses.get(status, ""),
                    "due": due,
                    "done": done or False,
                }
            )
        return {
            "policy": self.sudo().msp_sla_policy_id.name,
            "state": self.msp_sla_state,
            "state_label": states.get(self.msp_sla_state, ""),
            "paused": self.msp_sla_paused,
            "targets": targets,
        }
