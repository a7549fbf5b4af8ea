# Copyright 2026 msp_psa authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import api, fields, models
from odoo.exceptions import ValidationError

from .msp_sla_policy_part import ticket_priorities


class MspSlaEscalation(models.Model):
    """A step raised once per ticket when a share of a target has elapsed."""

    _name = "msp.sla.escalation"
    _description = "MSP SLA Escalation Step"
    _inherit = "msp.sla.policy.part"
    _order = "policy_id, target, percent, id"

    target = fields.Selection(
        [("response", "Response"), ("resolution", "Resolution")],
        required=True,
        default="resolution",
    )
    percent = fields.Integer(
        string="At (%)", required=True, default=100, help="Share of the target."
    )
    min_priority = fields.Selection(
        ticket_priorities,
        string="From Priority",
        help="The step applies to tickets of this priority and above. Empty: all.",
    )
    notify = fields.Boolean(
        default=True,
        help="Post a note on the ticket for the assignee and the people below.",
    )
    notify_user_ids = fields.Many2many("res.users", string="Also Notify")
    reassign_user_id = fields.Many2one(
        "res.users", string="Reassign To", domain="[('share', '=', False)]"
    )
    raise_priority = fields.Boolean(help="Raise the ticket's priority by one level.")
    activity = fields.Boolean(
        string="Schedule an Activity",
        help="A to-do for the assignee (or the agreement's account manager).",
    )

    @api.depends(
        "target",
        "percent",
        "min_priority",
        "notify",
        "reassign_user_id",
        "raise_priority",
        "activity",
    )
    def _compute_display_name(self):
        priorities = dict(self._fields["min_priority"]._description_selection(self.env))
        for step in self:
            actions = []
            if step.notify:
                actions.append(self.env._("notify"))
            if step.reassign_user_id:
                actions.append(
                    self.env._("reassign to %(user)s", user=step.reassign_user_id.name)
                )
            if step.raise_priority:
                actions.append(self.env._("raise the priority"))
            if step.activity:
                actions.append(self.env._("schedule an activity"))
            actions = ", ".join(actions) or self.env._("escalate")
            if step.target == "response":
                name = self.env._(
                    "%(actions)s at %(percent)s %% of the response target",
                    actions=actions,
                    percent=step.percent,
                )
            else:
                name = self.env._(
                    "%(actions)s at %(percent)s %% of the resolution target",
                    actions=actions,
                    percent=step.percent,
                )
            if step.min_priority:
                name = self.env._(
                    "%(name)s (%(priority)s priority and above)",
                    name=name,
                    priority=priorities[step.min_priority],
                )
            step.display_name = name[:1].upper() + name[1:]

    @api.constrains("percent")
    def _check_percent(self):
        for step in self:
            if not 0 < step.percent <= 200:
                raise ValidationError(
                    self.env._(
                        "An escalation of %(policy)s must be at a share between 1 "
                        "and 200 %% of its target.",
                        policy=step.policy_id.display_name,
                    )
                )

    def _applies_to(self, priority):
        self.ensure_one()
        return not self.min_priority or (priority or "0") >= self.min_priority

    def _get_label(self):
        self.ensure_one()
        target = dict(self._fields["target"]._description_selection(self.env))[
            self.target
        ]
        return self.env._(
            "%(target)s at %(percent)s %%", target=target, percent=self.percent
        )
