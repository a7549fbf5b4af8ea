# Copyright 2026 msp_psa authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Profitability per agreement and month: a monthly table refreshed
incrementally (measured against an SQL view of the same query in the bench's
``profitability`` shape: the table is what the pivot reads).

One number, one definition: the pivot, the graph, the agreement form's margin
button, the dashboard's margin tile (``_msp_margin_summary``) and the
reconciliation check all read this table, through ``_msp_figures``."""

from contextlib import contextmanager

from odoo import api, fields, models
from odoo.tools import SQL

from ..models.msp_agreement import BILLING_MODELS
from ..tools import profitability as profit_tools

# Income accounts (revenue) and cost of sales (vendor bills) in the books.
INCOME_TYPES = ("income", "income_other")
COST_TYPES = ("expense_direct_cost",)
LAST_REFRESH = "msp_psa.profitability_refreshed_at"

# Move lines attributed to agreements through their analytic distribution:
# one row per (line, agreement), the agreement's share of the line's balance.
ATTRIBUTED_LINES = """
    SELECT agr.id AS agreement_id, aml.id AS line_id,
           date_trunc('month', aml.date)::date AS month,
           acc.account_type, aml.product_id, aml.company_id,
           aml.balance * d.pct::numeric / 100.0 AS amount,
           d.pct::numeric < 100 AS allocated
      FROM account_move_line aml
      JOIN account_account acc ON acc.id = aml.account_id
     CROSS JOIN LATERAL jsonb_each_text(aml.analytic_distribution) d(key, pct)
     CROSS JOIN LATERAL unnest(string_to_array(d.key, ',')) k(account)
      JOIN msp_agreement agr ON agr.msp_analytic_account_id = k.account::int
     WHERE aml.parent_state = 'posted'
       AND aml.analytic_distribution IS NOT NULL
       AND acc.account_type IN ('income', 'income_other', 'expense_direct_cost')
