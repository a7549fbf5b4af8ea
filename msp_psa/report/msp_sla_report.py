# Copyright 2026 msp_psa authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import fields, models

from ..models.helpdesk_ticket import SLA_STATES


class MspSlaReport(models.Model):
    """SLA compliance per ticket, to group by agreement, client, technician and
    month: met %, average first response and resolution time, breaches."""

    _name = "msp.sla.report"
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
    priority = fields.Selection(
        [("0", "Low"), ("1", "Medium"), ("2", "High"), ("3", "Very High")],
        readonly=True,
    )
    sla_state = fields.Selection(SLA_STATES, string="SLA", readonly=True)
    ticket_count = fields.Integer(string="Tickets", readonly=True, aggregator="sum")
    met_percent = fields.Float(
        string="Met (%)",
        readonly=True,
        aggregator="avg",
        help="Share of the tickets with a final SLA result (met or breached) that "
        "met every target.",
    )
    breach_count = fields.Integer(string="Breaches", readonly=True, aggregator="sum")
    first_response_hours = fields.Float(
        string="Avg First Response (h)", readonly=True, aggregator="avg"
    )
    resolution_hours = fields.Float(
        string="Avg Resolution (h)", readonly=True, aggregator="avg"
    )

    @property
    def _table_query(self):
        return """
            SELECT
                t.id AS id,
                t.id AS ticket_id,
                COALESCE(t.msp_sla_start, t.create_date) AS date,
                t.company_id AS company_id,
                t.msp_agreement_id AS agreement_id,
                t.commercial_partner_id AS partner_id,
                t.user_id AS user_id,
                t.team_id AS team_id,
                t.msp_sla_policy_id AS policy_id,
                t.priority AS priority,
                t.msp_sla_state AS sla_state,
                1 AS ticket_count,
                CASE
                    WHEN t.msp_sla_state = 'met' THEN 100.0
                    WHEN t.msp_sla_state = 'breached' THEN 0.0
                END AS met_percent,
                CASE WHEN t.msp_sla_state = 'breached' THEN 1 ELSE 0 END
                    AS breach_count,
                CASE WHEN t.msp_first_response_date IS NOT NULL
                    THEN t.msp_first_response_hours END AS first_response_hours,
                CASE WHEN t.msp_resolution_status IN ('met', 'breached')
                    THEN t.msp_resolution_hours END AS resolution_hours
            FROM helpdesk_ticket t
            WHERE t.msp_sla_state IS NOT NULL
              AND t.msp_sla_state != 'none'
              AND t.active
        """
