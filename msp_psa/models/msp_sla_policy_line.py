# Copyright 2026 msp_psa authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import api, fields, models
from odoo.exceptions import ValidationError

from .msp_sla_policy_part import ticket_priorities


class MspSlaPolicyLine(models.Model):
    """The targets of one ticket priority under a policy."""

    _name = "msp.sla.policy.line"
    _description = "MSP SLA Target"
    _inherit = "msp.sla.policy.part"
    _order = "policy_id, priority desc"

    priority = fields.Selection(ticket_priorities, required=True)
    response_hours = fields.Float(
        string="Response Within",
        help="Business time (hh:mm) until the first public reply by staff. 0: no "
        "target.",
    )
    resolution_hours = fields.Float(
        string="Resolution Within",
        help="Business time (hh:mm) until the ticket reaches a closed stage. 0: no "
        "target.",
    )
    around_the_clock = fields.Boolean(
        string="24×7",
        help="The clock of this priority runs around the clock, whatever the "
        "policy's business hours.",
    )
    calendar_id = fields.Many2one(
        "resource.calendar",
        string="Own Business Hours",
        help="Business hours of this priority, instead of the policy's.",
    )

    _sql_constraints = [
        (
            "priority_uniq",
            "unique(policy_id, priority)",
            "A policy has one target line per priority.",
        ),
    ]

    @api.depends("policy_id.name", "priority")
    def _compute_display_name(self):
        priorities = dict(self._fields["priority"]._description_selection(self.env))
        for line in self:
            line.display_name = self.env._(
                "%(policy)s: %(priority)s priority",
                policy=line.policy_id.name or "",
                priority=priorities.get(line.priority, ""),
            )

    @api.constrains("response_hours", "resolution_hours")
    def _check_hours(self):
        for line in self:
            if line.response_hours < 0 or line.resolution_hours < 0:
                raise ValidationError(
                    self.env._(
                        "SLA targets of %(policy)s cannot be negative.",
                        policy=line.policy_id.display_name,
                    )
                )
            if (
                line.response_hours
                and line.resolution_hours
                and line.resolution_hours < line.response_hours
            ):
                raise ValidationError(
                    self.env._(
                        "On %(policy)s, the resolution target cannot be shorter than "
                        "the response target.",
                        policy=line.policy_id.display_name,
                    )
                )

    def _get_calendar(self):
        """The calendar the clock runs on; an empty one means 24×7."""
        self.ensure_one()
        if self.around_the_clock:
            return self.env["resource.calendar"]
        return self.calendar_id or self.policy_id.calendar_id

    def _get_hours_label(self):
        self.ensure_one()
        calendar = self._get_calendar()
        return calendar.name if calendar else self.env._("24×7")
