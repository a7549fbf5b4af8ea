# Copyright 2026 msp_psa authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import Command, fields
from odoo.tests import tagged

from ..tools import fast_path
from .common import MspPsaCommon


@tagged("post_install", "-at_install")
class TestInvoiceFastPath(MspPsaCommon):
    """The batched invoice creation builds exactly what account.move.create
    builds: same lines, amounts, tags, accounts and due dates, before and
    after posting."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Move = cls.env["account.move"]
        cls.gold = cls.setup_other_currency("EUR")
        cls.tax_included = cls.env["account.tax"].create(
            {
                "name": "VAT 21% incl.",
                "amount": 21.0,
                "amount_type": "percent",
                "type_tax_use": "sale",
                "price_include_override": "tax_included",
            }
        )
        cls.tax_fixed = cls.env["account.tax"].create(
            {
                "name": "Eco fee",
                "amount": 1.5,
                "amount_type": "fixed",
                "type_tax_use": "sale",
            }
        )
        cls.product_incl = cls._create_product(
            name="Backup (tax incl.)",
            lst_price=121.0,
            taxes_id=[Command.set(cls.tax_included.ids)],
        )
        cls.product_three = cls._create_product(
            name="Hardware",
            lst_price=99.99,
            taxes_id=[Command.set((cls.tax_sale_a + cls.tax_fixed).ids)],
        )
        cls.partner_a.property_account_position_id = cls.fiscal_pos_a
        # Tax report tags on every repartition line, so that the comparison
        # covers the tags each path puts on the base and tax lines.
        taxes = (
            cls.tax_sale_a
            | cls.tax_sale_b
            | cls.tax_included
            | cls.tax_fixed
            | cls.fiscal_pos_a.tax_ids.tax_dest_id
        )
        for tax in taxes | taxes.children_tax_ids:
            for document in ("invoice", "refund"):
                for rep in tax[f"{document}_repartition_line_ids"]:
                    rep.tag_ids = cls.env["account.account.tag"].create(
                        {
                            "name": f"Tag {rep.id} ({tax.name}, {document})",
                            "applicability": "taxes",
                            "country_id": tax.country_id.id,
                        }
                    )

    def _vals(self, move_type="out_invoice", currency=None, term=None, partner=None):
        quantity = 1 if move_type == "out_invoice" else 2
        return {
            "move_type": move_type,
            "partner_id": (partner or self.partner_a).id,
            "company_id": self.env.company.id,
            "currency_id": (currency or self.env.company.currency_id).id,
            "journal_id": self.journal.id,
            "invoice_date": fields.Date.to_date("2026-03-15"),
            "invoice_payment_term_id": (term or self.pay_terms_b).id,
            "invoice_origin": "AGR-1",
            "invoice_line_ids": [
                Command.create({"display_type": "line_section", "name": "March"}),
                Command.create(
                    {
                        "product_id": self.product_a.id,
                        "quantity": 3,
                        "price_unit": 333.33,
                    }
                ),
                Command.create(
                    {
                        "product_id": self.product_b.id,
                        "name": "Two taxes",
                        "quantity": quantity * 7,
                        "price_unit": 12.34,
                    }
                ),
                Command.create(
                    {
                        "product_id": self.product_incl.id,
                        "quantity": 5,
                        "price_unit": 121.0,
                    }
                ),
                Command.create(
                    {
                        "product_id": self.product_three.id,
                        "quantity": 2,
                        "price_unit": 99.99,
                    }
                ),
            ],
        }

    @staticmethod
    def _lines(move):
        def name(line):
            return (line.name or "").replace(move.name or "/", "<move>")

        return sorted(
            (
                line.display_type,
                line.account_id.code,
                name(line),
                line.product_id.id,
                line.quantity,
                line.price_unit,
                line.currency_id.name,
                line.amount_currency,
                line.balance,
                line.debit,
                line.credit,
                tuple(line.tax_ids.ids),
                tuple(sorted(line.tax_tag_ids.ids)),
                line.tax_repartition_line_id.id,
                line.tax_line_id.id,
                line.tax_base_amount,
                line.group_tax_id.id,
                str(line.date_maturity),
                line.partner_id.id,
                line.sequence if line.display_type != "tax" else 0,
                line.price_subtotal,
                line.price_total,
                line.amount_residual,
                line.tax_tag_invert,
            )
            for line in move.line_ids
        )

    def _assert_same(self, vals):
        normal = self.Move.create([dict(vals)])
        fast = self.Move._msp_create_fast([dict(vals)])
        self.assertEqual(fast.state, "draft")
        self.assertEqual(self._lines(fast), self._lines(normal))
        # What is stored, not only what is cached, is the same.
        self.env.flush_all()
        self.env.invalidate_all()
        self.assertEqual(self._lines(fast), self._lines(normal))
        for fname in (
            "amount_untaxed",
            "amount_tax",
            "amount_total",
            "amount_total_signed",
            "amount_residual",
            "invoice_date_due",
            "fiscal_position_id",
            "invoice_currency_rate",
        ):
            self.assertEqual(fast[fname], normal[fname], fname)
        (normal + fast).action_post()
        self.assertEqual(self._lines(fast), self._lines(normal))
        self.assertEqual(fast.amount_residual, normal.amount_residual)
        return normal, fast

    def test_invoice_foreign_currency_fiscal_position_installments(self):
        normal, fast = self._assert_same(self._vals(currency=self.gold))
        # The cases the comparison covers are really there.
        self.assertEqual(fast.currency_id, self.gold)
        self.assertEqual(fast.fiscal_position_id, self.fiscal_pos_a)
        terms = fast.line_ids.filtered(lambda line: line.display_type == "payment_term")
        self.assertEqual(
            sorted(str(d) for d in terms.mapped("date_maturity")),
            ["2026-03-15", "2026-04-30"],
        )
        # product_b's two taxes both map to tax_sale_b under fiscal_pos_a.
        self.assertEqual(
            fast.line_ids.filtered("tax_line_id").tax_line_id,
            self.tax_sale_b + self.tax_included + self.tax_fixed,
        )
        product_a_line = fast.line_ids.filtered(
            lambda l: l.product_id == self.product_a
        )
        self.assertEqual(product_a_line.tax_ids, self.tax_sale_b)  # mapped
        self.assertEqual(
            product_a_line.account_id, self.product_b.property_account_income_id
        )
        # 1 EUR = 2 USD (test rates): balance is half the amount in currency.
        self.assertAlmostEqual(
            product_a_line.balance, product_a_line.amount_currency / 2, places=2
        )
        self.assertEqual(normal.amount_total, fast.amount_total)

    def test_credit_note_company_currency(self):
        self._assert_same(self._vals("out_refund", partner=self.client))

    def test_no_payment_terms(self):
        vals = dict(self._vals(partner=self.client), invoice_payment_term_id=False)
        _normal, fast = self._assert_same(vals)
        receivable = fast.line_ids.filtered(
            lambda line: line.display_type == "payment_term"
        )
        self.assertEqual(len(receivable), 1)
        self.assertEqual(receivable.balance, fast.amount_total_signed)

    def test_group_of_taxes(self):
        vals = self._vals(partner=self.client)
        vals["invoice_line_ids"].append(
            Command.create(
                {
                    "product_id": self.product_fee.id,
                    "quantity": 1,
                    "price_unit": 1000.0,
                    "tax_ids": [Command.set(self.tax_armageddon.ids)],
                }
            )
        )
        self._assert_same(vals)

    def test_batch_keeps_order_and_each_invoice_apart(self):
        self.env["ir.config_parameter"].set_param(fast_path.SWITCH_PARAM, "1")
        early = self.env["account.payment.term"].create(
            {
                "name": "2/10 net 30",
                "early_discount": True,
                "discount_percentage": 2.0,
                "discount_days": 10,
                "line_ids": [
                    Command.create(
                        {"value": "percent", "value_amount": 100, "nb_days": 30}
                    )
                ],
            }
        )
        vals_list = [
            self._vals(partner=self.client),
            self._vals(term=early, partner=self.client),  # normal path
            self._vals("out_refund", currency=self.gold),
        ]
        moves = self.Move._msp_create_invoices(vals_list)
        self.assertEqual(
            moves.mapped("move_type"), ["out_invoice", "out_invoice", "out_refund"]
        )
        self.assertEqual(moves[1].invoice_payment_term_id, early)
        self.assertTrue(
            moves[1]
            .line_ids.filtered(lambda l: l.display_type == "payment_term")
            .discount_date
        )
        reference = self.Move.create(vals_list)
        for move, ref in zip(moves, reference, strict=True):
            self.assertEqual(self._lines(move), self._lines(ref))

    def test_unsupported_take_the_normal_path(self):
        Move = self.Move
        early = self.env["account.payment.term"].create(
            {
                "name": "2/10 net 30",
                "early_discount": True,
                "discount_percentage": 2.0,
                "discount_days": 10,
                "line_ids": [
                    Command.create(
                        {"value": "percent", "value_amount": 100, "nb_days": 30}
                    )
                ],
            }
        )
        rounding = self.env["account.cash.rounding"].create(
            {
                "name": "0.05",
                "rounding": 0.05,
                "strategy": "add_invoice_line",
                "profit_account_id": self.company_data["default_account_revenue"].id,
                "loss_account_id": self.company_data["default_account_expense"].id,
            }
        )
        self.assertTrue(Move._msp_fast_path_supports(self._vals()))
        self.assertFalse(Move._msp_fast_path_supports(self._vals(term=early)))
        self.assertFalse(
            Move._msp_fast_path_supports(
                dict(self._vals(), invoice_cash_rounding_id=rounding.id)
            )
        )
        self.assertTrue(
            Move._msp_fast_path_supports(
                dict(self._vals(), invoice_payment_term_id=False)
            )
        )
        self.assertFalse(
            Move._msp_fast_path_supports(dict(self._vals(), move_type="in_invoice"))
        )
        self.assertFalse(
            fast_path.supported("out_invoice", False, False, ["percent", "code"])
        )
        self.assertTrue(
            fast_path.supported("out_refund", False, False, ["percent", "division"])
        )

    def test_switch_on_by_default_off_by_parameter(self):
        self.assertTrue(self.Move._msp_fast_path_enabled())
        self.env["ir.config_parameter"].set_param(fast_path.SWITCH_PARAM, "0")
        self.assertFalse(self.Move._msp_fast_path_enabled())
        self.assertFalse(fast_path.switch_on("0"))
        self.assertFalse(fast_path.switch_on(""))
        self.assertTrue(fast_path.switch_on(" True "))
