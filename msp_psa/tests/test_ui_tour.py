# Copyright 2026 msp_psa authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from datetime import date, datetime, timedelta

from odoo import Command
from odoo.tests import HttpCase, tagged


@tagged("post_install", "-at_install")
class TestUiTour(HttpCase):
    """The back office in a real browser: the MSP app, an agreement, its preview."""

    def test_backend_tour(self):
        env = self.env
        client = env["res.partner"].create({"name": "Tour Dental", "is_company": True})
        fee = env["product.product"].create(
            {"name": "Tour fee", "type": "service", "list_price": 500.0}
        )
        seat = env["product.product"].create(
            {"name": "Tour seat", "type": "service", "list_price": 25.0}
        )
        agreement = env["msp.agreement"].create(
            {
                "title": "Tour Dental IT",
                "partner_id": client.id,
                "date_start": date.today().replace(day=1),
                "fixed_fee": 500.0,
                "fee_product_id": fee.id,
                "addition_ids": [
                    Command.create(
                        {"product_id": seat.id, "quantity": 12, "included_quantity": 2}
                    )
                ],
            }
        )
        agreement.action_activate()
        self.start_tour("/odoo", "msp_psa_backend_tour", login="admin")

    def test_sla_and_leakage_tour(self):
        env = self.env
        policy = env["msp.sla.policy"].create(
            {
                "name": "Tour 24x7",
                "line_ids": [
                    Command.create(
                        {"priority": "1", "response_hours": 1, "resolution_hours": 4}
                    )
                ],
            }
        )
        env.company.msp_sla_policy_id = policy
        client = env["res.partner"].create(
            {"name": "Tour Prospect", "is_company": True}
        )
        project = env["project.project"].create({"name": "Tour support"})
        ticket = env["helpdesk.ticket"].create(
            {
                "name": "Tour firewall down",
                "description": "<p>Down</p>",
                "partner_id": client.id,
                "project_id": project.id,
                "msp_sla_start": datetime.now() - timedelta(days=2),
            }
        )
        self.assertEqual(ticket.msp_sla_state, "breached")
        env["account.analytic.line"].create(
            {
                "name": "Tour: restarted the firewall",
                "ticket_id": ticket.id,
                "project_id": project.id,
                "unit_amount": 1.0,
                "employee_id": env["hr.employee"].create({"name": "Tour tech"}).id,
            }
        )
        self.start_tour("/odoo", "msp_psa_sla_tour", login="admin")

    def test_revenue_check_tour(self):
        env = self.env
        company = env.company
        deferred = env["account.account"].create(
            {
                "name": "Tour Deferred Revenue",
                "code": "TOUR2391",
                "account_type": "liability_current",
            }
        )
        journal = env["account.journal"].search(
            [("type", "=", "general"), ("company_id", "=", company.id)], limit=1
        )
        company.write(
            {
                "msp_deferred_revenue_account_id": deferred.id,
                "msp_revenue_journal_id": journal.id,
                "msp_revenue_method": "monthly",
            }
        )
        client = env["res.partner"].create({"name": "Tour Annual", "is_company": True})
        today = date.today()
        invoice = env["account.move"].create(
            {
                "move_type": "out_invoice",
                "partner_id": client.id,
                "invoice_date": today,
                "invoice_line_ids": [
                    Command.create(
                        {
                            "name": "Annual support",
                            "quantity": 1,
                            "price_unit": 1200.0,
                            "tax_ids": [],
                            "start_date": today.replace(day=1),
                            "end_date": today.replace(day=1) + timedelta(days=364),
                        }
                    )
                ],
            }
        )
        invoice.action_post()
        line = invoice.invoice_line_ids
        self.assertEqual(line.account_id, deferred)
        self.assertEqual(len(invoice.msp_revenue_schedule_ids), 1)
        self.start_tour("/odoo", "msp_psa_revenue_tour", login="admin")
