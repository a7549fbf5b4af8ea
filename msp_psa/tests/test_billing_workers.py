# Copyright 2026 msp_psa authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from unittest.mock import patch

from freezegun import freeze_time

from odoo.exceptions import ValidationError
from odoo.tests import tagged
from odoo.tools import mute_logger

from odoo.addons.msp_psa.models.msp_billing_run import MspBillingRun

from .common import MspPsaCommon

DAY = "2026-01-01"


@tagged("post_install", "-at_install")
class TestBillingWorkers(MspPsaCommon):
    """The nightly run spread over worker crons: the setting, the crons that
    follow it, a run shared by two workers, a worker failing mid-batch."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Run = cls.env["msp.billing.run"]
        cls.agreements = cls.env["msp.agreement"]
        partners = cls.env["res.partner"].create(
            [{"name": f"Worker client {i}", "is_company": True} for i in range(5)]
        )
        for partner in partners:
            agreement = cls._create_agreement(
                partner_id=partner.id,
                fixed_fee=100.0 + partner.id % 7,
                fee_product_id=cls.product_fee.id,
            )
            agreement.action_activate()
            cls.agreements |= agreement

    def _worker_crons(self):
        return {
            worker: cron
            for worker, cron in self.Run._worker_crons().items()
            if cron.active
        }

    def _cron_run(self):
        return self.Run.search(
            [
                ("date", "=", DAY),
                ("trigger", "=", "cron"),
                ("company_id", "=", self.env.company.id),
            ]
        )

    def test_setting_validated(self):
        company = self.env.company
        self.assertEqual(company.msp_billing_workers, 1)
        for bad in (0, -1, 17):
            with self.assertRaisesMsg(
                ValidationError,
                rf"between 1 and 16 \({company.name}: {bad}\)",
            ):
                company.msp_billing_workers = bad
        settings = self.env["res.config.settings"].create({"msp_billing_workers": 16})
        settings.execute()
        self.assertEqual(company.msp_billing_workers, 16)

    def test_crons_follow_setting(self):
        self.assertEqual(self._worker_crons(), {}, "one worker: the main cron only")
        self.env.company.msp_billing_workers = 3
        crons = self._worker_crons()
        self.assertEqual(sorted(crons), [1, 2, 3])
        self.assertEqual(crons[2].name, "MSP: billing worker 2")
        self.assertEqual(crons[2].code, "model._cron_billing_worker(2)")
        self.env.company.msp_billing_workers = 2
        self.assertEqual(sorted(self._worker_crons()), [1, 2])
        self.env.company.msp_billing_workers = 4
        after = self._worker_crons()
        self.assertEqual(sorted(after), [1, 2, 3, 4])
        self.assertEqual(after[3], crons[3], "the same cron, reactivated")
        self.assertEqual(len(self.Run._worker_crons()), 4, "no duplicate")
        self.env.company.msp_billing_workers = 1
        self.assertEqual(self._worker_crons(), {})

    def test_main_cron_starts_workers_and_bills_nothing_itself(self):
        self.env.company.msp_billing_workers = 2
        crons = self._worker_crons()
        triggers = self.env["ir.cron.trigger"].sudo()
        before = triggers.search_count(
            [("cron_id", "in", [c.id for c in crons.values()])]
        )
        with freeze_time(DAY):
            self.Run.sudo()._cron_generate_invoices()
        run = self._cron_run()
        self.assertEqual(run.state, "running")
        self.assertFalse(run.invoice_ids)
        self.assertEqual(
            triggers.search_count([("cron_id", "in", [c.id for c in crons.values()])]),
            before + 2,
        )
        self.assertGreaterEqual(run.due_count, 5)
        self.assertEqual(run.progress, 0.0)

    def test_workers_leave_a_one_worker_company_to_the_main_cron(self):
        run = self.Run.create({"date": DAY, "trigger": "cron"})
        # Another company uses two workers: the crons exist, but this
        # company's run is the main cron's.
        self.setup_other_company()["company"].msp_billing_workers = 2
        self.assertEqual(sorted(self._worker_crons()), [1, 2])
        Run = self.Run.sudo()
        self.assertEqual(Run._msp_work_billing(1), 0)
        self.assertEqual(Run._cron_billing_worker(2), 0)
        run.invalidate_recordset()
        self.assertFalse(run.invoice_ids)
        self.assertFalse(run.worker_ids)
        self.assertEqual(run.state, "running")
        with freeze_time(DAY):
            self.Run.sudo()._cron_generate_invoices()
        run.invalidate_recordset()
        self.assertEqual(run.state, "done")
        self.assertEqual(len(self.agreements.period_ids), 5)
        # The main cron is the company's one worker: worker 1 on the run.
        self.assertEqual(run.worker_ids.mapped("worker"), [1])
        self.assertEqual(run.worker_ids.agreement_count, run.agreement_count)
        self.assertGreater(run.worker_ids.query_count, 0)

    def test_worker_row_counts_its_queries(self):
        self.env.company.msp_billing_workers = 2
        with freeze_time(DAY):
            self.Run.sudo()._cron_generate_invoices()
        run = self._cron_run()
        Run = self.Run.sudo()
        cr = self.env.cr
        before = cr.sql_log_count
        Run._cron_billing_worker(1, batch_size=2, time_budget=1e-9)
        made_first = cr.sql_log_count - before
        run.invalidate_recordset()
        row = run.worker_ids
        self.assertEqual((row.worker, row.batch_count), (1, 1))
        first = row.query_count
        # Counted in the batch: more than nothing, not more than the call made
        # (finding the run and the worker's other parts are not the batch's).
        self.assertGreater(first, 0)
        self.assertLessEqual(first, made_first)
        before = cr.sql_log_count
        self.assertEqual(Run._cron_billing_worker(1, batch_size=2), 0)
        made_rest = cr.sql_log_count - before
        run.invalidate_recordset()
        self.assertEqual(run.state, "done")
        self.assertEqual(row.agreement_count, run.agreement_count)
        self.assertGreater(row.batch_count, 1)
        # Each further batch added its own queries to the row.
        self.assertGreaterEqual(row.query_count, first + (row.batch_count - 1))
        self.assertLessEqual(row.query_count, made_first + made_rest)

    def test_run_split_over_two_workers(self):
        self.env.company.msp_billing_workers = 2
        with freeze_time(DAY):
            self.Run.sudo()._cron_generate_invoices()
        # The workers bill at the run's date (not frozen: they time their budget).
        run = self._cron_run()
        Run = self.Run.sudo()
        # Worker 1 stops after its first batch (its time budget is spent).
        remaining = Run._cron_billing_worker(1, batch_size=2, time_budget=1e-9)
        self.assertGreater(remaining, 0)
        run.invalidate_recordset()
        self.assertEqual(run.state, "running")
        self.assertEqual(run.agreement_count, 2)
        self.assertEqual(run.progress, 100.0 * 2 / (2 + run.due_count))
        remaining = Run._cron_billing_worker(2, batch_size=2)
        self.assertEqual(remaining, 0)
        run.invalidate_recordset()
        self.assertEqual(run.state, "done")
        billed = run.invoice_ids.msp_agreement_id
        self.assertEqual(billed & self.agreements, self.agreements)
        self.assertEqual(len(run.invoice_ids), len(billed), "one invoice each")
        periods = self.agreements.period_ids
        self.assertEqual(len(periods), 5, "each agreement billed once")
        rows = {w.worker: (w.batch_count, w.agreement_count) for w in run.worker_ids}
        self.assertEqual(rows[1], (1, 2))
        self.assertEqual(rows[2][1], run.agreement_count - 2)
        self.assertEqual(rows[2][0], -(-rows[2][1] // 2))
        # A worker called again finds nothing: nothing billed twice.
        self.assertEqual(Run._cron_billing_worker(1, batch_size=2), 0)
        self.assertEqual(len(self.agreements.period_ids), 5)

    def test_worker_failing_mid_batch_loses_only_that_batch(self):
        self.env.company.msp_billing_workers = 2
        original = MspBillingRun._generate_invoices
        calls = []

        def failing(run, agreements):
            calls.append(agreements.ids)
            if len(calls) == 2:
                # half the batch written, then a crash
                original(run, agreements[:1])
                raise RuntimeError("server lost")
            return original(run, agreements)

        with freeze_time(DAY):
            self.Run.sudo()._cron_generate_invoices()
        run = self._cron_run()
        Run = self.Run.sudo()
        raised = None
        with (
            patch.object(MspBillingRun, "_generate_invoices", failing),
            mute_logger("odoo.addons.msp_psa.models.msp_billing_run"),
        ):
            try:
                Run._cron_billing_worker(1, batch_size=2)
            except RuntimeError as error:
                raised = error
        self.assertIsInstance(raised, RuntimeError)
        run.invalidate_recordset()
        # The first batch stays, the second left nothing behind.
        self.assertEqual(run.agreement_count, 2)
        self.assertEqual(len(run.invoice_ids), 2)
        self.assertEqual(run.worker_ids.mapped("agreement_count"), [2])
        self.assertEqual(run.state, "running")
        self.assertEqual(Run._cron_billing_worker(2, batch_size=2), 0)
        run.invalidate_recordset()
        self.assertEqual(run.state, "done")
        self.assertEqual(len(self.agreements.period_ids), 5)
        self.assertEqual(len(run.invoice_ids), run.agreement_count)
        self.assertEqual(
            sum(run.worker_ids.mapped("agreement_count")), run.agreement_count
        )
