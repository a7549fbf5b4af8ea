# Copyright 2026 msp_psa authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from datetime import date
from unittest.mock import patch

from freezegun import freeze_time

from odoo import Command
from odoo.exceptions import ValidationError
from odoo.tests import BaseCase, tagged

from odoo.addons.msp_psa.models.account_move_line import AccountMoveLine
from odoo.addons.msp_psa.models.msp_revenue_schedule_line import (
    MspRevenueScheduleLine,
)
from odoo.addons.msp_psa.tools import revenue

from .common import MspPsaCommon


class TestPackEntries(BaseCase):
    """Pure: cutting a month's recognition into entries of bounded size."""

    def test_pack_entries(self):
        items = [
            ("a1", ("inc-a", "def-a")),
            ("a2", ("inc-a", "def-a")),  # same client: merges, no new line
            ("b", ("inc-b", "def-b")),
            ("c", ("inc-c", "def-c")),
            ("d", ("inc-d", "def-d")),
        ]
        self.assertEqual(
            revenue.pack_entries(items, 4), [["a1", "a2", "b"], ["c", "d"]]
        )
        self.assertEqual(
            revenue.pack_entries(items, 2), [["a1", "a2"], ["b"], ["c"], ["d"]]
        )
        self.assertEqual(
            revenue.pack_entries(items, 500), [["a1", "a2", "b", "c", "d"]]
        )
        self.assertEqual(revenue.pack_entries([], 4), [])

    def test_entry_keys(self):
        income, deferred = revenue.entry_keys(1, 7, 9, 42, {"5": 60.0, "3": 40.0})
        self.assertEqual(income, ("income", 7, 42, (("3", 40.0), ("5", 60.0)), 1))
        self.assertEqual(deferred, ("deferred", 9, 42, 1))
        # a reversal adds to other lines than the revenue of the same client
        reversal = revenue.entry_keys(-1, 7, 9, 42, {"3": 40.0, "5": 60.0})
        self.assertNotEqual(reversal[0], income)
        self.assertNotEqual(reversal[1], deferred)
        # no distribution is the empty one; grouped by account: no partner
        self.assertEqual(
            revenue.entry_keys(1, 7, 9, False, None),
            revenue.entry_keys(1, 7, 9, False, {}),
        )

    def test_cut_entries(self):
        def keys(client):
            return revenue.entry_keys(1, 7, 9, client, None)

        groups = {
            "january": [
                ((3, 10), "m10", keys(3)),
                ((1, 12), "m12", keys(1)),
                ((1, 11), "m11", keys(1)),
                ((2, 13), "m13", keys(2)),
            ],
            "reversal": [((1, 20), "m20", keys(1))],
        }
        self.assertEqual(
            revenue.cut_entries(groups, lambda group: 4),
            {"january": [["m11", "m12", "m13"], ["m10"]], "reversal": [["m20"]]},
        )
        self.assertEqual(
            revenue.cut_entries(groups, lambda group: 6 if group == "january" else 2),
            {"january": [["m11", "m12", "m13", "m10"]], "reversal": [["m20"]]},
        )


