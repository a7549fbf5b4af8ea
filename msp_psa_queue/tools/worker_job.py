# Copyright 2026 msp_psa authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""What the three MSP jobs share: run the worker's body for its time budget,
turn a lock conflict into a retry, hand what is left to a successor."""

import time

from odoo.service.model import PG_CONCURRENCY_EXCEPTIONS_TO_RETRY

from odoo.addons.queue_job.exception import RetryableJobError


def perform(env, label, work, successor, time_budget):
    """Call ``work()`` (a ``_msp_work_*`` method: it commits batch by batch and
    returns what is still due). A lock conflict with another worker
    (serialization failure, lock not available, deadlock) raises
    ``RetryableJobError``: queue_job postpones the job by its function's retry
    pattern and runs it again. When the time budget ended with work left,
    ``successor()`` enqueues the next job. Returns the job's result, shown in
    the Jobs view."""
    started = time.monotonic()
    try:
        remaining = work()
    except PG_CONCURRENCY_EXCEPTIONS_TO_RETRY as error:
        raise RetryableJobError(
            env._(
                "%(job)s met a lock conflict, retried later: %(error)s",
                job=label,
                error=str(error).strip(),
            )
        ) from error
    if remaining and time.monotonic() - started >= time_budget:
        successor()
        return env._(
            "%(job)s: time budget spent with %(count)s still due; its next job "
            "goes on.",
            job=label,
            count=remaining,
        )
    if remaining:
        return env._(
            "%(job)s: nothing left for it (%(count)s due in other workers' batches).",
            job=label,
            count=remaining,
        )
    return env._("%(job)s: nothing left to do.", job=label)
