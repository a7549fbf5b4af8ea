# Copyright 2026 msp_psa authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from contextlib import closing

from freezegun import freeze_time
from psycopg2 import OperationalError

from odoo import Command, fields, sql_db
from odoo.tests import tagged

from .common import MspPsaCommon

DAY = "2026-04-30"


@tagged("post_install", "-at_install")
class TestRecognitionWorkers(MspPsaCommon):
    """The daily recognition spread over the billing worker crons: the main
    job hands the company over, two workers post every due month once, in
    the entries one job would post, to the cent."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        company = cls.company_data["company"]
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
                "msp_revenue_journal_id": cls.company_data["default_journal_misc"].id,
                "msp_revenue_method": "monthly",
                # 2 lines a client: 2 clients an entry, several entries a month
                "msp_revenue_entry_max_lines": 4,
            }
        )
        clients = cls.env["res.partner"].create(
            [{"name": f"Client {index:02d}", "is_company": True} for index in range(5)]
        )
        # 1,200.01 ... over 12 months: 100.00 a month and a cent in one month
        invoices = cls.env["account.move"].create(
            [
                {
                    "move_type": "out_invoice",
                    "partner_id": client.id,
                    "invoice_date": "2026-01-01",
                    "journal_id": cls.company_data["default_journal_sale"].id,
                    "invoice_line_ids": [
                        Command.create(
                            {
                                "product_id": cls.product_fee.id,
                                "quantity": 1.0,
                                "price_unit": 1200.0 + 12.0 * index + 0.01,
                                "tax_ids": [Command.clear()],
                                "start_date": "2026-01-01",
                                "end_date": "2026-12-31",
                            }
                        )
                    ],
                }
                for index, client in enumerate(clients)
            ]
        )
        invoices.action_post()
        cls.Month = cls.env["msp.revenue.schedule.line"]
        cls.months = cls.Month.search([("company_id", "=", company.id)])
        cls.Run = cls.env["msp.billing.run"]

    def _due(self):
        return self.months.filtered(lambda m: str(m.date) <= DAY)

    def _result(self):
        """(entries, {(account, partner, date): balance}, {month: entry}) of
        what is posted for the company, to the cent."""
        posted = self.months.filtered(lambda m: m.state == "posted")
        moves = posted.move_id
        totals = {}
        for line in moves.line_ids:
            key = (line.account_id.id, line.partner_id.id, line.date)
            totals[key] = round(totals.get(key, 0.0) + line.balance, 2)
        return moves, totals, {month.id: month.move_id.id for month in posted}

    def _single_worker_result(self):
        with self.env.cr.savepoint(flush=True) as savepoint:
            with freeze_time(DAY):
                self.Month._cron_recognize_revenue()
            moves, totals, by_month = self._result()
            result = (len(moves), totals, set(by_month))
            savepoint.rollback()
        self.months.invalidate_recordset()
        return result

    def _worker_triggers(self, crons):
        return (
            self.env["ir.cron.trigger"]
            .sudo()
            .search_count([("cron_id", "in", [cron.id for cron in crons.values()])])
        )

    def test_one_worker_unchanged(self):
        """Setting 1: the main job posts everything itself, no worker woken."""
        self.assertEqual(self.env.company.msp_billing_workers, 1)
        self.assertFalse(self.Run._worker_crons())
        count, totals, months = self._single_worker_result()
        self.assertEqual(months, set(self._due().ids))
        # 5 clients of 2 lines, at most 4 lines an entry: 3 entries a month
        self.assertEqual(count, 3 * 4)
        with freeze_time(DAY):
            self.Month._cron_recognize_revenue()
        moves, after, by_month = self._result()
        self.assertEqual((len(moves), after, set(by_month)), (count, totals, months))
        # A worker finds nothing of a company using one worker.
        self.assertEqual(self.Month._msp_work_recognition(1), 0)

    def test_two_workers_post_every_month_once(self):
        count, totals, months = self._single_worker_result()
        self.env.company.msp_billing_workers = 2
        crons = self.Run._worker_crons()
        self.assertEqual(sorted(crons), [1, 2])
        before = self._worker_triggers(crons)
        with freeze_time(DAY):
            self.Month._cron_recognize_revenue()
        self.assertFalse(
            self.months.filtered(lambda m: m.state == "posted"),
            "the main job posts nothing itself",
        )
        self.assertEqual(self._worker_triggers(crons), before + 2)
        # Worker 1 stops after its first batch (its time budget is spent)...
        with freeze_time(DAY, tick=True):
            left = self.Month._msp_work_recognition(1, batch_size=1, time_budget=1e-9)
        self.assertEqual(left, count - 1)
        moves, _totals, _by_month = self._result()
        self.assertEqual(len(moves), 1)
        # ... worker 2's cron does the rest (with the billing and the SLA
        # check, which have nothing to do) ...
        with freeze_time(DAY, tick=True):
            self.assertEqual(self.Run._cron_billing_worker(2), 0)
        # ... and worker 1 called again finds nothing left.
        with freeze_time(DAY, tick=True):
            self.assertEqual(self.Month._msp_work_recognition(1), 0)
        moves, after, by_month = self._result()
        self.assertEqual(set(by_month), months, "every due month, none after")
        self.assertEqual(len(moves), count, "the entries one job posts")
        self.assertEqual(after, totals, "to the cent")
        self.assertEqual(
            len(self.months.filtered(lambda m: m.state == "posted").move_line_id),
            len(months),
            "each month its own deferred revenue item, posted once",
        )

    def test_workers_take_only_their_companies(self):
        self.env.company.msp_billing_workers = 2
        other = self.setup_other_company()["company"]
        with freeze_time(DAY, tick=True):
            # worker 3 serves no company; another company's months only
            self.assertEqual(self.Month._msp_work_recognition(3), 0)
            self.assertEqual(
                self.Month._msp_work_recognition(1, company_ids=other.ids), 0
            )
        self.assertFalse(self.months.filtered(lambda m: m.state == "posted"))
        with freeze_time(DAY, tick=True):
            self.assertEqual(
                self.Month._msp_work_recognition(1, company_ids=self.env.company.ids),
                0,
            )
        self.assertEqual(
            set(self.months.filtered(lambda m: m.state == "posted").ids),
            set(self._due().ids),
        )

    def test_month_locked_by_another_worker_is_skipped(self):
        """Months another connection holds (``FOR UPDATE``) are left to it.
        Committed rows are needed: the demo's planned months."""
        main = self.env.ref("base.main_company")
        demo = self.Month.sudo().search(
            [("company_id", "=", main.id), ("state", "=", "planned")]
        )
        if not demo:
            self.skipTest("no demo recognition months in this database")
        main.msp_billing_workers = 2
        day = str(max(demo.mapped("date")))
        units = self.Month._get_recognition_units(fields.Date.to_date(day), main)
        self.assertTrue(units)
        held_unit = next(iter(units.values()))
        # A second connection (not the test cursor's proxy), as another
        # worker would: it locks the first month of a unit and keeps it until
        # closed (nothing written, nothing to clean up).
        with closing(sql_db.db_connect(self.env.cr.dbname).cursor()) as other:
            try:
                other.execute("SET lock_timeout = '2s'")
                other.execute(
                    "SELECT id FROM msp_revenue_schedule_line WHERE id = %s"
                    " FOR UPDATE NOWAIT",
                    [held_unit[:1].id],
                )
            except OperationalError:
                self.skipTest("the demo month is locked by this test's transaction")
            with freeze_time(day, tick=True):
                left = self.Month._msp_work_recognition(1, company_ids=main.ids)
            self.assertEqual(left, 1, "the unit held elsewhere is still due")
            self.assertEqual(set(held_unit.mapped("state")), {"planned"})
            self.assertEqual(
                set((demo - held_unit).mapped("state")), {"posted"}, "the others"
            )
            other.rollback()
        with freeze_time(day, tick=True):
            self.assertEqual(
                self.Month._msp_work_recognition(1, company_ids=main.ids), 0
            )
        self.assertEqual(set(demo.mapped("state")), {"posted"})