@tagged("post_install", "-at_install")
class TestRevenueBatches(MspPsaCommon):
    """A month's recognition is posted in entries of bounded size, batch by
    batch; a failure loses one batch; the totals are those of one entry."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        company = cls.company_data["company"]
        cls.income = cls.company_data["default_account_revenue"]
        cls.misc_journal = cls.company_data["default_journal_misc"]
        cls.deferred = (
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
                "msp_deferred_revenue_account_id": cls.deferred.id,
                "msp_revenue_journal_id": cls.misc_journal.id,
                "msp_revenue_method": "monthly",
            }
        )
        cls.clients = cls.env["res.partner"].create(
            [{"name": f"Client {index:02d}", "is_company": True} for index in range(7)]
        )
        cls.Month = cls.env["msp.revenue.schedule.line"]

    def _invoice_vals(self, client, amount):
        return {
            "move_type": "out_invoice",
            "partner_id": client.id,
            "invoice_date": "2026-01-01",
            "journal_id": self.company_data["default_journal_sale"].id,
            "invoice_line_ids": [
                Command.create(
                    {
                        "product_id": self.product_fee.id,
                        "quantity": 1.0,
                        "price_unit": amount,
                        "tax_ids": [Command.clear()],
                        "start_date": "2026-01-01",
                        "end_date": "2026-12-31",
                    }
                )
            ],
        }

    def _post_invoices(self):
        # 1,200.01 ... over 12 months: 100.00 a month and a cent in one month
        amounts = [1200.0 + 12.0 * index + 0.01 for index in range(len(self.clients))]
        invoices = self.env["account.move"].create(
            [
                self._invoice_vals(client, amount)
                for client, amount in zip(self.clients, amounts, strict=True)
            ]
        )
        invoices.action_post()
        return invoices

    def _entries(self):
        return self.Month.search([("state", "=", "posted")]).move_id

    def _totals(self, moves):
        """{(account, partner): balance} of these entries, to the cent."""
        totals = {}
        for line in moves.line_ids:
            key = (line.account_id.id, line.partner_id.id)
            totals[key] = round(totals.get(key, 0.0) + line.balance, 2)
        return totals

    def test_entries_bounded_and_totals_as_one_entry(self):
        invoices = self._post_invoices()
        company = self.env.company
        # One big entry first, for the totals to compare with.
        with self.env.cr.savepoint(flush=True) as savepoint:
            company.msp_revenue_entry_max_lines = 500
            with freeze_time("2026-01-31"):
                self.Month._cron_recognize_revenue()
            big = self._entries()
            self.assertEqual(len(big), 1)
            self.assertEqual(len(big.line_ids), 14)
            one_entry = self._totals(big)
            savepoint.rollback()
        self.assertFalse(self._entries())
        company.msp_revenue_entry_max_lines = 4
        with freeze_time("2026-01-31"):
            self.Month._cron_recognize_revenue()
        self._assert_entries_as_stored(self.Month.search([("state", "=", "posted")]))
        entries = self._entries()
        # 7 clients of 2 lines, at most 4 lines an entry: 4 entries.
        self.assertEqual(sorted(len(entry.line_ids) for entry in entries), [2, 4, 4, 4])
        self.assertTrue(all(entry.state == "posted" for entry in entries))
        self.assertEqual(self._totals(entries), one_entry)
        self.assertEqual(
            sum(invoices.msp_revenue_schedule_ids.mapped("amount_recognised")),
            round(
                sum(
                    -line.balance
                    for line in entries.line_ids
                    if line.account_id == self.income
                ),
                2,
            ),
        )
        # A client's lines are in one entry.
        for client in self.clients:
            self.assertEqual(
                len(
                    entries.line_ids.filtered(
                        lambda l, c=client: l.partner_id == c
                    ).move_id
                ),
                1,
            )

    def _assert_entries_as_stored(self, months):
        """The entries of these recognised months, read back from the
        database (not as the posting left them in the cache): each month is
        linked to its client's deferred revenue item in its own entry, and
        the entries' items carry their entry's date, number and state."""
        self.env.invalidate_all()
        self.assertEqual(set(months.mapped("state")), {"posted"})
        for month in months:
            item = month.move_line_id
            self.assertEqual(item.move_id, month.move_id)
            self.assertEqual(item.partner_id, month.schedule_id.partner_id)
            self.assertEqual(item.account_id, self.deferred)
            self.assertEqual(item.balance, month.amount)
        for entry in months.move_id:
            self.assertEqual(entry.state, "posted")
            self.assertEqual(
                set(
                    entry.line_ids.mapped(
                        lambda l: (l.date, l.move_name, l.parent_state)
                    )
                ),
                {(entry.date, entry.name, "posted")},
            )

    def test_units_read_as_the_months_group_them(self):
        """The month's run reads its units in one query; they are the
        entries the months' own grouping makes, client by client or by
        account, revenue and reversal apart."""
        invoices = self._post_invoices()
        company = self.env.company
        company.msp_revenue_entry_max_lines = 4
        months = invoices.msp_revenue_schedule_ids.line_ids.filtered(
            lambda m: m.date <= date(2026, 2, 28)
        )
        # a reversal due in February, for the first client
        months |= self.Month.create(
            {
                "schedule_id": invoices[0].msp_revenue_schedule_ids.id,
                "date": date(2026, 2, 28),
                "amount": -50.0,
                "kind": "reversal",
            }
        )
        for detail in ("client", "account"):
            company.msp_revenue_entry_detail = detail
            units = self.Month._get_recognition_units(date(2026, 2, 28), company)
            expected = {
                (*key, part): entry
                for key, entries in months._group_recognition_entries().items()
                for part, entry in enumerate(entries)
            }
            self.assertEqual(
                {key: lines.ids for key, lines in units.items()},
                {key: lines.ids for key, lines in expected.items()},
            )
            self.assertEqual(
                sorted(len(lines) for lines in units.values()),
                [1, 1, 1, 2, 2, 2, 2, 2, 2] if detail == "client" else [1, 7, 7],
            )

    def test_one_posting_of_several_entries(self):
        """Several entries created and posted together (a direct call, as
        reversals and terminations make) each get their own items."""
        invoices = self._post_invoices()
        self.env.company.msp_revenue_entry_max_lines = 4
        months = invoices.msp_revenue_schedule_ids.line_ids.filtered(
            lambda m: m.date == date(2026, 1, 31)
        )
        entries = months._post_recognition()
        self.assertEqual(len(entries), 4)
        self.assertEqual(months.move_id, entries)
        self._assert_entries_as_stored(months)
        self.assertEqual(sorted(len(entry.line_ids) for entry in entries), [2, 4, 4, 4])

    def test_failure_in_batch_two_then_rerun_once(self):
        invoices = self._post_invoices()
        self.env.company.msp_revenue_entry_max_lines = 4
        months = invoices.msp_revenue_schedule_ids.line_ids.filtered(
            lambda m: m.date == date(2026, 1, 31)
        )
        original = MspRevenueScheduleLine._post_recognition
        calls = []

        def failing_second(lines):
            calls.append(lines.ids)
            if len(calls) == 2:
                raise ZeroDivisionError("bug in batch 2")
            return original(lines)

        # Not Odoo's assertRaises, which would roll back to its own savepoint:
        # what the run leaves written is what is checked.
        raised = None
        with (
            patch.object(MspRevenueScheduleLine, "_post_recognition", failing_second),
            freeze_time("2026-01-31"),
        ):
            try:
                # one entry (of 4 lines) a batch
                self.Month._cron_recognize_revenue(batch_size=1)
            except ZeroDivisionError as error:
                raised = error
        self.assertIsInstance(raised, ZeroDivisionError)
        first = self.Month.browse(calls[0])
        self.assertEqual(set(first.mapped("state")), {"posted"})
        self.assertEqual(len(first.move_id), 1)
        self.assertEqual(first.move_id.state, "posted")
        self.assertEqual(set((months - first).mapped("state")), {"planned"})
        # The rerun posts the rest, each month once.
        with freeze_time("2026-01-31"):
            self.Month._cron_recognize_revenue(batch_size=1)
            self.Month._cron_recognize_revenue(batch_size=1)
        self.assertEqual(set(months.mapped("state")), {"posted"})
        entries = self._entries()
        self.assertEqual(len(entries), 4)
        self.assertEqual(
            len(entries.line_ids.filtered(lambda l: l.account_id == self.deferred)),
            len(self.clients),
        )
        self.assertEqual(
            round(
                sum(
                    entries.line_ids.filtered(
                        lambda l: l.account_id == self.income
                    ).mapped("balance")
                ),
                2,
            ),
            -round(sum(months.mapped("amount")), 2),
        )

    def test_entry_size_setting_checked(self):
        with self.assertRaisesRegex(ValidationError, "1 lines per recognition entry"):
            self.env.company.msp_revenue_entry_max_lines = 1

    def test_deferral_decided_on_creation(self):
        """The engine's kind of invoice line is created on the deferred revenue
        account: posting writes no account on it."""
        invoice = self.env["account.move"].create(
            self._invoice_vals(self.clients[0], 1200.0)
        )
        line = invoice.invoice_line_ids
        self.assertEqual(
            (line.account_id, line.msp_revenue_income_account_id),
            (self.deferred, self.income),
        )
        writes = []
        original = AccountMoveLine.write

        def recording(lines, vals):
            if "account_id" in vals:
                writes.append((lines.ids, vals))
            return original(lines, vals)

        with patch.object(AccountMoveLine, "write", recording):
            invoice.action_post()
        self.assertEqual(writes, [])
        self.assertEqual(
            invoice.msp_revenue_schedule_ids.income_account_id, self.income
        )
        self.assertEqual(invoice.msp_revenue_schedule_ids.amount_total, 1200.0)
        # Within its month, the line stays on income.
        short = self.env["account.move"].create(
            dict(
                self._invoice_vals(self.clients[1], 100.0),
                invoice_line_ids=[
                    Command.create(
                        {
                            "product_id": self.product_fee.id,
                            "price_unit": 100.0,
                            "tax_ids": [Command.clear()],
                            "start_date": "2026-01-01",
                            "end_date": "2026-01-31",
                        }
                    )
                ],
            )
        )
        self.assertEqual(
            (
                short.invoice_line_ids.account_id,
                short.invoice_line_ids.msp_revenue_income_account_id.id,
            ),
            (self.income, False),
        )
