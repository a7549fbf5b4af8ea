# Copyright 2026 msp_psa authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).


def post_init_hook(env):
    """Tickets that exist before the module: the SLA cron gives open tickets
    their clock. (Time that exists before gets its billing decision from the
    computed field, which Odoo computes when it installs the module.)"""
    env["helpdesk.ticket"]._msp_sla_schedule_check([])
