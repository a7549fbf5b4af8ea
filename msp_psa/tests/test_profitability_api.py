# Copyright 2026 msp_psa authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import xmlrpc.client
from datetime import date

from odoo import Command
from odoo.tests import HttpCase, new_test_user, tagged
from odoo.tools import config

RPC_FAULT_CODE_WARNING = 2


@tagged("post_install", "-at_install")
class TestProfitabilityApi(HttpCase):
    """Margins over real XML-RPC: an MSP user without accounting rights reads
    none unless the company allows it; an accountant reads them and cannot
    write; bad input to the check and the cost rate wizard is refused with a
    message naming the value."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        env = cls.env(context={**cls.env.context, "tracking_disable": True})
        cls.env = env
        cls.company = env.company
        cls.company.msp_margin_visible = False
        cls.msp_user = new_test_user(
            env,
            login="msp_margin_user",
            password="msp_margin_user_pw",
            groups="msp_psa.group_msp_psa_user",
        )
        cls.accountant = new_test_user(
            env,
            login="msp_margin_accountant",
            password="msp_margin_accountant_pw",
            groups="base.group_user,account.group_account_readonly",
        )
        client = env["res.partner"].create({"name": "Margin Dental", "is_company": 1})
        product = env["product.product"].create(
            {"name": "Margin seat", "type": "service", "list_price": 30.0}
        )
        cls.agreement = env["msp.agreement"].create(
            {"title": "Margin IT", "partner_id": client.id, "date_start": "2026-01-01"}
        )
        cls.addition = env["msp.agreement.addition"].create(
            {
                "agreement_id": cls.agreement.id,
                "product_id": product.id,
                "quantity": 2,
                "price_unit": 30.0,
                "cost_unit": 11.0,
                "date_start": "2026-01-01",
            }
        )
        cls.agreement.action_activate()
        invoice = env["account.move"].create(
            {
                "move_type": "out_invoice",
                "partner_id": client.id,
                "invoice_date": "2026-01-05",
                "invoice_line_ids": [
                    Command.create(
                        {
                            "product_id": product.id,
                            "quantity": 2,
                            "price_unit": 30.0,
                            "tax_ids": [Command.clear()],
                            "analytic_distribution": {
                                str(cls.agreement.msp_analytic_account_id.id): 100
                            },
                        }
                    )
                ],
            }
        )
        invoice.action_post()
        env["msp.profitability.report"]._msp_refresh()
        cls.employee = env["hr.employee"].create({"name": "Margin Tech"})

    def _call(self, user, model, method, args, kwargs=None):
        proxy = xmlrpc.client.ServerProxy(
            f"http://127.0.0.1:{config['http_port']}/xmlrpc/2/object", allow_none=True
        )
        return proxy.execute_kw(
            self.env.cr.dbname,
            user.id,
            f"{user.login}_pw",
            model,
            method,
            args,
            kwargs or {},
        )

    def _rows(self, user):
        return self._call(
            user,
            "msp.profitability.report",
            "search_read",
            [[("agreement_id", "=", self.agreement.id)]],
            {"fields": ["month", "revenue", "margin"]},
        )

    def test_margins_over_rpc(self):
        self.assertEqual(self._rows(self.msp_user), [])
        with self.assertRaises(xmlrpc.client.Fault) as cm:
            self._call(self.msp_user, "msp.employee.cost.rate", "search_read", [[]])
        self.assertIn("not allowed", cm.exception.faultString)
        with self.assertRaises(xmlrpc.client.Fault) as cm:
            self._call(
                self.msp_user, "msp.agreement.addition.cost", "search_read", [[]]
            )
        self.assertIn("not allowed", cm.exception.faultString)
        rows = self._rows(self.accountant)
        january = [row for row in rows if row["month"] == "2026-01-01"]
        self.assertEqual(len(january), 1)
        self.assertEqual(january[0]["revenue"], 60.0)
        self.assertEqual(january[0]["margin"], 38.0)  # 60 − 2 × 11
        with self.assertRaises(xmlrpc.client.Fault):
            self._call(
                self.accountant,
                "msp.profitability.report",
                "write",
                [[january[0]["id"]], {"revenue": 1.0}],
            )
        self.company.msp_margin_visible = True
        self.env.flush_all()  # the server reads the database
        self.assertEqual(len(self._rows(self.msp_user)), len(rows))

    def test_bad_input_is_refused(self):
        manager = new_test_user(
            self.env,
            login="msp_margin_manager",
            password="msp_margin_manager_pw",
            groups="msp_psa.group_msp_psa_manager",
        )
        table = [
            (
                "msp.profitability.check",
                {"date_from": "2026-02-30", "date_to": "2026-03-31"},
                'Profitability check start: "2026-02-30" is not a date (YYYY-MM-DD).',
            ),
            (
                "msp.profitability.check",
                {"date_from": "2026-03-01", "date_to": "2026-02-01"},
                (
                    "Profitability check: the period ends (1 Feb 2026) before it "
                    "starts (1 Mar 2026)."
                ),
            ),
            (
                "msp.profitability.check",
                {"company_id": "twelve"},
                'Profitability check company: "twelve" is not a record id.',
            ),
            (
                "msp.cost.rate.wizard",
                {
                    "employee_id": self.employee.id,
                    "date_from": "soon",
                    "hourly_cost": 50,
                },
                'Cost rate date: "soon" is not a date (YYYY-MM-DD).',
            ),
        ]
        for model, vals, message in table:
            count = self.env[model].search_count([])
            with self.subTest(model=model, vals=vals):
                with self.assertRaises(xmlrpc.client.Fault) as cm:
                    self._call(manager, model, "create", [vals])
                fault = cm.exception
                self.assertEqual(fault.faultCode, RPC_FAULT_CODE_WARNING)
                self.assertEqual(fault.faultString, message)
                self.assertEqual(self.env[model].search_count([]), count)
        # A negative cost is refused, nothing written.
        wizard_id = self._call(
            manager,
            "msp.cost.rate.wizard",
            "create",
            [
                {
                    "employee_id": self.employee.id,
                    "date_from": "2026-01-01",
                    "hourly_cost": -5,
                }
            ],
        )
        with self.assertRaises(xmlrpc.client.Fault) as cm:
            self._call(manager, "msp.cost.rate.wizard", "action_confirm", [[wizard_id]])
        self.assertEqual(
            cm.exception.faultString, "The hourly cost cannot be negative (-5.0)."
        )
        self.assertFalse(self.employee.msp_cost_rate_ids)
        # Valid input: the check runs for the manager.
        check_id = self._call(
            manager,
            "msp.profitability.check",
            "create",
            [{"date_from": "2026-01-01", "date_to": "2026-01-31"}],
        )
        self._call(manager, "msp.profitability.check", "action_check", [[check_id]])
        check = self.env["msp.profitability.check"].browse(check_id)
        self.assertEqual(check.report_revenue, 60.0)
        self.assertTrue(check.reconciled)
        self.assertEqual(date(2026, 1, 1), check.date_from)
