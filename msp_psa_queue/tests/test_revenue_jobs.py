# Copyright 2026 msp_psa authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from freezegun import freeze_time

from odoo import Command
from odoo.tests import tagged

from .common import MspQueueCommon

DAY = "2026-01-31 12:00:00"
CHANNEL = "root.msp.revenue"


@tagged("post_install", "-at_install")
class TestRevenueJobs(MspQueueCommon):
    """The daily revenue recognition as queue jobs: one per company, each
    month posted once, no duplicate job, successors."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Month = cls.env["msp.revenue.schedule.line"]
        cls.company_data_2 = cls.setup_other_company()
        cls.companies = cls.company_data["company"] | cls.company_data_2["company"]
        cls.env.user.company_ids = [Command.link(cls.company_data_2["company"].id)]
        cls.clients = cls.env["res.partner"].create(
            [{"name": f"Client {index:02d}", "is_company": True} for index in range(3)]
        )
        for data in (cls.company_data, cls.company_data_2):
            company = data["company"]
            deferred = (
                cls.env["account.account"]
                .with_company(company)
                .create(
                    {
                        "name": "Deferred Revenue",
                        "code": "239100",
                        "account_type": "liability_current",
                    }
                )
            )
            company.write(
                {
                    "msp_deferred_revenue_account_id": deferred.id,
                    "msp_revenue_journal_id": data["default_journal_misc"].id,
                    "msp_revenue_method": "monthly",
                    "msp_revenue_entry_max_lines": 4,
                }
            )
            invoices = (
                cls.env["account.move"]
                .with_company(company)
                .create(
                    [
                        cls._invoice_vals(data, client, 1200.0 + 12.0 * index + 0.01)
                        for index, client in enumerate(cls.clients)
                    ]
                )
            )
            invoices.action_post()

    @classmethod
    def _invoice_vals(cls, data, client, amount):
        return {
            "move_type": "out_invoice",
            "partner_id": client.id,
            "invoice_date": "2026-01-01",
            "company_id": data["company"].id,
            "journal_id": data["default_journal_sale"].id,
            "invoice_line_ids": [
                Command.create(
                    {
                        "product_id": cls.product_fee.id,
                        "quantity": 1.0,
                        "price_unit": amount,
                        "tax_ids": [Command.clear()],
                        "start_date": "2026-01-01",
                        "end_date": "2026-12-31",
                    }
                )
            ],
        }

    def _january(self):
        months = self.Month.search(
            [("date", "=", "2026-01-31"), ("company_id", "in", self.companies.ids)]
        )
        self.assertEqual(len(months), 6, "3 clients in each company")
        return months

    def test_cron_enqueues_one_job_per_company_and_posts_each_month_once(self):
        january = self._january()
        with self.trap_jobs() as trap, freeze_time(DAY):
            self.Month._cron_recognize_revenue()
            trap.assert_jobs_count(2, only=self.Month._msp_job_recognition)
            for company in self.companies:
                trap.assert_enqueued_job(
                    self.Month._msp_job_recognition,
                    args=(company.id,),
                    properties={
                        "identity_key": f"msp_psa_queue.revenue.company.{company.id}"
                    },
                )
            self.assertEqual({job.channel for job in trap.enqueued_jobs}, {CHANNEL})
            self.assertEqual(
                set(january.mapped("state")), {"planned"}, "the cron posts none"
            )
            self._perform_trapped(trap)
        self.assertEqual(set(january.mapped("state")), {"posted"})
        for company in self.companies:
            months = january.filtered(lambda m, c=company: m.company_id == c)
            entries = months.move_id
            self.assertEqual(entries.company_id, company)
            self.assertEqual(set(entries.mapped("state")), {"posted"})
            income = entries.line_ids.filtered(
                lambda line: line.account_id.account_type == "income"
            )
            self.assertEqual(
                round(-sum(income.mapped("balance")), 2),
                round(sum(months.mapped("amount")), 2),
                "each month once, to the cent",
            )
        # The next day: nothing due, no job.
        with self.trap_jobs() as trap, freeze_time(DAY):
            self.Month._cron_recognize_revenue()
            trap.assert_jobs_count(0)

    def test_no_duplicate_job_while_pending(self):
        counter = self.job_counter()
        with freeze_time(DAY):
            self.Month._cron_recognize_revenue()
            self.Month._cron_recognize_revenue()
        jobs = counter.search_created()
        self.assertEqual(len(jobs), 2)
        self.assertEqual(set(jobs.mapped("channel")), {CHANNEL})
        with freeze_time(DAY):
            self._perform(jobs)
        self.assertEqual(set(self._january().mapped("state")), {"posted"})
        self.assertEqual(counter.count_created(), 2, "nothing left: no successor")

    def test_successor_when_time_budget_spent(self):
        company = self.company_data["company"]
        january = self._january().filtered(lambda m: m.company_id == company)
        # 3 clients of 2 lines, at most 4 lines an entry: 2 entries. One entry
        # a batch and a budget of a microsecond (the clock ticks): the job
        # posts one, its successor the other.
        with self.trap_jobs() as trap, freeze_time(DAY, tick=True):
            self.Month._msp_job_recognition(company.id, batch_size=1, time_budget=1e-6)
            trap.assert_enqueued_job(
                self.Month._msp_job_recognition,
                args=(company.id,),
                kwargs={"batch_size": 1, "time_budget": 1e-6},
            )
            self.assertEqual(self._perform_trapped(trap), 1)
        self.assertEqual(set(january.mapped("state")), {"posted"})
        self.assertEqual(len(january.move_id), 2)
