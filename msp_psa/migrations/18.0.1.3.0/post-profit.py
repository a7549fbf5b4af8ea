# Copyright 2026 msp_psa authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""From 18.0.1.2.0 (profitability, issue 14): each agreement gets its analytic
account in the plan 'MSP Agreements', and the lines the billing engine made
for it (and their revenue schedules) carry it; each technician with an hourly
cost gets a dated rate from their first logged time (so no line is re-costed);
each addition's unit cost is logged from its effective date."""

from odoo import SUPERUSER_ID, api

BATCH = 1000


def migrate(cr, version):
    if not version:
        return
    env = api.Environment(cr, SUPERUSER_ID, {"tracking_disable": True})
    agreements = (
        env["msp.agreement"]
        .with_context(active_test=False)
        .search([("msp_analytic_account_id", "=", False)])
    )
    agreements._msp_create_analytic_accounts()
    env.flush_all()
    # Invoice lines and schedules: the account in their distribution.
    cr.execute(
        """
        UPDATE account_move_line aml
           SET analytic_distribution = COALESCE(aml.analytic_distribution,
                   '{}'::jsonb)
               || jsonb_build_object(a.msp_analytic_account_id::text, 100)
          FROM msp_agreement a
         WHERE a.id = aml.msp_agreement_id
           AND aml.display_type = 'product'
           AND a.msp_analytic_account_id IS NOT NULL
        RETURNING aml.id
        """
    )
    line_ids = [row[0] for row in cr.fetchall()]
    lines = env["account.move.line"].browse(line_ids)
    for start in range(0, len(line_ids), BATCH):
        batch = lines[start : start + BATCH]
        # The analytic lines of posted entries follow the distribution.
        batch.invalidate_recordset()
        batch._inverse_analytic_distribution()
    cr.execute(
        """
        UPDATE msp_revenue_schedule s
           SET analytic_distribution = aml.analytic_distribution
          FROM account_move_line aml
         WHERE aml.id = s.move_line_id AND aml.id = ANY(%s)
        """,
        [line_ids],
    )
    # Technicians: the hourly cost of today is a rate since their first time.
    cr.execute(
        """
        INSERT INTO msp_employee_cost_rate
               (employee_id, company_id, date_from, hourly_cost,
                create_uid, create_date, write_uid, write_date)
        SELECT e.id, e.company_id,
               COALESCE((SELECT MIN(l.date) FROM account_analytic_line l
                          WHERE l.employee_id = e.id), CURRENT_DATE),
               e.hourly_cost, 1, now(), 1, now()
          FROM hr_employee e
         WHERE COALESCE(e.hourly_cost, 0) > 0
           AND NOT EXISTS (SELECT 1 FROM msp_employee_cost_rate r
                            WHERE r.employee_id = e.id)
        """
    )
    # Additions: their unit cost from their effective date.
    cr.execute(
        """
        INSERT INTO msp_agreement_addition_cost
               (addition_id, agreement_id, company_id, date_from, cost_unit,
                create_uid, create_date, write_uid, write_date)
        SELECT ad.id, ad.agreement_id, ad.company_id, ad.date_start,
               COALESCE(ad.cost_unit, 0), 1, now(), 1, now()
          FROM msp_agreement_addition ad
         WHERE ad.date_start IS NOT NULL
           AND NOT EXISTS (SELECT 1 FROM msp_agreement_addition_cost c
                            WHERE c.addition_id = ad.id)
        """
    )
    env["msp.profitability.report"]._msp_refresh()
