# Copyright 2026 msp_psa authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).


def migrate(cr, version):
    """From 18.0.1.3.0: a month of a revenue schedule reads its client,
    agreement, product and accounts through its schedule (joined by the ORM)
    instead of storing copies of them; the copies' columns go. Its company
    and its posting date stay stored, now written when the month is created
    and when it is posted (they were related fields: their values are
    already right)."""
    if not version:
        return
    cr.execute(
        """
        ALTER TABLE msp_revenue_schedule_line
            DROP COLUMN IF EXISTS partner_id,
            DROP COLUMN IF EXISTS agreement_id,
            DROP COLUMN IF EXISTS product_id,
            DROP COLUMN IF EXISTS income_account_id,
            DROP COLUMN IF EXISTS deferred_account_id
        """
    )
