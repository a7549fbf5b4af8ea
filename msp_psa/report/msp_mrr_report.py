# Copyright 2026 msp_psa authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import fields, models

from ..models.msp_agreement import BILLING_MODELS, STATES


class MspMrrReport(models.Model):
    """Monthly recurring revenue of running agreements.

    In company currency, as of today.

    One row per fixed fee, block of hours (per month) and recurring addition in
    service today, of active and suspended agreements: the components the
    agreement's ``mrr`` adds up (``tools/mrr.py``). Amounts in another
    currency are converted at the company's latest rate.
    """

    _name = "msp.mrr.report"
    _description = "MSP Monthly Recurring Revenue"
    _auto = False
    _rec_name = "agreement_id"
    _order = "mrr desc"
    # What the query reads: flushed before the report is searched.
    _depends = {
        "msp.agreement": [
            "partner_id",
            "user_id",
            "company_id",
            "currency_id",
            "billing_model",
            "billing_cycle",
            "state",
            "active",
            "date_start",
            "date_end",
            "auto_renew",
            "fixed_fee",
            "fee_product_id",
            "mrr_block",
            "block_product_id",
        ],
        "msp.agreement.addition": [
            "agreement_id",
            "product_id",
            "kind_id",
            "quantity",
            "monthly_amount",
            "cost_unit",
            "recurrence",
            "date_start",
            "date_end",
        ],
        "res.currency.rate": ["rate", "name", "currency_id", "company_id"],
    }

    agreement_id = fields.Many2one("msp.agreement", readonly=True)
    partner_id = fields.Many2one("res.partner", string="Client", readonly=True)
    user_id = fields.Many2one("res.users", string="Account Manager", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    currency_id = fields.Many2one("res.currency", readonly=True)
    billing_model = fields.Selection(BILLING_MODELS, readonly=True)
    billing_cycle = fields.Selection(
        [
            ("monthly", "Monthly"),
            ("quarterly", "Quarterly"),
            ("semi_annual", "Semi-annual"),
            ("annual", "Annual"),
        ],
        readonly=True,
    )
    state = fields.Selection(STATES, readonly=True)
    line_type = fields.Selection(
        [("fee", "Fixed fee"), ("block", "Block of hours"), ("addition", "Addition")],
        readonly=True,
    )
    product_id = fields.Many2one("product.product", readonly=True)
    kind_id = fields.Many2one(
        "msp.managed.item.kind", string="Counted Kind", readonly=True
    )
    quantity = fields.Float(readonly=True)
    mrr = fields.Monetary(string="MRR", readonly=True)
    arr = fields.Monetary(string="ARR", readonly=True)
    monthly_cost = fields.Monetary(readonly=True)

    @property
    def _table_query(self):
        return """
            WITH lines AS (
                SELECT a.id AS agreement_id, 'fee' AS line_type,
                       a.fee_product_id AS product_id,
                       NULL::integer AS kind_id, 1.0 AS quantity,
                       a.fixed_fee AS amount, 0.0 AS cost
                  FROM msp_agreement a
                 WHERE a.fixed_fee > 0
                 UNION ALL
                SELECT a.id, 'block',
                       COALESCE(a.block_product_id, a.fee_product_id),
                       NULL::integer, 1.0,
                       a.mrr_block, 0.0
                  FROM msp_agreement a
                 WHERE a.mrr_block > 0
                 UNION ALL
                SELECT ad.agreement_id, 'addition', ad.product_id, ad.kind_id,
                       ad.quantity,
                       ad.monthly_amount, ad.quantity * ad.cost_unit
                  FROM msp_agreement_addition ad
                 WHERE ad.recurrence = 'recurring'
                   AND ad.date_start <= CURRENT_DATE
                   AND (ad.date_end IS NULL OR ad.date_end >= CURRENT_DATE)
            )
            SELECT row_number() OVER (
                       ORDER BY l.agreement_id, l.line_type, l.product_id
                   ) AS id,
                   l.agreement_id, a.partner_id, a.user_id, a.company_id, c.currency_id,
                   a.billing_model, a.billing_cycle, a.state, l.line_type,
                   l.product_id, l.kind_id,
                   l.quantity,
                   l.amount * rate.factor AS mrr,
                   12 * l.amount * rate.factor AS arr,
                   l.cost * rate.factor AS monthly_cost
              FROM lines l
              JOIN msp_agreement a ON a.id = l.agreement_id
              JOIN res_company c ON c.id = a.company_id
              CROSS JOIN LATERAL (
                  SELECT CASE WHEN a.currency_id = c.currency_id THEN 1.0
                         ELSE COALESCE((
                              SELECT r.rate FROM res_currency_rate r
                               WHERE r.currency_id = c.currency_id
                                 AND (r.company_id = c.id OR r.company_id IS NULL)
                                 AND r.name <= CURRENT_DATE
                               ORDER BY r.name DESC, r.company_id NULLS LAST
                               LIMIT 1), 1.0)
                            / COALESCE((
                              SELECT r.rate FROM res_currency_rate r
                               WHERE r.currency_id = a.currency_id
                                 AND (r.company_id = c.id OR r.company_id IS NULL)
                                 AND r.name <= CURRENT_DATE
                               ORDER BY r.name DESC, r.company_id NULLS LAST
                               LIMIT 1), 1.0)
                         END AS factor
              ) rate
             WHERE a.state IN ('active', 'suspended') AND a.active
               AND a.date_start <= CURRENT_DATE
               AND (a.date_end IS NULL OR a.date_end >= CURRENT_DATE OR a.auto_renew)
        """
