# Copyright 2026 msp_psa authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import fields, models

from ..models.helpdesk_ticket import SLA_STATES
from ..models.msp_sla_policy_part import ticket_priorities

# Met % measures: (targets met, targets decided) columns they divide.
MET_RATIOS = {
    "met_percent": ("met_count", "decided_count"),
    "response_met_percent": ("response_met_count", "response_decided_count"),
    "resolution_met_percent": ("resolution_met_count", "resolution_decided_count"),
}


class MspSlaReport(models.Model):
    """SLA compliance per ticket, to group by agreement, client, technician and
    month: met %, average first response and resolution time, breaches.

    Each ticket has up to two targets (first response, resolution); a target is
    decided once it is met or breached. Met % is targets met ÷ targets decided,
    summed over the group (a weighted ratio, not an average of per-ticket
    shares): ``msp.ratio.report.mixin`` computes it from the sums, and it is empty
    where nothing is decided.
    """

    _name = "msp.sla.report"
    _inherit = ["msp.ratio.report.mixin"]
    _ratio_fields = MET_RATIOS
    _description = "MSP SLA Compliance"
    _auto = False
    _rec_name = "ticket_id"
    _order = "date desc"

    ticket_id = fields.Many2one("helpdesk.ticket", readonly=True)
    date = fields.Datetime(string="Received", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    agreement_id = fields.Many2one("msp.agreement", readonly=True)
    partner_id = fields.Many2one("res.partner", string="Client", readonly=True)
    user_id = fields.Many2one("res.users", string="Technician", readonly=True)
    team_id = fields.Many2one("helpdesk.ticket.team", readonly=True)
    policy_id = fields.Many2one("msp.sla.policy", string="SLA Policy", readonly=True)
    priority = fields.Selection(ticket_priorities, readonly=True)
    sla_state = fields.Selection(SLA_STATES, string="SLA", readonly=True)
    ticket_count = fields.Integer(string="Tickets", readonly=True, aggregator="sum")
    met_count = fields.Integer(string="Targets Met", readonly=True, aggregator="sum")
    decided_count = fields.Integer(
        string="Targets Decided",
        readonly=True,
        aggregator="sum",
        help="Targets met or breached; the targets still running are not counted.",
    )
    met_percent = fields.Float(
        string="Met (%)",
        readonly=True,
        aggregator="avg",
        help="Targets met ÷ targets decided (met or breached), response and "
        "resolution together; empty where no target is decided.",
    )
    response_met_count = fields.Integer(readonly=True, aggregator="sum")
    response_decided_count = fields.Integer(readonly=True, aggregator="sum")
    response_met_percent = fields.Float(
        string="Response Met (%)",
        readonly=True,
        aggregator="avg",
        help="Tickets whose first response target was met ÷ tickets whose first "
        "response target is decided.",
    )
    resolution_met_count = fields.Integer(readonly=True, aggregator="sum")
    resolution_decided_count = fields.Integer(readonly=True, aggregator="sum")
    resolution_met_percent = fields.Float(
        string="Resolution Met (%)",
        readonly=True,
        aggregator="avg",
        help="Tickets whose resolution target was met ÷ tickets whose resolution "
        "target is decided.",
    )
    breach_count = fields.Integer(
        string="Breached Tickets",
        readonly=True,
        aggregator="sum",
        help="Tickets that missed a target.",
    )
    first_response_hours = fields.Float(
        string="Avg First Response (hh:mm)",
        readonly=True,
        aggregator="avg",
        help="Business time to the first public reply, of the tickets answered.",
    )
    resolution_hours = fields.Float(
        string="Avg Resolution (hh:mm)",
        readonly=True,
        aggregator="avg",
        help="Business time to closing, of the tickets resolved.",
    )

    @property
    def _table_query(self):
        return """
            SELECT
                t.id AS id,
                t.id AS ticket_id,
                t.date AS date,
                t.company_id AS company_id,
                t.msp_agreement_id AS agreement_id,
                t.commercial_partner_id AS partner_id,
                t.user_id AS user_id,
                t.team_id AS team_id,
                t.msp_sla_policy_id AS policy_id,
                t.priority AS priority,
                t.msp_sla_state AS sla_state,
                1 AS ticket_count,
                t.response_met + t.resolution_met AS met_count,
                t.response_decided + t.resolution_decided AS decided_count,
                ROUND(
                    100.0 * (t.response_met + t.resolution_met)
                    / NULLIF(t.response_decided + t.resolution_decided, 0),
                    2
                )::float AS met_percent,
                t.response_met AS response_met_count,
                t.response_decided AS response_decided_count,
                CASE WHEN t.response_decided = 1 THEN 100.0 * t.response_met END
                    AS response_met_percent,
                t.resolution_met AS resolution_met_count,
                t.resolution_decided AS resolution_decided_count,
                CASE WHEN t.resolution_decided = 1 THEN 100.0 * t.resolution_met END
                    AS resolution_met_percent,
                CASE WHEN t.msp_sla_state = 'breached' THEN 1 ELSE 0 END
                    AS breach_count,
                CASE WHEN t.msp_first_response_date IS NOT NULL
                    THEN t.msp_first_response_hours END AS first_response_hours,
                CASE WHEN t.resolved AND t.resolution_decided = 1
                    THEN t.msp_resolution_hours END AS resolution_hours
            FROM (
                SELECT
                    ticket.*,
                    COALESCE(ticket.msp_sla_start, ticket.create_date) AS date,
                    (COALESCE(stage.closed, FALSE)
                        AND ticket.closed_date IS NOT NULL) AS resolved,
                    (COALESCE(ticket.msp_response_status, 'none') = 'met')::int
                        AS response_met,
                    (COALESCE(ticket.msp_response_status, 'none')
                        IN ('met', 'breached'))::int AS response_decided,
                    (COALESCE(ticket.msp_resolution_status, 'none') = 'met')::int
                        AS resolution_met,
                    (COALESCE(ticket.msp_resolution_status, 'none')
                        IN ('met', 'breached'))::int AS resolution_decided
                FROM helpdesk_ticket ticket
                LEFT JOIN helpdesk_ticket_stage stage ON stage.id = ticket.stage_id
                WHERE ticket.msp_sla_state IS NOT NULL
                  AND ticket.msp_sla_state != 'none'
                  AND ticket.active
            ) t
        """
