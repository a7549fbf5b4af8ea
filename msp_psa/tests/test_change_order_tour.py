# Copyright 2026 msp_psa authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import fields
from odoo.tests import HttpCase, tagged


@tagged("post_install", "-at_install")
class TestChangeOrderTour(HttpCase):
    """In a real browser, portal_contoso (the demo's Margaret Chen) accepts
    and signs the change order waiting for her; effective today, it is
    applied at once: three Per-User Support seats from today."""

    def test_portal_contoso_signs(self):
        change = self.env.ref(
            "msp_psa.agreement_change_contoso_demo", raise_if_not_found=False
        )
        if not change:
            self.skipTest("demo data not installed")
        self.assertEqual(change.state, "sent")
        agreement = change.agreement_id
        today = fields.Date.context_today(change)
        change.date_effective = today
        additions = agreement.addition_ids
        self.start_tour("/my", "msp_change_order_tour", login="portal_contoso")
        self.env.invalidate_all()
        self.assertEqual(change.state, "applied")
        self.assertEqual(change.signed_by, "Margaret Chen")
        self.assertTrue(change.signature)
        added = agreement.addition_ids - additions
        self.assertEqual(
            added.product_id, self.env.ref("msp_psa.product_user_support_demo")
        )
        self.assertEqual(added.quantity, 3)
        self.assertEqual(added.date_start, today)
        self.assertEqual(agreement.mrr, change.mrr_after)
