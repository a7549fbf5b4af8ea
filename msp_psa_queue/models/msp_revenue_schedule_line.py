# Copyright 2026 msp_psa authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import logging

from odoo import api, models

from ..tools import worker_job

_logger = logging.getLogger(__name__)

# One pending job per company (queue_job's identity_key).
RECOGNITION_KEY = "msp_psa_queue.revenue.company.%s"


class MspRevenueScheduleLine(models.Model):
    """The daily revenue recognition as queue jobs on ``root.msp.revenue``:
    one job per company with entries due, whatever its *Workers* setting
    (the daily cron only starts them). A job posts its company's due
    entries batch by batch, as msp_psa's workers do (``FOR UPDATE SKIP
    LOCKED`` on the months, a commit per batch, failures logged as
    recognition issues), and enqueues its successor when its time budget
    ends with entries left."""

    _inherit = "msp.revenue.schedule.line"

    @api.model
    def _msp_recognition_companies(self, date_ref, spread):
        # With the bridge every company's entries go to jobs: the daily cron
        # posts none itself.
        if not spread:
            return self.env["res.company"]
        return super()._msp_recognition_companies(
            date_ref, True
        ) | super()._msp_recognition_companies(date_ref, False)

    @api.model
    def _msp_start_recognition_workers(self, companies):
        """Enqueue one job per company of ``companies``, unless one waits."""
        for company in companies:
            self._msp_delay_recognition(company.id)
        _logger.info(
            "Revenue recognition: jobs enqueued for %s",
            ", ".join(companies.mapped("name")),
        )

    @api.model
    def _msp_delay_recognition(self, company_id, **kwargs):
        # sudo: the engine's work, as the daily cron's (run as root).
        company = self.env["res.company"].sudo().browse(company_id)
        return (
            self.env[self._name]
            .sudo()
            .with_delay(
                description=self.env._(
                    "MSP revenue recognition: %(company)s", company=company.name
                ),
                identity_key=RECOGNITION_KEY % company_id,
            )
            ._msp_job_recognition(company_id, **kwargs)
        )

    @api.model
    def _msp_job_recognition(self, company_id, batch_size=50, time_budget=120.0):
        """MSP revenue recognition (queue job): post the company's due
        entries for ``time_budget`` seconds; if some are left then, enqueue
        the successor. A lock conflict is retried by queue_job."""
        company = self.env["res.company"].sudo().browse(company_id)
        return worker_job.perform(
            self.env,
            self.env._("Revenue recognition of %(company)s", company=company.name),
            lambda: self._msp_work_recognition(
                1,
                company_ids=[company_id],
                batch_size=batch_size,
                time_budget=time_budget,
            ),
            lambda: self._msp_delay_recognition(
                company_id, batch_size=batch_size, time_budget=time_budget
            ),
            time_budget,
        )
