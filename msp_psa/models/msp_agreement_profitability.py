# Copyright 2026 msp_psa authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""An agreement's analytic account (the books analysed per agreement) and its
margin as the profitability report computes it."""

from odoo import api, fields, models


# One concern per file, on purpose (issue 14): costs and profitability
# kept apart from the model's definition.
class MspAgreement(models.Model):
    _inherit = "msp.agreement"  # pylint: disable=consider-merging-classes-inherited

    msp_analytic_account_id = fields.Many2one(
        "account.analytic.account",
        string="Analytic Account",
        copy=False,
        readonly=True,
        index="btree_not_null",
        ondelete="restrict",
        help="Created with the agreement in the plan 'MSP Agreements': the invoices "
        "the billing engine creates and the vendor bills attributed to the "
        "agreement carry it.",
    )
    msp_margin_percent = fields.Float(
        string="Margin %",
        compute="_compute_msp_margin_percent",
        help="Margin ÷ revenue over the last 12 months (MSP > Reporting > "
        "Profitability).",
    )
    msp_margin_visible = fields.Boolean(compute="_compute_msp_margin_percent")

    @api.model_create_multi
    def create(self, vals_list):
        agreements = super().create(vals_list)
        agreements._msp_create_analytic_accounts()
        return agreements

    def _msp_create_analytic_accounts(self):
        """An analytic account in the plan 'MSP Agreements' for each agreement
        without one (one create for all)."""
        todo = self.filtered(lambda a: not a.msp_analytic_account_id)
        if not todo:
            return
        plan = self.env["account.analytic.plan"].sudo()._msp_agreement_plan()
        accounts = (
            self.env["account.analytic.account"]
            .sudo()
            .create(
                [
                    {
                        "name": agreement.display_name,
                        "code": agreement.name,
                        "plan_id": plan.id,
                        "partner_id": agreement.partner_id.commercial_partner_id.id,
                        "company_id": agreement.company_id.id,
                    }
                    for agreement in todo
                ]
            )
        )
        for agreement, account in zip(todo, accounts, strict=True):
            agreement.msp_analytic_account_id = account

    def _prepare_invoice_vals(self, due, lines, run=None):
        """The invoice lines carry the agreement's analytic account."""
        vals = super()._prepare_invoice_vals(due, lines, run=run)
        account = self.msp_analytic_account_id
        if account:
            for command in vals.get("invoice_line_ids", []):
                line = command[2]
                if line.get("display_type") in ("line_section", "line_note"):
                    continue
                if line.get("msp_agreement_id") == self.id:
                    line["analytic_distribution"] = {
                        **(line.get("analytic_distribution") or {}),
                        str(account.id): 100.0,
                    }
        return vals

    @api.depends_context("company")
    def _compute_msp_margin_percent(self):
        Report = self.env["msp.profitability.report"]
        visible = Report._msp_margins_visible()
        today = fields.Date.context_today(self)
        date_from = fields.Date.subtract(today.replace(day=1), months=11)
        figures = (
            Report._msp_figures(self, date_from, today) if visible and self.ids else {}
        )
        for agreement in self:
            agreement.msp_margin_visible = visible
            figure = figures.get(agreement.id)
            agreement.msp_margin_percent = (
                figure["margin_percent"] or 0.0 if figure else 0.0
            )

    def action_view_msp_profitability(self):
        self.ensure_one()
        action = self.env["msp.profitability.report"]._msp_action()
        action["domain"] = [("agreement_id", "=", self.id)]
        action["context"] = {"pivot_row_groupby": ["month:month"]}
        return action
