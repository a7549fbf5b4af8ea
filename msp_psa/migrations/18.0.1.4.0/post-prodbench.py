# Copyright 2026 msp_psa authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).


def migrate(cr, version):
    """Billing workers' rows get a query count: rows of runs billed before the
    upgrade did not count theirs, so they say 0 rather than nothing."""
    if not version:
        return
    cr.execute(
        "UPDATE msp_billing_run_worker SET query_count = 0 WHERE query_count IS NULL"
    )
