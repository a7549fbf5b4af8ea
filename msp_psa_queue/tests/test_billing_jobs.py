# Copyright 2026 msp_psa authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from contextlib import closing
from datetime import datetime, timedelta
from unittest.mock import patch

from freezegun import freeze_time

from odoo.tests import tagged

from odoo.addons.msp_psa.models.msp_billing_run import MspBillingRun
from odoo.addons.queue_job.exception import RetryableJobError
from odoo.addons.queue_job.job import PENDING, Job

from .common import MspQueueCommon

DAY = "2026-01-01"
CHANNEL = "root.msp.billing"


@tagged("post_install", "-at_install")
class TestBillingJobs(MspQueueCommon):
    """The nightly billing run as queue jobs: one job per worker, the same
    invoices as without the bridge, no duplicate job, successors, retries."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Run = cls.env["msp.billing.run"]
        cls.agreements = cls.env["msp.agreement"]
        partners = cls.env["res.partner"].create(
            [{"name": f"Job client {i}", "is_company": True} for i in range(5)]
        )
        for partner in partners:
            agreement = cls._create_agreement(
                partner_id=partner.id,
                fixed_fee=100.0 + partner.id % 7,
                fee_product_id=cls.product_fee.id,
            )
            agreement.action_activate()
            cls.agreements |= agreement

    def _cron(self):
        with freeze_time(DAY):
            self.Run.sudo()._cron_generate_invoices()

    def _cron_run(self):
        return self.Run.search(
            [
                ("date", "=", DAY),
                ("trigger", "=", "cron"),
                ("company_id", "=", self.env.company.id),
            ]
        )

    def _billed(self, run):
        """{agreement: invoice total} of what the run billed."""
        return {move.msp_agreement_id: move.amount_total for move in run.invoice_ids}

    def _billed_without_bridge(self):
        """What msp_psa alone bills for the agreements at DAY (its own run,
        rolled back)."""
        with closing(self.env.cr.savepoint()):
            run = self.Run._run_agreements(self.agreements, date_ref=DAY)
            billed = self._billed(run)
            result = ({a.id: amount for a, amount in billed.items()}, run.amount_total)
            self.env.flush_all()
        self.env.invalidate_all()
        return result

    def _worker_triggers(self):
        crons = self.Run._worker_crons().values()
        return (
            self.env["ir.cron.trigger"]
            .sudo()
            .search_count([("cron_id", "in", [c.id for c in crons])])
        )

    def test_cron_enqueues_one_job_per_worker(self):
        self.env.company.msp_billing_workers = 2
        self.assertFalse(
            any(c.active for c in self.Run._worker_crons().values()),
            "the jobs do the work: no worker cron is active",
        )
        with self.trap_jobs() as trap:
            self._cron()
            trap.assert_jobs_count(2)
            trap.assert_jobs_count(2, only=self.Run._msp_job_billing)
            for worker in (1, 2):
                trap.assert_enqueued_job(
                    self.Run._msp_job_billing,
                    args=(worker,),
                    properties={
                        "identity_key": f"msp_psa_queue.billing.worker.{worker}"
                    },
                )
            self.assertEqual({job.channel for job in trap.enqueued_jobs}, {CHANNEL})
        run = self._cron_run()
        self.assertEqual(run.state, "running")
        self.assertFalse(run.invoice_ids, "the main cron bills nothing itself")
        self.assertEqual(self._worker_triggers(), 0, "no worker cron triggered")

    def test_setting_one_goes_through_one_job(self):
        self.assertEqual(self.env.company.msp_billing_workers, 1)
        with self.trap_jobs() as trap:
            self._cron()
            trap.assert_jobs_count(1, only=self.Run._msp_job_billing)
            trap.assert_enqueued_job(self.Run._msp_job_billing, args=(1,))
            self.assertFalse(self._cron_run().invoice_ids)
            self._perform_trapped(trap)
        run = self._cron_run()
        self.assertEqual(run.state, "done")
        self.assertEqual(len(run.invoice_ids), 5)
        self.assertEqual(run.worker_ids.mapped("worker"), [1])

    def test_jobs_bill_each_agreement_once_as_without_bridge(self):
        expected, expected_total = self._billed_without_bridge()
        self.assertEqual(len(expected), 5)
        self.env.company.msp_billing_workers = 2
        counter = self.job_counter()
        self._cron()
        jobs = counter.search_created()
        self.assertEqual(len(jobs), 2)
        self.assertEqual(set(jobs.mapped("channel")), {CHANNEL})
        self.assertEqual(set(jobs.mapped("state")), {PENDING})
        self._perform(jobs)
        run = self._cron_run()
        self.assertEqual(run.state, "done")
        billed = self._billed(run)
        self.assertEqual({a.id: amount for a, amount in billed.items()}, expected)
        self.assertEqual(len(run.invoice_ids), 5, "one invoice per agreement")
        self.assertEqual(len(self.agreements.period_ids), 5, "each billed once")
        self.assertEqual(
            run.currency_id.compare_amounts(run.amount_total, expected_total), 0
        )
        self.assertEqual(
            sum(run.worker_ids.mapped("agreement_count")), run.agreement_count
        )
        self.assertEqual(run.agreement_count, 5)
        self.assertEqual(counter.count_created(), 2, "nothing left: no successor")
        self.assertEqual(set(jobs.mapped("state")), {"done"})

    def test_no_duplicate_job_while_pending(self):
        self.env.company.msp_billing_workers = 2
        counter = self.job_counter()
        self._cron()
        self._cron()
        jobs = counter.search_created()
        self.assertEqual(len(jobs), 2)
        self.assertEqual(
            sorted(jobs.mapped("identity_key")),
            ["msp_psa_queue.billing.worker.1", "msp_psa_queue.billing.worker.2"],
        )
        # A third worker asked for later: one more job, not three.
        self.env.company.msp_billing_workers = 3
        self._cron()
        self.assertEqual(counter.count_created(), 3)
        self._perform(counter.search_created())
        self.assertEqual(len(self.agreements.period_ids), 5)
        # Done: the next night finds nothing due, enqueues nothing.
        self._cron()
        self.assertEqual(counter.count_created(), 3)

    def test_successor_when_time_budget_spent(self):
        self._cron_with_trap_discarded()
        with self.trap_jobs() as trap:
            # One batch of two per job: each job's budget ends after a batch.
            self.Run.sudo()._msp_job_billing(1, batch_size=2, time_budget=1e-9)
            trap.assert_jobs_count(1)
            trap.assert_enqueued_job(
                self.Run._msp_job_billing,
                args=(1,),
                kwargs={"batch_size": 2, "time_budget": 1e-9},
            )
            performed = self._perform_trapped(trap)
        self.assertEqual(performed, 2, "batches 2 and 3; the last one ends it")
        run = self._cron_run()
        self.assertEqual(run.state, "done")
        self.assertEqual(len(self.agreements.period_ids), 5)
        self.assertEqual(
            [(w.worker, w.batch_count, w.agreement_count) for w in run.worker_ids],
            [(1, 3, 5)],
        )

    def _cron_with_trap_discarded(self):
        """Open the day's run; its own jobs are not wanted here."""
        with self.trap_jobs():
            self._cron()

    def test_lock_conflict_is_retried(self):
        self._cron_with_trap_discarded()
        counter = self.job_counter()
        self.Run._msp_delay_billing(1)
        job_record = counter.search_created()
        original = MspBillingRun._lock_query
        lang = self.env.ref("base.lang_en").id

        def conflicting(run, query, failed, agreement_ids):
            # A row another worker holds: NOWAIT fails as a conflict does.
            run.env.cr.execute(
                "SELECT id FROM res_lang WHERE id = %s FOR UPDATE NOWAIT", [lang]
            )
            return original(run, query, failed, agreement_ids)

        job = Job.load(self.env, job_record.uuid)
        self.env.flush_all()
        with (
            self._row_locked_elsewhere(
                f"SELECT id FROM res_lang WHERE id = {lang} FOR UPDATE"
            ),
            patch.object(MspBillingRun, "_lock_query", conflicting),
            self.assertRaisesRegex(RetryableJobError, "lock conflict"),
        ):
            job.perform()
        # What the job runner does with it: postponed by the retry pattern.
        now = datetime.now()
        job.postpone(result="lock conflict")
        job.set_pending(reset_retry=False)
        job.store()
        self.env.invalidate_all()
        self.assertEqual(job_record.state, PENDING)
        self.assertEqual(job_record.retry, 1)
        self.assertAlmostEqual(
            job_record.eta, now + timedelta(seconds=10), delta=timedelta(seconds=5)
        )
        self.assertFalse(self.agreements.period_ids, "nothing billed meanwhile")
        # The conflict gone, the retry bills the run.
        self._perform(job_record)
        self.assertEqual(self._cron_run().state, "done")
        self.assertEqual(len(self.agreements.period_ids), 5)
