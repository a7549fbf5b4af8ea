# Copyright 2026 msp_psa authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Vendor bill lines for MSP products (products of agreement additions)
attributed to an agreement through their analytic distribution."""

from collections import defaultdict

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL


# One concern per file, on purpose (issue 14): costs and profitability
# kept apart from the model's definition.
class AccountMoveLine(models.Model):
    _inherit = "account.move.line"  # pylint: disable=consider-merging-classes-inherited

    msp_client_id = fields.Many2one(
        "res.partner",
        string="MSP Client",
        index="btree_not_null",
        domain=[("is_company", "=", True)],
        help="On a vendor bill line: the client this purchase is for, to suggest "
        "the agreement it is attributed to.",
    )
    msp_suggested_agreement_id = fields.Many2one(
        "msp.agreement",
        string="Suggested Agreement",
        compute="_compute_msp_suggested_agreement_id",
        help="The only running agreement with an addition of this product (of the "
        "MSP client, when given).",
    )

    @api.depends("product_id", "msp_client_id")
    def _compute_msp_suggested_agreement_id(self):
        candidates = self._msp_agreements_by_product()
        for line in self:
            agreements = candidates.get(line.product_id.id, [])
            if line.msp_client_id:
                client = line.msp_client_id.commercial_partner_id
                agreements = [a for a in agreements if a.partner_id == client]
            line.msp_suggested_agreement_id = (
                agreements[0] if len(agreements) == 1 else False
            )

    def _msp_agreements_by_product(self):
        """{product id: [agreements not draft nor cancelled with an addition of
        it]}: one read for all the lines."""
        products = self.product_id
        result = defaultdict(list)
        if not products:
            return result
        groups = (
            self.env["msp.agreement.addition"]
            .sudo()
            ._read_group(
                [
                    ("product_id", "in", products.ids),
                    ("agreement_id.state", "in", ("active", "suspended", "expired")),
                ],
                ["product_id", "agreement_id"],
            )
        )
        for product, agreement in groups:
            result[product.id].append(agreement)
        return result

    @api.model
    def _msp_unattributed_bill_line_ids(
        self, company=None, date_from=None, date_to=None
    ):
        """Posted vendor bill lines of MSP products carrying no agreement's
        analytic account: one query."""
        company = company or self.env.company
        where = [SQL("am.company_id = %s", company.id)]
        if date_from:
            where.append(SQL("aml.date >= %s", date_from))
        if date_to:
            where.append(SQL("aml.date <= %s", date_to))
        self.flush_model()
        self.env.cr.execute(
            SQL(
                """
SELECT aml.id FROM account_move_line aml
  JOIN account_move am ON am.id = aml.move_id
 WHERE am.move_type IN ('in_invoice', 'in_refund') AND am.state = 'posted'
   AND aml.display_type = 'product'
   AND aml.product_id IN (SELECT product_id FROM msp_agreement_addition)
   AND NOT EXISTS (
       SELECT 1 FROM jsonb_object_keys(COALESCE(aml.analytic_distribution,
                                                '{}'::jsonb)) k(key)
        CROSS JOIN LATERAL unnest(string_to_array(k.key, ',')) a(account)
         JOIN msp_agreement ag ON ag.msp_analytic_account_id = a.account::int)
   AND %s
""",
                SQL(" AND ").join(where),
            )
        )
        return [row[0] for row in self.env.cr.fetchall()]

    @api.model
    def action_msp_unattributed_bill_lines(self):
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("MSP Bill Lines to Attribute"),
            "res_model": "account.move.line",
            "view_mode": "list",
            "views": [
                (
                    self.env.ref(
                        "msp_psa.account_move_line_view_tree_msp_attribution"
                    ).id,
                    "list",
                )
            ],
            "domain": [("id", "in", self._msp_unattributed_bill_line_ids())],
            "help": self.env._(
                "<p>Every vendor bill line for an MSP product is attributed to an "
                "agreement.</p>"
            ),
        }

    def action_msp_attribute_suggested(self):
        """Attribute each selected line to its suggested agreement (its analytic
        account, 100 %, added to the line's distribution)."""
        without = self.filtered(lambda line: not line.msp_suggested_agreement_id)
        if without:
            raise UserError(
                self.env._(
                    "No agreement to suggest for %(lines)s: set the MSP client on "
                    "the line, or attribute it by hand in its analytic distribution.",
                    lines=", ".join(without.mapped("display_name")[:5]),
                )
            )
        for line in self:
            agreement = line.msp_suggested_agreement_id
            agreement._msp_create_analytic_accounts()
            line.analytic_distribution = {
                **(line.analytic_distribution or {}),
                str(agreement.msp_analytic_account_id.id): 100.0,
            }
        return True
