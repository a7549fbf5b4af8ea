# Copyright 2026 msp_psa authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import xmlrpc.client
from datetime import datetime, timedelta

from odoo.exceptions import AccessError
from odoo.tests import HttpCase, new_test_user, tagged
from odoo.tools import config

from odoo.addons.msp_psa.tools import movement


@tagged("post_install", "-at_install")
class TestDashboard(HttpCase):
    """The MSP home: every figure is the figure of the list its tile opens."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context={**cls.env.context, "tracking_disable": True})
        cls.manager = new_test_user(
            cls.env,
            login="msp_dash_manager",
            password="msp_dash_manager_pw",
            groups="msp_psa.group_msp_psa_manager,account.group_account_invoice,"
            "helpdesk_mgmt.group_helpdesk_manager,hr_timesheet.group_hr_timesheet_approver",
        )
        cls.portal = new_test_user(
            cls.env,
            login="msp_dash_portal",
            password="msp_dash_portal_pw",
            groups="base.group_portal",
        )
        client = cls.env["res.partner"].create(
            {"name": "Dashboard Dental", "is_company": True}
        )
        cls.ticket = cls.env["helpdesk.ticket"].create(
            {
                "name": "Dashboard tour server down",
                "description": "<p>Down</p>",
                "partner_id": client.id,
                "priority": "3",
                "msp_sla_start": datetime.now() - timedelta(days=10),
            }
        )

    def _data(self, user=None):
        return (
            self.env["msp.dashboard"]
            .with_user(user or self.manager)
            .get_dashboard_data()
        )

    def test_figures_are_the_lists_behind_them(self):
        self.env.cr.flush()
        data = self._data()
        tiles = {tile["key"]: tile for tile in data["tiles"]}
        self.assertTrue(
            {"mrr", "tickets", "leakage", "drafts", "utilisation"} <= set(tiles)
        )
        checked = 0
        for tile in data["tiles"]:
            for item in tile["items"]:
                action = item["action"]
                model = self.env[action["res_model"]].with_user(self.manager)
                if item["count"] is not False:
                    self.assertEqual(
                        item["count"],
                        model.search_count(action["domain"]),
                        f"{tile['key']}: {item['label']}",
                    )
                    checked += 1
        self.assertGreaterEqual(checked, 6)
        # the breached ticket is counted, and opened by its figure
        breached = tiles["tickets"]["items"][0]
        self.assertEqual(breached["label"], "Breached")
        self.assertIn(
            self.ticket,
            self.env["helpdesk.ticket"].search(breached["action"]["domain"]),
        )
        # MRR: this month's closing of the movement = the MRR report's total today
        Month = self.env["msp.mrr.month"]
        mrr = tiles["mrr"]
        this_month = movement.month_start(datetime.now().date())
        closing = sum(
            Month.search(
                [*mrr["items"][0]["action"]["domain"], ("month", "=", this_month)]
            ).mapped("closing_mrr")
        )
        report = sum(
            self.env["msp.mrr.report"]
            .search([("company_id", "=", self.env.company.id)])
            .mapped("mrr")
        )
        self.assertAlmostEqual(mrr["amount"], closing, places=2)
        self.assertAlmostEqual(mrr["amount"], report, places=2)
        self.assertEqual(len(mrr["trend"]), 12)
        self.assertEqual(mrr["trend"][-1]["value"], mrr["amount"])
        self.assertIn(self.env.company.currency_id.symbol, mrr["items"][0]["value"])
        # leakage: the queue's hours and amount at stake, one definition
        leakage = tiles["leakage"]
        lines = self.env["account.analytic.line"].search(
            leakage["items"][0]["action"]["domain"]
        )
        self.assertAlmostEqual(leakage["hours"], sum(lines.mapped("unit_amount")))
        self.assertAlmostEqual(
            leakage["amount"], sum(lines.mapped("msp_amount_at_stake")), places=2
        )

    def test_parts_not_installed_have_no_tile(self):
        keys = {tile["key"] for tile in self._data()["tiles"]}
        self.assertEqual(
            "margin" in keys, "msp.profitability.report" in self.env, "margin"
        )
        self.assertEqual(
            "renewals" in keys,
            "renewal_decision_date" in self.env["msp.agreement"]._fields,
            "renewals",
        )
        self.assertEqual(
            "usage_signals" in keys, "msp.usage.signal" in self.env, "usage signals"
        )

    def test_margin_tile_is_the_profitability_report(self):
        """The margin tile is this month's rows of the profitability report
        (the list it opens), and is absent for an MSP user the company keeps
        margins from."""
        tile = {t["key"]: t for t in self._data()["tiles"]}["margin"]
        action = tile["items"][0]["action"]
        rows = (
            self.env["msp.profitability.report"]
            .with_user(self.manager)
            .search(action["domain"])
        )
        self.assertAlmostEqual(tile["amount"], sum(rows.mapped("margin")), places=2)
        if not sum(rows.mapped("revenue")):
            self.assertEqual(tile["detail"], "No revenue this month yet: costs only")
        self.env.company.msp_margin_visible = False
        user = new_test_user(
            self.env,
            login="msp_dash_plain",
            groups="msp_psa.group_msp_psa_user",
        )
        keys = {t["key"] for t in self._data(user)["tiles"]}
        self.assertNotIn("margin", keys)
        self.assertIn("mrr", keys)

    def test_empty_states_in_words(self):
        tickets = {
            item["label"]: item
            for tile in self._data()["tiles"]
            if tile["key"] == "tickets"
            for item in tile["items"]
        }
        for item in tickets.values():
            self.assertEqual(bool(item["empty"]), not item["count"])

    def test_portal_user_cannot_call_it(self):
        with self.assertRaises(AccessError):
            self._data(self.portal)

    def _call(self, login, password):
        proxy = xmlrpc.client.ServerProxy(
            f"http://127.0.0.1:{config['http_port']}/xmlrpc/2/object", allow_none=True
        )
        uid = self.env["res.users"].search([("login", "=", login)]).id
        return proxy.execute_kw(
            self.env.cr.dbname, uid, password, "msp.dashboard", "get_dashboard_data", []
        )

    def test_over_xmlrpc(self):
        data = self._call("msp_dash_manager", "msp_dash_manager_pw")
        self.assertIn("mrr", [tile["key"] for tile in data["tiles"]])
        with self.assertRaises(xmlrpc.client.Fault) as cm:
            self._call("msp_dash_portal", "msp_dash_portal_pw")
        self.assertIn("The MSP dashboard is for MSP staff.", cm.exception.faultString)
        self.assertNotIn("Traceback", cm.exception.faultString)

    def test_dashboard_tour(self):
        self.start_tour("/odoo", "msp_psa_dashboard_tour", login="admin")
