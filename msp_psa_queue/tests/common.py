# Copyright 2026 msp_psa authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from contextlib import contextmanager

from odoo.sql_db import db_connect

from odoo.addons.msp_psa.tests.common import MspHelpdeskCommon
from odoo.addons.queue_job.job import Job
from odoo.addons.queue_job.tests.common import JobMixin


class MspQueueCommon(JobMixin, MspHelpdeskCommon):
    """msp_psa's fixtures (a helpdesk manager as the test user), queue_job's
    helpers, and the registry in test mode: the MSP job functions allow
    commits, so queue_job runs them in a cursor of their own, which in test
    mode is the test's transaction (as in an ``HttpCase``)."""

    @classmethod
    def get_default_groups(cls):
        # The Jobs view's group: the test user reads and performs the jobs.
        return super().get_default_groups() | cls.env.ref(
            "queue_job.group_queue_job_manager"
        )

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.registry.enter_test_mode(cls.cr)
        cls.addClassCleanup(cls.registry.leave_test_mode)

    def _perform(self, jobs):
        """Perform queue jobs (``queue.job`` records) as the job runner would
        have them performed, and see what they wrote."""
        self.env.flush_all()
        results = []
        for record in jobs:
            job = Job.load(self.env, record.uuid)
            results.append(job.perform())
            job.set_done()
            job.store()
        self.env.invalidate_all()
        return results

    def _perform_trapped(self, trap, rounds=20):
        """Perform the trapped jobs, and those they enqueue, until none is
        left; returns how many were performed."""
        count = 0
        for _round in range(rounds):
            if not trap.enqueued_jobs:
                break
            count += len(trap.enqueued_jobs)
            self.env.flush_all()
            trap.perform_enqueued_jobs()
            self.env.invalidate_all()
        self.assertFalse(trap.enqueued_jobs, "the successors end")
        return count

    @contextmanager
    def _row_locked_elsewhere(self, query):
        """A second database connection holds the row lock of ``query`` (a
        ``SELECT ... FOR UPDATE`` on committed data), as a concurrent worker
        would."""
        cr = db_connect(self.env.cr.dbname).cursor()
        try:
            cr.execute(query)
            yield
        finally:
            cr.rollback()
            cr.close()
