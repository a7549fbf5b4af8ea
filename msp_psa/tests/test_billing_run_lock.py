# Copyright 2026 msp_psa authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from contextlib import contextmanager
from datetime import timedelta
from unittest.mock import patch

from psycopg2 import errors

from odoo import fields
from odoo.exceptions import UserError
from odoo.sql_db import db_connect
from odoo.tests import TransactionCase, tagged
from odoo.tools import mute_logger

from odoo.addons.msp_psa.models import msp_billing_run
from odoo.addons.msp_psa.models.msp_billing_run import MspBillingRun


@tagged("post_install", "-at_install")
class TestBillingRunLock(TransactionCase):
    """The run's batch lock: an agreement another worker holds is skipped
    (``SKIP LOCKED``) and billed by the next run, exactly once; "Invoice now"
    does not wait for it (``NOWAIT``); a lock that fails on a stale snapshot is
    retried in a fresh transaction.

    Another worker is another database connection, which sees only what is
    committed: the demo agreements."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Run = cls.env["msp.billing.run"]
        cls.held = cls.env.ref("msp_psa.agreement_bluebird_demo")
        cls.free = cls.env.ref("msp_psa.agreement_acme_demo")
        # Far enough ahead that both are due.
        cls.day = fields.Date.context_today(cls.Run) + timedelta(days=62)

    @contextmanager
    def _held_by_another_worker(self, agreement):
        cr = db_connect(self.env.cr.dbname).cursor()
        try:
            cr.execute("SET lock_timeout = '5s'")
            cr.execute(
                "SELECT id FROM msp_agreement WHERE id = %s FOR UPDATE",
                [agreement.id],
            )
            yield
        finally:
            cr.rollback()
            cr.close()

    def _run(self, agreements, **kwargs):
        run = self.Run.with_company(agreements.company_id).create(
            {"date": self.day, "trigger": "manual"}
        )
        remaining = run._run(agreement_ids=agreements.ids, commit=False, **kwargs)
        return run, remaining

    def test_held_agreement_skipped_then_billed_once(self):
        both = self.held | self.free
        self.assertEqual(set(both.mapped("state")), {"active"})
        held_periods = len(self.held.period_ids)
        with self._held_by_another_worker(self.held):
            run, remaining = self._run(both)
            self.assertEqual(remaining, 1)
            self.assertNotEqual(run.state, "done")
            self.assertIn(self.free, run.invoice_ids.msp_agreement_id)
            self.assertNotIn(self.held, run.invoice_ids.msp_agreement_id)
            self.assertEqual(len(self.held.period_ids), held_periods)
        # The other worker let go: the next run bills it.
        run, remaining = self._run(both)
        self.assertEqual(remaining, 0)
        self.assertEqual(run.invoice_ids.msp_agreement_id, self.held)
        billed = self.held.period_ids
        self.assertGreater(len(billed), held_periods)
        self.assertEqual(len(set(billed.mapped("date_start"))), len(billed))
        # And only once.
        run, remaining = self._run(both)
        self.assertFalse(run.invoice_ids)
        self.assertEqual(self.held.period_ids, billed)

    def test_invoice_now_does_not_wait_for_another_worker(self):
        with (
            self._held_by_another_worker(self.held),
            self.assertRaisesRegex(UserError, "being invoiced right now"),
        ):
            self.Run.with_company(self.held.company_id)._run_agreements(
                self.held, date_ref=self.day
            )
        run = self.Run.with_company(self.held.company_id)._run_agreements(
            self.held, date_ref=self.day
        )
        self.assertEqual(run.invoice_ids.msp_agreement_id, self.held)

    def _failing_lock(self, failures):
        original = MspBillingRun._lock_query
        calls = []

        def lock_query(run, query, failed, agreement_ids):
            calls.append(query)
            if len(calls) <= failures:
                raise errors.SerializationFailure("could not serialize access")
            return original(run, query, failed, agreement_ids)

        return patch.object(MspBillingRun, "_lock_query", lock_query), calls

    def test_lock_retried_in_a_fresh_transaction(self):
        run = self.Run.with_company(self.free.company_id).create(
            {"date": self.day, "trigger": "manual"}
        )
        lock, calls = self._failing_lock(2)
        with (
            lock,
            patch.object(self.env.cr, "rollback") as rollback,
            patch.object(msp_billing_run.time, "sleep"),
            mute_logger("odoo.addons.msp_psa.models.msp_billing_run"),
        ):
            batch = run._lock_due_agreements(
                10, set(), self.free.ids, nowait=False, autocommit=True
            )
        self.assertEqual(batch, self.free)
        self.assertEqual(len(calls), 3)
        self.assertEqual(rollback.call_count, 2)

    def test_lock_gives_up_after_its_attempts(self):
        run = self.Run.with_company(self.free.company_id).create(
            {"date": self.day, "trigger": "manual"}
        )
        lock, calls = self._failing_lock(msp_billing_run.LOCK_ATTEMPTS)
        with (
            lock,
            patch.object(self.env.cr, "rollback"),
            patch.object(msp_billing_run.time, "sleep"),
            mute_logger("odoo.addons.msp_psa.models.msp_billing_run"),
            self.assertRaises(errors.SerializationFailure),
        ):
            run._lock_due_agreements(
                10, set(), self.free.ids, nowait=False, autocommit=True
            )
        self.assertEqual(len(calls), msp_billing_run.LOCK_ATTEMPTS)

    def test_lock_not_retried_inside_a_transaction_it_cannot_end(self):
        # Without commits (a test, a user's request), a rollback would undo
        # the caller's work: the error goes up at once.
        run = self.Run.with_company(self.free.company_id).create(
            {"date": self.day, "trigger": "manual"}
        )
        lock, calls = self._failing_lock(1)
        with (
            lock,
            patch.object(self.env.cr, "rollback") as rollback,
            self.assertRaises(errors.SerializationFailure),
        ):
            run._lock_due_agreements(
                10, set(), self.free.ids, nowait=False, autocommit=False
            )
        self.assertEqual(len(calls), 1)
        rollback.assert_not_called()
