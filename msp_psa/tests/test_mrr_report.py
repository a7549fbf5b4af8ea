# Copyright 2026 msp_psa authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import fields
from odoo.tests import tagged

from .common import MspPsaCommon


@tagged("post_install", "-at_install")
class TestMrrReport(MspPsaCommon):
    def test_mrr_by_client_and_model(self):
        today = fields.Date.context_today(self.env["msp.agreement"])
        start = today.replace(day=1)
        fixed = self._create_agreement(
            date_start=start, fixed_fee=500.0, fee_product_id=self.product_fee.id
        )
        self._create_addition(fixed, quantity=12, included_quantity=2, price_unit=25.0)
        self._create_addition(
            fixed, self.product_setup, recurrence="one_time", price_unit=300
        )
        eur = self.setup_other_currency("EUR", rates=[("2000-01-01", 2.0)])
        per_device = self._create_agreement(
            partner_id=self.other_client.id,
            date_start=start,
            billing_model="per_device",
            currency_id=eur.id,
        )
        self._create_addition(
            per_device, self.product_device, quantity=10, price_unit=12.0
        )
        draft = self._create_agreement(date_start=start, fixed_fee=999.0)
        (fixed | per_device).action_activate()
        per_device.action_suspend()  # suspended agreements still count

        report = self.env["msp.mrr.report"]
        rows = report.search([("agreement_id", "in", (fixed | per_device | draft).ids)])
        self.assertEqual(len(rows), 3)  # fee + recurring addition + device addition
        by_client = {
            partner: total
            for partner, total in report._read_group(
                [("id", "in", rows.ids)], ["partner_id"], ["mrr:sum"]
            )
        }
        self.assertAlmostEqual(by_client[self.client], 750.0, places=2)
        # 120.00 EUR at 2 EUR per company-currency unit
        self.assertAlmostEqual(by_client[self.other_client], 60.0, places=2)
        by_model = dict(
            report._read_group([("id", "in", rows.ids)], ["billing_model"], ["arr:sum"])
        )
        self.assertAlmostEqual(by_model["fixed"], 9000.0, places=2)
        self.assertAlmostEqual(by_model["per_device"], 720.0, places=2)
