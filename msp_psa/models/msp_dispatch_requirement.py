# Copyright 2026 msp_psa authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import api, fields, models
from odoo.exceptions import ValidationError


class MspDispatchRequirement(models.Model):
    """A skill a helpdesk team or ticket category asks of the technician who
    takes its tickets: at least a level, mandatory (a hard filter) or
    preferred (it only scores)."""

    _name = "msp.dispatch.requirement"
    _description = "MSP Required Skill"
    _order = "mandatory desc, id"

    team_id = fields.Many2one(
        "helpdesk.ticket.team", ondelete="cascade", index="btree_not_null"
    )
    category_id = fields.Many2one(
        "helpdesk.ticket.category", ondelete="cascade", index="btree_not_null"
    )
    skill_type_id = fields.Many2one("hr.skill.type", required=True)
    skill_id = fields.Many2one(
        "hr.skill",
        required=True,
        domain="[('skill_type_id', '=', skill_type_id)]",
    )
    min_level_id = fields.Many2one(
        "hr.skill.level",
        string="Minimum Level",
        required=True,
        domain="[('skill_type_id', '=', skill_type_id)]",
    )
    min_level = fields.Integer(related="min_level_id.level_progress")
    mandatory = fields.Boolean(
        default=True,
        help="Mandatory: technicians below the level are never suggested. "
        "Otherwise the skill only raises the score.",
    )
    company_id = fields.Many2one(
        "res.company", compute="_compute_company_id", store=True
    )

    @api.depends("team_id.company_id", "category_id.company_id")
    def _compute_company_id(self):
        for requirement in self:
            requirement.company_id = (
                requirement.team_id.company_id or requirement.category_id.company_id
            )

    @api.depends("skill_id", "min_level_id", "mandatory")
    def _compute_display_name(self):
        for requirement in self:
            requirement.display_name = self.env._(
                "%(skill)s, %(level)s or more (%(kind)s)",
                skill=requirement.skill_id.name or "",
                level=requirement.min_level_id.name or "",
                kind=self.env._("mandatory")
                if requirement.mandatory
                else self.env._("preferred"),
            )

    @api.constrains(
        "skill_id", "min_level_id", "skill_type_id", "team_id", "category_id"
    )
    def _check_skill(self):
        for requirement in self:
            if not requirement.team_id and not requirement.category_id:
                raise ValidationError(
                    self.env._("A required skill belongs to a team or a category.")
                )
            kinds = {
                requirement.skill_type_id,
                requirement.skill_id.skill_type_id,
                requirement.min_level_id.skill_type_id,
            }
            if len(kinds) > 1:
                raise ValidationError(
                    self.env._(
                        "Skill %(skill)s and level %(level)s are not of the skill "
                        "type %(type)s.",
                        skill=requirement.skill_id.name,
                        level=requirement.min_level_id.name,
                        type=requirement.skill_type_id.name,
                    )
                )
