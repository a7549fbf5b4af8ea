# Copyright 2026 msp_psa authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""From 18.0.1.1.0: the hours of every timesheet line split by the way they are
billed (tools/hours.py), filled in SQL before the update so that Odoo does not
recompute millions of lines one by one; prepaid and overage hours never left
empty."""

from odoo.tools.sql import column_exists, create_column

SPLIT_COLUMNS = (
    "msp_covered_hours",
    "msp_billable_hours",
    "msp_non_billable_hours",
    "msp_undecided_hours",
)


def migrate(cr, version):
    if not version:
        return
    _fill_settle_from(cr)
    cr.execute(
        """
        UPDATE account_analytic_line
           SET msp_prepaid_hours = COALESCE(msp_prepaid_hours, 0),
               msp_overage_hours = COALESCE(msp_overage_hours, 0)
         WHERE msp_prepaid_hours IS NULL OR msp_overage_hours IS NULL
        """
    )
    if all(column_exists(cr, "account_analytic_line", c) for c in SPLIT_COLUMNS):
        return
    for column in SPLIT_COLUMNS:
        if not column_exists(cr, "account_analytic_line", column):
            create_column(cr, "account_analytic_line", column, "float8")
    # The same rule as tools/hours.py split_hours: a leak is all undecided;
    # covered and non-billable lines are all that; a billable line is what is
    # left after the block's prepaid and overage hours.
    cr.execute(
        """
        UPDATE account_analytic_line
           SET msp_undecided_hours =
                   CASE WHEN msp_to_review THEN unit_amount ELSE 0 END,
               msp_covered_hours =
                   CASE WHEN NOT COALESCE(msp_to_review, FALSE)
                         AND msp_billing_decision = 'covered'
                        THEN unit_amount ELSE 0 END,
               msp_non_billable_hours =
                   CASE WHEN NOT COALESCE(msp_to_review, FALSE)
                         AND msp_billing_decision = 'non_billable'
                        THEN unit_amount ELSE 0 END,
               msp_billable_hours =
                   CASE WHEN NOT COALESCE(msp_to_review, FALSE)
                         AND msp_billing_decision = 'billable'
                        THEN ROUND((unit_amount - msp_prepaid_hours
                                    - msp_overage_hours)::numeric, 6)
                        ELSE 0 END
        """
    )


def _fill_settle_from(cr):
    """The next invoice settles the billed past from the first day an addition
    changed since its agreement was last invoiced: billing used to find that
    day from the audit columns (a quantity logged, an addition written since the
    last billed period was created); it is now stored on the addition
    (``settle_from``) where a billed fact changes. Fill it from the same audit
    columns, so that the next run settles exactly what it would have settled."""
    if not column_exists(cr, "msp_agreement_addition", "settle_from"):
        create_column(cr, "msp_agreement_addition", "settle_from", "date")
    cr.execute(
        """
        WITH billed AS (
            SELECT agreement_id, MAX(create_date) AS billed_at
              FROM msp_agreement_period
             GROUP BY agreement_id
        ), changes AS (
            SELECT q.addition_id, q.date AS day
              FROM msp_agreement_addition_quantity q
              JOIN msp_agreement_addition ad ON ad.id = q.addition_id
              JOIN billed b ON b.agreement_id = ad.agreement_id
             WHERE q.create_date >= b.billed_at
             UNION ALL
            SELECT ad.id, LEAST(ad.date_start, ad.date_end + 1)
              FROM msp_agreement_addition ad
              JOIN billed b ON b.agreement_id = ad.agreement_id
             WHERE ad.write_date >= b.billed_at
        )
        UPDATE msp_agreement_addition ad
           SET settle_from = c.day
          FROM (SELECT addition_id, MIN(day) AS day
                  FROM changes GROUP BY addition_id) c
         WHERE c.addition_id = ad.id
        """
    )
