# Copyright 2026 msp_psa authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from datetime import date
from unittest.mock import patch

from freezegun import freeze_time

from odoo.exceptions import UserError
from odoo.tests import tagged
from odoo.tools import mute_logger

from odoo.addons.msp_psa.models.msp_agreement_billing import MspAgreement

from .common import MspPsaCommon


@tagged("post_install", "-at_install")
class TestBillingRunErrors(MspPsaCommon):
    """What the daily run does with a failure a user can fix, with a
    programming error, and that renewals are not one of its steps."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Run = cls.env["msp.billing.run"]

    def _agreement(self, **vals):
        agreement = self._create_agreement(
            **{"fixed_fee": 500.0, "fee_product_id": self.product_fee.id, **vals}
        )
        agreement.action_activate()
        return agreement

    def _cron(self, day="2026-01-01"):
        with freeze_time(day):
            # as the scheduler runs it: as the system
            self.Run.sudo()._cron_generate_invoices()
        return self._cron_run(day)

    def _cron_run(self, day):
        return self.Run.search(
            [
                ("date", "=", day),
                ("trigger", "=", "cron"),
                ("company_id", "=", self.env.company.id),
            ]
        )

    def _failing(self, bad, error):
        original = MspAgreement._prepare_invoice_vals

        def failing(agreement, due, lines, run=None):
            if agreement == bad:
                raise error
            return original(agreement, due, lines, run)

        return patch.object(MspAgreement, "_prepare_invoice_vals", failing)

    def test_user_error_logged_others_invoiced_run_done(self):
        good = self._agreement()
        bad = self._agreement(partner_id=self.other_client.id)
        with self._failing(bad, UserError("Set the client's tax ID")):
            run = self._cron()
        self.assertEqual(run.state, "done")
        self.assertEqual(run.invoice_ids.msp_agreement_id, good)
        self.assertEqual(run.issue_ids.agreement_id, bad)
        self.assertEqual(run.issue_ids.level, "error")
        self.assertEqual(run.issue_ids.message, "Set the client's tax ID")
        self.assertIn("Set the client's tax ID", bad.message_ids[0].body)
        self.assertFalse(bad.period_ids)
        self.assertEqual(bad.next_period_start, date(2026, 1, 1))

    def test_programming_error_fails_loudly_then_retried(self):
        good = self._agreement()
        bad = self._agreement(partner_id=self.other_client.id)
        # Not Odoo's assertRaises, which rolls back to a savepoint: the run and
        # its note stay, as the commits of a real cron call keep them.
        raised = None
        with (
            self._failing(bad, ZeroDivisionError("division by zero")),
            mute_logger("odoo.addons.msp_psa.models.msp_billing_run"),
        ):
            try:
                self._cron()
            except ZeroDivisionError as error:
                raised = error
        self.assertIsInstance(raised, ZeroDivisionError, "the cron call fails")
        run = self._cron_run("2026-01-01")
        # Nothing of the batch is written: neither invoice, period nor issue.
        self.assertEqual(run.state, "running")
        self.assertFalse(run.invoice_ids)
        self.assertFalse(run.issue_ids)
        self.assertFalse((good | bad).period_ids)
        self.assertEqual(good.invoice_count, 0)
        self.assertEqual(bad.next_period_start, date(2026, 1, 1))
        self.assertIn("ZeroDivisionError", run.message_ids[0].body)
        # Fixed: the next call goes on with the same run and bills each once.
        again = self._cron()
        self.assertEqual(again, run)
        self.assertEqual(run.state, "done")
        self.assertEqual(run.invoice_ids.msp_agreement_id, good | bad)
        self.assertFalse(run.issue_ids)
        self._cron()
        self.env.invalidate_all()  # the counts read above, before the invoices
        self.assertEqual(good.invoice_count, 1)
        self.assertEqual(bad.invoice_count, 1)

    def test_programming_error_in_invoice_now_is_raised(self):
        bad = self._agreement()
        with (
            self._failing(bad, ZeroDivisionError("division by zero")),
            freeze_time("2026-01-01"),
            self.assertRaises(ZeroDivisionError),
        ):
            self.Run._run_agreements(bad)
        self.assertFalse(bad.period_ids)

    def test_billing_cron_does_not_renew(self):
        renewing = self._agreement(term_months=12)
        self.assertEqual(renewing.date_end, date(2026, 12, 31))
        self._cron("2027-01-05")
        self.assertEqual(renewing.date_end, date(2026, 12, 31))
        self.assertEqual(renewing.state, "active")
        with freeze_time("2027-01-05"):
            self.env["msp.agreement"]._cron_process_renewals()
        self.assertEqual(renewing.date_end, date(2027, 12, 31))
        # one entry: the renewal cron, which the billing cron does not call
        renewal_cron = self.env.ref("msp_psa.ir_cron_process_renewals")
        self.assertTrue(renewal_cron.active)
        self.assertIn("_cron_process_renewals", renewal_cron.code)
        self.assertNotIn(
            "renewal", self.env.ref("msp_psa.ir_cron_generate_invoices").code
        )
