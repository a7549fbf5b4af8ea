# Copyright 2026 msp_psa authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import SUPERUSER_ID, api

from odoo.addons.msp_psa.hooks import post_init_hook


def migrate(cr, version):
    """From 18.0.1.0.0: open tickets get their SLA clock and time not yet
    invoiced its billing decision, as on a fresh install."""
    if not version:
        return
    post_init_hook(api.Environment(cr, SUPERUSER_ID, {}))
