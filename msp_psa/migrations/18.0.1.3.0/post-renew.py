# Copyright 2026 msp_psa authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""From 18.0.1.2.0: the renewals queue's stored fields on existing agreements.

Odoo computes the new stored fields (``renewal_term_end``,
``renewal_decision_date``, ``renewal_bucket``, ``renewal_status``) when it
adds their columns; the company settings get their defaults
(``msp_renewal_steps`` "90,60,30", growth 20 %, block burn 7 days). What a
compute cannot know is filled here: agreements whose decision date already
passed undecided show as lapsed, and the buckets are those of today. No
reminder is given here: the nightly action gives them, once per step."""

from odoo import SUPERUSER_ID, api, fields


def migrate(cr, version):
    if not version:
        return
    env = api.Environment(cr, SUPERUSER_ID, {})
    cr.execute(
        "UPDATE res_company SET msp_renewal_steps = '90,60,30'"
        " WHERE msp_renewal_steps IS NULL"
    )
    today = fields.Date.context_today(env["msp.agreement"])
    agreements = env["msp.agreement"].search([])
    # in case the columns existed already (a re-run): recompute them all
    for fname in ("renewal_term_end", "renewal_decision_date", "renewal_status"):
        env.add_to_compute(env["msp.agreement"]._fields[fname], agreements)
    env.flush_all()
    cr.execute(
        """
        UPDATE msp_agreement SET renewal_status = 'lapsed'
         WHERE state IN ('active', 'suspended')
           AND renewal_status IN ('to_review', 'proposal_sent')
           AND renewal_decision_date < %s
        """,
        [today],
    )
    env["msp.agreement"].invalidate_model(["renewal_status"])
    env["msp.agreement"]._refresh_renewal_buckets(today)