"""


class MspProfitabilityReport(models.Model):
    """One row per agreement and month, in company currency."""

    _name = "msp.profitability.report"
    _description = "MSP Agreement Profitability"
    _inherit = ["msp.ratio.report.mixin"]
    _order = "month desc, agreement_id"
    _rec_name = "agreement_id"
    _ratio_fields = {"margin_percent": ("margin", "revenue")}

    agreement_id = fields.Many2one(
        "msp.agreement", readonly=True, index=True, ondelete="cascade"
    )
    month = fields.Date(readonly=True, index=True)
    company_id = fields.Many2one("res.company", readonly=True, index=True)
    currency_id = fields.Many2one("res.currency", readonly=True)
    partner_id = fields.Many2one("res.partner", string="Client", readonly=True)
    user_id = fields.Many2one("res.users", string="Account Manager", readonly=True)
    billing_model = fields.Selection(BILLING_MODELS, readonly=True)
    revenue = fields.Monetary(readonly=True)
    revenue_allocated = fields.Monetary(
        readonly=True,
        help="Revenue of invoice lines split across agreements (a percentage of "
        "the line), rather than billed to this agreement alone.",
    )
    labour_hours = fields.Float(string="Hours Worked", readonly=True)
    labour_cost = fields.Monetary(readonly=True)
    addition_cost = fields.Monetary(readonly=True)
    bill_cost = fields.Monetary(string="Vendor Bills", readonly=True)
    non_labour_cost = fields.Monetary(readonly=True)
    cost = fields.Monetary(string="Costs", readonly=True)
    margin = fields.Monetary(readonly=True)
    margin_percent = fields.Float(string="Margin %", readonly=True, aggregator="avg")
    effective_rate = fields.Monetary(
        string="Effective Hourly Rate",
        readonly=True,
        aggregator="avg",
        help="(Revenue − non-labour costs) ÷ hours worked.",
    )
    uncosted_hours = fields.Float(string="Hours Without Cost Rate", readonly=True)
    review_hours = fields.Float(string="Undecided or Leaked Hours", readonly=True)
    uncosted_additions = fields.Integer(string="Additions Without Cost", readonly=True)

    def _read_group_select(self, aggregate_spec, query):
        """The effective hourly rate of a group is its (revenue − non-labour
        costs) ÷ its hours, never an average of the rows' rates."""
        if aggregate_spec.split(":")[0] == "effective_rate":
            return SQL(
                "ROUND(((SUM(%s) - SUM(%s)) / NULLIF(SUM(%s), 0))::numeric, 2)::float",
                self._field_to_sql(self._table, "revenue", query),
                self._field_to_sql(self._table, "non_labour_cost", query),
                self._field_to_sql(self._table, "labour_hours", query),
            )
        return super()._read_group_select(aggregate_spec, query)

    @api.depends("agreement_id", "month")
    def _compute_display_name(self):
        for row in self:
            row.display_name = self.env._(
                "%(agreement)s, %(month)s",
                agreement=row.agreement_id.display_name or "",
                month=row.month.strftime("%b %Y") if row.month else "",
            )

    def init(self):
        self.env.cr.execute(
            """CREATE UNIQUE INDEX IF NOT EXISTS msp_profitability_report_key
               ON msp_profitability_report (agreement_id, month)"""
        )

    # ------------------------------------------------------------------
    # Access: margins are for accountants, and for MSP users when the
    # company allows it (record rules say the same for reads over RPC)
    # ------------------------------------------------------------------
    @api.model
    def _msp_margins_visible(self):
        user = self.env.user
        return (
            self.env.su
            or user.has_group("account.group_account_readonly")
            or user.has_group("account.group_account_invoice")
            or user.has_group("msp_psa.group_msp_psa_manager")
            or (
                user.has_group("msp_psa.group_msp_psa_user")
                and self.env.company.msp_margin_visible
            )
        )

    # ------------------------------------------------------------------
    # The query (one definition)
    # ------------------------------------------------------------------
    @api.model
    def _msp_rows_query(self, agreement_ids=None):
        """SQL of the rows, for the given agreements (None: all).

        Each source is read once, filtered by agreement through its own
        index, and the facts are added up in one GROUP BY (no join between
        intermediate results, whose sizes the planner cannot know)."""

        def only(column):
            if agreement_ids is None:
                return SQL("")
            return SQL("AND %s = ANY(%s)", SQL(column), list(agreement_ids))

        return SQL(
            """
WITH moves AS (%(attributed)s %(only_moves)s),
bought AS (
    SELECT DISTINCT agreement_id, month, product_id FROM moves
     WHERE account_type = 'expense_direct_cost' AND product_id IS NOT NULL
),
addition_months AS (
    SELECT ad.id AS addition_id, ad.agreement_id, ad.product_id,
           m.month::date AS month,
           GREATEST(m.month::date, ad.date_start) AS first_day,
           LEAST((m.month + interval '1 month - 1 day')::date,
                 COALESCE(ad.date_end, 'infinity'::date)) AS last_day,
           EXTRACT(DAY FROM m.month + interval '1 month - 1 day') AS month_days,
           ad.recurrence, ad.quantity
      FROM msp_agreement_addition ad
      JOIN msp_agreement a ON a.id = ad.agreement_id
     CROSS JOIN LATERAL generate_series(
           date_trunc('month', ad.date_start),
           CASE WHEN ad.recurrence = 'one_time' THEN date_trunc('month', ad.date_start)
                ELSE date_trunc('month', LEAST(
                    COALESCE(ad.date_end, CURRENT_DATE), CURRENT_DATE,
                    CASE WHEN a.auto_renew THEN NULL ELSE a.date_end END))
           END,
           interval '1 month') m(month)
     WHERE ad.date_start IS NOT NULL %(only_additions)s
),
facts AS (
    SELECT agreement_id, month,
           CASE WHEN account_type IN ('income', 'income_other')
                THEN -amount ELSE 0 END AS revenue,
           CASE WHEN account_type IN ('income', 'income_other') AND allocated
                THEN -amount ELSE 0 END AS revenue_allocated,
           CASE WHEN account_type = 'expense_direct_cost'
                THEN amount ELSE 0 END AS bill_cost,
           0 AS hours, 0 AS labour_cost, 0 AS uncosted, 0 AS review,
           0 AS addition_cost, 0 AS uncosted_additions
      FROM moves
     UNION ALL
    SELECT l.msp_agreement_id, date_trunc('month', l.date)::date, 0, 0, 0,
           l.unit_amount, -l.amount,
           CASE WHEN l.amount = 0 THEN l.unit_amount ELSE 0 END,
           CASE WHEN l.msp_to_review THEN l.unit_amount ELSE 0 END,
           0, 0
      FROM account_analytic_line l
     WHERE l.project_id IS NOT NULL AND l.msp_agreement_id IS NOT NULL
           %(only_time)s
     UNION ALL
    SELECT am.agreement_id, am.month, 0, 0, 0, 0, 0, 0, 0,
           CASE WHEN am.recurrence = 'one_time' THEN q.quantity * c.cost
                ELSE q.quantity * c.cost * (am.last_day - am.first_day + 1)
                     / am.month_days END,
           CASE WHEN COALESCE(c.cost, 0) = 0 THEN 1 ELSE 0 END
      FROM addition_months am
     CROSS JOIN LATERAL (
           SELECT COALESCE((
               SELECT h.quantity_new FROM msp_agreement_addition_quantity h
                WHERE h.addition_id = am.addition_id AND h.date <= am.last_day
                ORDER BY h.date DESC, h.id DESC LIMIT 1), am.quantity) AS quantity) q
     CROSS JOIN LATERAL (
           SELECT COALESCE((
               SELECT k.cost_unit FROM msp_agreement_addition_cost k
                WHERE k.addition_id = am.addition_id AND k.date_from <= am.last_day
                ORDER BY k.date_from DESC, k.id DESC LIMIT 1), 0) AS cost) c
      LEFT JOIN bought b
        ON b.agreement_id = am.agreement_id AND b.month = am.month
       AND b.product_id = am.product_id
     WHERE am.last_day >= am.first_day AND b.agreement_id IS NULL
)
SELECT f.agreement_id, f.month, a.company_id, c.currency_id, a.partner_id,
       a.user_id, a.billing_model,
       ROUND(SUM(f.revenue)::numeric, cur.decimal_places) AS revenue,
       ROUND(SUM(f.revenue_allocated)::numeric, cur.decimal_places)
           AS revenue_allocated,
       SUM(f.hours) AS labour_hours,
       ROUND(SUM(f.labour_cost)::numeric, cur.decimal_places) AS labour_cost,
       ROUND((SUM(f.addition_cost) * CASE
           WHEN a.currency_id = c.currency_id THEN 1.0
           ELSE COALESCE((
               SELECT r.rate FROM res_currency_rate r
                WHERE r.currency_id = c.currency_id
                  AND (r.company_id = c.id OR r.company_id IS NULL)
                ORDER BY r.name DESC LIMIT 1), 1.0)
              / COALESCE((
               SELECT r.rate FROM res_currency_rate r
                WHERE r.currency_id = a.currency_id
                  AND (r.company_id = c.id OR r.company_id IS NULL)
                ORDER BY r.name DESC LIMIT 1), 1.0)
           END)::numeric, cur.decimal_places) AS addition_cost,
       ROUND(SUM(f.bill_cost)::numeric, cur.decimal_places) AS bill_cost,
       SUM(f.uncosted) AS uncosted_hours,
       SUM(f.review) AS review_hours,
       SUM(f.uncosted_additions) AS uncosted_additions
  FROM facts f
  JOIN msp_agreement a ON a.id = f.agreement_id
  JOIN res_company c ON c.id = a.company_id
  JOIN res_currency cur ON cur.id = c.currency_id
 WHERE a.state != 'draft'
 GROUP BY f.agreement_id, f.month, a.id, c.id, cur.id
""",
            attributed=SQL(ATTRIBUTED_LINES),
            only_moves=only("agr.id"),
            only_additions=only("ad.agreement_id"),
            only_time=only("l.msp_agreement_id"),
        )

    @contextmanager
    def _msp_no_jit(self):
        """PostgreSQL's JIT compiles this query for seconds (its estimates of
        the analytic distribution's rows are far too high) to save
        milliseconds: off for the query, as it was after."""
        cr = self.env.cr
        cr.execute("SELECT current_setting('jit')")
        previous = cr.fetchone()[0]
        cr.execute("SELECT set_config('jit', 'off', true)")
        try:
            yield
        finally:
            cr.execute(SQL("SELECT set_config('jit', %s, true)", previous))

    @api.model
    def _msp_refresh(self, agreement_ids=None):
        """Rebuild the rows of the given agreements (None: all) in two
        statements: delete, then insert from the query."""
        for model in (
            "account.move.line",
            "account.analytic.line",
            "msp.agreement",
            "msp.agreement.addition",
            "msp.agreement.addition.quantity",
            "msp.agreement.addition.cost",
        ):
            self.env[model].flush_model()
        cr = self.env.cr
        if agreement_ids is None:
            cr.execute("DELETE FROM msp_profitability_report")
        elif agreement_ids:
            cr.execute(
                SQL(
                    "DELETE FROM msp_profitability_report WHERE agreement_id = ANY(%s)",
                    list(agreement_ids),
                )
            )
        else:
            return
        with self._msp_no_jit():
            self._msp_insert_rows(agreement_ids)
        self.invalidate_model()
        # To the microsecond: what is written from this transaction's time on
        # is picked up by the next incremental refresh.
        self.env["ir.config_parameter"].sudo().set_param(
            LAST_REFRESH, str(self._msp_db_now())
        )

    @api.model
    def _msp_insert_rows(self, agreement_ids):
        self.env.cr.execute(
            SQL(
                """
INSERT INTO msp_profitability_report (
    agreement_id, month, company_id, currency_id, partner_id, user_id,
    billing_model, revenue, revenue_allocated, labour_hours, labour_cost,
    addition_cost, bill_cost, uncosted_hours, review_hours, uncosted_additions,
    non_labour_cost, cost, margin, margin_percent, effective_rate,
    create_uid, create_date, write_uid, write_date)
SELECT r.agreement_id, r.month, r.company_id, r.currency_id, r.partner_id,
       r.user_id, r.billing_model, r.revenue, r.revenue_allocated,
       r.labour_hours, r.labour_cost, r.addition_cost, r.bill_cost,
       r.uncosted_hours, r.review_hours, r.uncosted_additions,
       r.addition_cost + r.bill_cost,
       r.labour_cost + r.addition_cost + r.bill_cost,
       r.revenue - r.labour_cost - r.addition_cost - r.bill_cost,
       CASE WHEN r.revenue != 0 THEN ROUND(100.0 * (r.revenue - r.labour_cost
            - r.addition_cost - r.bill_cost) / r.revenue, 2) END,
       CASE WHEN r.labour_hours != 0 THEN ROUND((r.revenue - r.addition_cost
            - r.bill_cost) / r.labour_hours::numeric, 2) END,
       %(uid)s, now() AT TIME ZONE 'UTC', %(uid)s, now() AT TIME ZONE 'UTC'
  FROM (%(rows)s) r
""",
                uid=self.env.uid,
                rows=self._msp_rows_query(agreement_ids),
            )
        )

    @api.model
    def _msp_db_now(self):
        self.env.cr.execute("SELECT now() AT TIME ZONE 'UTC'")
        return self.env.cr.fetchone()[0]

    @api.model
    def _msp_refresh_incremental(self):
        """Rebuild the agreements whose facts changed since the last refresh
        (invoices and bills, time, additions, their quantities and costs),
        written at or after the last refresh's transaction time: one query
        finds them. The first refresh, and the nightly one, rebuild all
        (deleted time leaves no trace to find)."""
        last = self.env["ir.config_parameter"].sudo().get_param(LAST_REFRESH)
        if not last:
            self._msp_refresh()
            return
        for model in ("account.move.line", "account.analytic.line"):
            self.env[model].flush_model()
        with self._msp_no_jit():
            ids = self._msp_find_changed(last)
        self._msp_refresh(ids)

    @api.model
    def _msp_find_changed(self, last):
        self.env.cr.execute(
            SQL(
                """
SELECT DISTINCT x.agreement_id FROM (
    SELECT agreement_id FROM (%(attributed)s AND aml.write_date >= %(last)s) t
    UNION SELECT msp_agreement_id FROM account_analytic_line
           WHERE write_date >= %(last)s AND msp_agreement_id IS NOT NULL
    UNION SELECT id FROM msp_agreement WHERE write_date >= %(last)s
    UNION SELECT agreement_id FROM msp_agreement_addition WHERE write_date >= %(last)s
    UNION SELECT agreement_id FROM msp_agreement_addition_quantity
           WHERE write_date >= %(last)s
    UNION SELECT agreement_id FROM msp_agreement_addition_cost
           WHERE write_date >= %(last)s
) x WHERE x.agreement_id IS NOT NULL
""",
                attributed=SQL(ATTRIBUTED_LINES),
                last=SQL("%s::timestamp", last),
            )
        )
        return [row[0] for row in self.env.cr.fetchall()]

    @api.model
    def _cron_refresh(self):
        """Nightly: costs dated today come into force (technicians' hourly
        cost, additions' unit cost), then the whole table is rebuilt."""
        self.env["msp.employee.cost.rate"]._cron_sync_hourly_cost()
        self.env["msp.agreement.addition.cost"]._cron_sync_cost_unit()
        self._msp_refresh()

    # ------------------------------------------------------------------
    # Readers
    # ------------------------------------------------------------------
    @api.model
    def _msp_figures(self, agreements, date_from, date_to):
        """{agreement id: {revenue, cost, margin, margin_percent, hours,
        effective_rate}} over the months of ``date_from``..``date_to``, from
        the (refreshed) table: what the pivot shows for the same months."""
        self.sudo()._msp_refresh_incremental()
        groups = (
            self.sudo()
            .with_context(active_test=False)
            ._read_group(
                [
                    ("agreement_id", "in", agreements.ids),
                    ("month", ">=", date_from.replace(day=1)),
                    ("month", "<=", date_to),
                ],
                ["agreement_id"],
                [
                    "revenue:sum",
                    "cost:sum",
                    "non_labour_cost:sum",
                    "labour_hours:sum",
                ],
            )
        )
        return {
            agreement.id: self._msp_figure_vals(revenue, cost, non_labour, hours)
            for agreement, revenue, cost, non_labour, hours in groups
        }

    @api.model
    def _msp_figure_vals(self, revenue, cost, non_labour, hours):
        return {
            "revenue": revenue,
            "cost": cost,
            "margin": profit_tools.margin(revenue, cost),
            "margin_percent": profit_tools.margin_percent(revenue, cost),
            "hours": hours,
            "effective_rate": profit_tools.effective_hourly_rate(
                revenue, non_labour, hours
            ),
        }

    @api.model
    def _msp_margin_summary(self, date_from, date_to, company=None):
        """The dashboard's margin tile: {revenue, cost, margin, margin_percent,
        currency_id} of the company's agreements over the months of
        ``date_from``..``date_to`` (company currency; empty figures when the
        user may not see margins)."""
        company = company or self.env.company
        date_from = fields.Date.to_date(date_from)
        date_to = fields.Date.to_date(date_to)
        if not self._msp_margins_visible():
            return {
                "revenue": 0.0,
                "cost": 0.0,
                "margin": 0.0,
                "margin_percent": None,
                "currency_id": company.currency_id.id,
            }
        self.sudo()._msp_refresh_incremental()
        [(revenue, cost)] = self._read_group(
            [
                ("company_id", "=", company.id),
                ("month", ">=", date_from.replace(day=1)),
                ("month", "<=", date_to),
            ],
            aggregates=["revenue:sum", "cost:sum"],
        )
        revenue, cost = revenue or 0.0, cost or 0.0
        return {
            "revenue": revenue,
            "cost": cost,
            "margin": profit_tools.margin(revenue, cost),
            "margin_percent": profit_tools.margin_percent(revenue, cost),
            "currency_id": company.currency_id.id,
        }

    @api.model
    def _msp_action(self):
        return self.env["ir.actions.act_window"]._for_xml_id(
            "msp_psa.msp_profitability_report_action"
        )

    @api.model
    def action_msp_open(self):
        """MSP > Reporting > Profitability: refresh what changed, then open."""
        self.sudo()._msp_refresh_incremental()
        return self._msp_action()

    def action_msp_refresh(self):
        self.sudo()._msp_refresh()
        return self._msp_action()
