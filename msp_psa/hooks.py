# Copyright 2026 msp_psa authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).


def post_init_hook(env):
    """Tickets and time that exist before the module: the SLA cron gives open
    tickets their clock, and time not yet invoiced gets its billing decision."""
    env["helpdesk.ticket"]._msp_sla_schedule_check([])
    env["account.analytic.line"].search(
        [("ticket_id", "!=", False), ("msp_billing_decision", "=", False)]
    )._msp_decide()
