# Copyright 2026 msp_psa authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).


def migrate(cr, version):
    """From 18.0.1.2.0: companies get the *Billing workers* setting. Odoo
    fills a new column with its default; this makes sure no company is left
    without one (1: the main billing cron bills alone, as before)."""
    if not version:
        return
    cr.execute(
        "UPDATE res_company SET msp_billing_workers = 1"
        " WHERE msp_billing_workers IS NULL OR msp_billing_workers < 1"
    )
