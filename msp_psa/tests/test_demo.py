# Copyright 2026 msp_psa authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from datetime import date

from odoo import fields
from odoo.tests import TransactionCase, tagged

DEMO_TICKETS = [
    f"msp_psa.ticket_{name}_demo"
    for name in (
        "contoso_vpn",
        "contoso_onboarding",
        "contoso_printer",
        "fabrikam_cnc",
        "fabrikam_erp",
        "harbor_wifi",
        "acme",
        "northwind",
        "bluebird",
    )
]


@tagged("post_install", "-at_install")
class TestDemo(TransactionCase):
    """The demo tells its story: every billing model runs, counts match the items.

    make test installs the demo data, so a demo that breaks fails here.
    """

    def setUp(self):
        super().setUp()
        if not self.env.ref("msp_psa.agreement_acme_demo", raise_if_not_found=False):
            self.skipTest("demo data not installed")

    def test_every_billing_model_runs(self):
        demo = self.env["msp.agreement"].search(
            [
                (
                    "id",
                    "in",
                    [
                        self.env.ref(f"msp_psa.agreement_{c}_demo").id
                        for c in (
                            "acme",
                            "northwind",
                            "contoso",
                            "fabrikam",
                            "bluebird",
                            "harbor",
                        )
                    ],
                )
            ]
        )
        running = demo.filtered(lambda a: a.state == "active")
        self.assertEqual(
            set(running.mapped("billing_model")),
            {"fixed", "per_device", "per_user", "block_hours", "time_materials"},
        )
        self.assertEqual(len(running.partner_id), 5)
        self.assertTrue(all(a.mrr > 0 for a in running))

    def test_counted_additions_match_items(self):
        today = fields.Date.context_today(self.env["msp.agreement"])
        counted = self.env["msp.agreement.addition"].search(
            [("quantity_source", "=", "counted")]
        )
        self.assertTrue(counted)
        for addition in counted:
            in_service = self.env["msp.managed.item"].search_count(
                [
                    ("partner_id", "=", addition.partner_id.id),
                    ("kind_id", "=", addition.kind_id.id),
                    ("company_id", "=", addition.company_id.id),
                    ("is_current", "=", True),
                ]
            )
            self.assertEqual(addition.quantity, in_service, addition.display_name)
            self.assertEqual(addition._get_quantity_at(today), in_service)
            self.assertEqual(addition._get_quantity_at(date(1990, 1, 1)), 0.0)

    def test_tickets_run_an_sla_clock_and_time_is_decided(self):
        tickets = self.env["helpdesk.ticket"].search(
            [("id", "in", [self.env.ref(x).id for x in DEMO_TICKETS])]
        )
        self.assertEqual(len(tickets), len(DEMO_TICKETS))
        mapped = tickets.filtered("msp_agreement_id")
        self.assertEqual(
            tickets - mapped, self.env.ref("msp_psa.ticket_harbor_wifi_demo")
        )
        for ticket in tickets:
            self.assertTrue(ticket.msp_sla_policy_id, ticket.name)
            self.assertNotEqual(ticket.msp_sla_state, "none", ticket.name)
        self.assertEqual(
            self.env.ref("msp_psa.ticket_fabrikam_erp_demo").msp_sla_policy_id,
            self.env.ref("msp_psa.sla_policy_premium_demo"),
        )
        self.assertTrue(
            self.env.ref("msp_psa.ticket_contoso_printer_demo").msp_sla_paused
        )
        clients = (
            self.env["msp.agreement"].search([("state", "=", "active")]).partner_id
        )
        self.assertLessEqual(clients, tickets.commercial_partner_id, "every client")
        lines = tickets.timesheet_ids
        self.assertTrue(lines)
        self.assertTrue(all(line.msp_billing_decision for line in lines))
        contoso = self.env.ref("msp_psa.ticket_contoso_vpn_demo").timesheet_ids
        self.assertEqual(set(contoso.mapped("msp_billing_decision")), {"prepaid"})
        leaks = self.env["account.analytic.line"].search([("msp_to_review", "=", True)])
        self.assertIn(
            self.env.ref("msp_psa.ticket_harbor_wifi_timesheet_1_demo"), leaks
        )
        self.assertFalse(leaks & lines.filtered("msp_agreement_id"))
        self.assertEqual(
            self.env["msp.sla.report"].search_count([("ticket_id", "in", tickets.ids)]),
            len(tickets),
        )

    def test_agreement_smart_buttons(self):
        contoso = self.env.ref("msp_psa.agreement_contoso_demo")
        tickets = self.env["helpdesk.ticket"].search(
            [("msp_agreement_id", "=", contoso.id)]
        )
        self.assertEqual(contoso.ticket_count, len(tickets))
        self.assertGreaterEqual(contoso.ticket_count, 3)
        action = contoso.action_view_tickets()
        self.assertEqual(self.env["helpdesk.ticket"].search(action["domain"]), tickets)
        backup = self.env.ref("msp_psa.agreement_bluebird_backup_demo")
        self.assertEqual(backup.revenue_schedule_count, 1)
        action = backup.action_view_revenue_schedules()
        schedule = self.env["msp.revenue.schedule"].search(action["domain"])
        self.assertEqual(schedule.agreement_id, backup)
        self.assertEqual(contoso.revenue_schedule_count, 0)
