# Copyright 2026 msp_psa authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import api, fields, models


def ticket_priorities(model):
    """The ticket priorities as helpdesk_mgmt defines them (and any module
    extends them), labels in the reader's language: the one list the SLA
    targets, escalation steps and report choose from."""
    return (
        model.env["helpdesk.ticket"]
        ._fields["priority"]
        ._description_selection(model.env)
    )


class MspSlaPolicyPart(models.AbstractModel):
    """A line of an SLA policy (a target, an escalation step): changing one
    has the open tickets under the policy replanned by the SLA cron."""

    _name = "msp.sla.policy.part"
    _description = "MSP SLA Policy Part"

    policy_id = fields.Many2one(
        "msp.sla.policy", required=True, ondelete="cascade", index=True
    )
    company_id = fields.Many2one(related="policy_id.company_id", store=True)

    @api.model_create_multi
    def create(self, vals_list):
        records = super().create(vals_list)
        records.policy_id._schedule_ticket_check()
        return records

    def write(self, vals):
        policies = self.policy_id
        res = super().write(vals)
        (policies | self.policy_id)._schedule_ticket_check()
        return res

    def unlink(self):
        policies = self.policy_id
        res = super().unlink()
        policies._schedule_ticket_check()
        return res
