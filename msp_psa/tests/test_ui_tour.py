# Copyright 2026 msp_psa authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from datetime import date

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
