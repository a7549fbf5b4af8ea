# Copyright 2026 msp_psa authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).


def migrate(cr, version):
    """Companies that existed before recognition entries were cut in bounded
    batches get the default maximum of 500 lines per entry."""
    if not version:
        return
    cr.execute(
        """
        UPDATE res_company
           SET msp_revenue_entry_max_lines = 500
         WHERE msp_revenue_entry_max_lines IS NULL
            OR msp_revenue_entry_max_lines < 2
        """
    )
