# Copyright 2026 msp_psa authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import importlib.util
import os
import xmlrpc.client
from datetime import date

from freezegun import freeze_time

from odoo import Command, fields
from odoo.exceptions import AccessError, ValidationError
from odoo.tests import BaseCase, HttpCase, new_test_user, tagged
from odoo.tools import config

from ..tools import billing
from .common import MspPsaCommon

RPC_FAULT_CODE_WARNING = 2


class TestPriceTools(BaseCase):
    """The pure arithmetic of dated prices, without records."""

    def test_price_steps_and_price_at(self):
        entries = [
            (date(2026, 1, 1), 0.0, 25.0, True),
            (date(2026, 3, 1), 25.0, 30.0, False),
            (date(2026, 3, 1), 30.0, 32.0, False),  # the later entry of a day wins
        ]
        steps = billing.price_steps(entries)
        self.assertEqual(billing.price_at(steps, date(2025, 12, 1)), 25.0)
        self.assertEqual(billing.price_at(steps, date(2026, 2, 28)), 25.0)
        self.assertEqual(billing.price_at(steps, date(2026, 3, 1)), 32.0)
        self.assertEqual(billing.price_at([], date(2026, 3, 1), 7.0), 7.0)
        # A log that starts with a change: before it, its old price.
        steps = billing.price_steps([(date(2026, 3, 1), 10.0, 12.0, False)])
        self.assertEqual(billing.price_at(steps, date(2026, 2, 1)), 10.0)

    def test_price_pieces(self):
        steps = [(None, 100.0), (date(2026, 2, 15), 120.0)]
        self.assertEqual(
            billing.price_pieces(steps, date(2026, 2, 1), date(2026, 2, 28)),
            [
                (date(2026, 2, 1), date(2026, 2, 14), 100.0),
                (date(2026, 2, 15), date(2026, 2, 28), 120.0),
            ],
        )
        self.assertEqual(
            billing.price_pieces(None, date(2026, 2, 1), date(2026, 2, 28), 9.0),
            [(date(2026, 2, 1), date(2026, 2, 28), 9.0)],
        )

    def test_settle_segments(self):
        d = date

        def settle(due, billed):
            return billing.settle_segments(
                d(2026, 2, 1),
                d(2026, 2, 28),
                due,
                billed,
                {d(2026, 2, 15)},
            )

        # Billed 10 at 30; from the 15th the price is 35: only the difference.
        self.assertEqual(
            settle(
                lambda day: (10, 35.0 if day >= d(2026, 2, 15) else 30.0),
                lambda day: [(10, 30.0)],
            ),
            [(d(2026, 2, 15), d(2026, 2, 28), 10, 35.0, 30.0)],
        )
        # Two more units from the 15th at an unchanged price: charged at it.
        self.assertEqual(
            settle(
                lambda day: (12 if day >= d(2026, 2, 15) else 10, 25.0),
                lambda day: [(10, 25.0)],
            ),
            [(d(2026, 2, 15), d(2026, 2, 28), 2, 25.0, None)],
        )
        # Removed units are credited at the price they were billed at, the
        # units kept re-priced.
        self.assertEqual(
            settle(
                lambda day: (8, 35.0) if day >= d(2026, 2, 15) else (10, 30.0),
                lambda day: [(10, 30.0)],
            ),
            [
                (d(2026, 2, 15), d(2026, 2, 28), -2, 30.0, None),
                (d(2026, 2, 15), d(2026, 2, 28), 8, 35.0, 30.0),
            ],
        )
        # A price change billed already (credit at 30, charge at 35) settles
        # nothing more.
        self.assertEqual(
            settle(
                lambda day: (10, 35.0 if day >= d(2026, 2, 15) else 30.0),
                lambda day: (
                    [(10, 30.0)]
                    + ([(-10, 30.0), (10, 35.0)] if day >= d(2026, 2, 15) else [])
                ),
            ),
            [],
        )
        # Nothing billed: the price of each day, one segment per price.
        self.assertEqual(
            settle(
                lambda day: (10, 35.0 if day >= d(2026, 2, 15) else 30.0),
                lambda day: [],
            ),
            [
                (d(2026, 2, 1), d(2026, 2, 14), 10, 30.0, None),
                (d(2026, 2, 15), d(2026, 2, 28), 10, 35.0, None),
            ],
        )


@tagged("post_install", "-at_install")
class TestPriceHistory(MspPsaCommon):
    """Dated prices: each day billed at its own price, a step inside a period
    prorated, a step in a period billed already settled on the next invoice
    for the difference only, past invoices never re-priced."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Run = cls.env["msp.billing.run"]
        cls.Price = cls.env["msp.agreement.price"]

    def _agreement(self, cycle="monthly", start="2026-01-01", **vals):
        return self._create_agreement(
            billing_cycle=cycle,
            date_start=fields.Date.to_date(start),
            fee_product_id=self.product_fee.id,
            **vals,
        )

    def _run(self, agreement, day):
        with freeze_time(day):
            run = self.Run.create({"date": day, "trigger": "manual"})
            run._run(agreement_ids=agreement.ids)
        return run.invoice_ids

    def _lines(self, move, kind=None):
        """(label's detail line, quantity, unit price, start, end) of the
        invoice's product lines."""
        lines = move.invoice_line_ids.filtered(
            lambda x: (
                x.display_type == "product" and (not kind or x.msp_line_kind == kind)
            )
        )
        return [
            (
                line.name.split("\n")[-1],
                line.quantity,
                line.price_unit,
                str(line.start_date),
                str(line.end_date),
            )
            for line in lines.sorted(lambda x: (x.start_date, x.id))
        ]

    def _log(self, record):
        return [
            (str(e.date), e.component, e.price_old, e.price_new, e.source, e.pending)
            for e in record.price_history_ids.sorted(lambda e: (e.date, e.id))
        ]

    # ------------------------------------------------------------------
    # Issue 16: a past period settled at its own price
    # ------------------------------------------------------------------
    def test_back_dated_quantity_settled_at_the_billed_price(self):
        agreement = self._agreement(start="2026-03-01", billing_model="per_user")
        seats = self._create_addition(agreement, quantity=10, price_unit=25.0)
        agreement.action_activate()
        self._run(agreement, "2026-03-01")
        self._run(agreement, "2026-04-01")
        with freeze_time("2026-04-20"):
            # The price rises: from the next period not billed yet, May.
            seats.price_unit = 30.0
            # April is billed at 25.00 and stays so until May.
            self.assertEqual(seats.price_unit, 25.0)
            # Then 2 users added back-dated to 17 April, a month billed.
            seats.set_quantity(12, date="2026-04-17")
        self.assertEqual(
            self._log(seats),
            [
                ("2026-03-01", "addition", 0.0, 25.0, "initial", False),
                ("2026-05-01", "addition", 25.0, 30.0, "manual", True),
            ],
        )
        with freeze_time("2026-05-01"):
            self.Price._cron_apply_prices()
        self.assertEqual(seats.price_unit, 30.0)
        may = self._run(agreement, "2026-05-01")
        self.assertEqual(
            self._lines(may),
            [
                (
                    "2 added 17 Apr, 17–30 Apr 2026: 2 × 25.00 × 14/30 days",
                    1.0,
                    23.33,
                    "2026-04-17",
                    "2026-04-30",
                ),
                ("1–31 May 2026: 12 × 30.00", 12.0, 30.0, "2026-05-01", "2026-05-31"),
            ],
        )
        self.assertFalse(self._run(agreement, "2026-05-01"), "settled once")

    # ------------------------------------------------------------------
    # A price step inside a monthly in-advance period
    # ------------------------------------------------------------------
    def test_monthly_step_prorated_when_not_billed(self):
        agreement = self._agreement(billing_model="per_user")
        seats = self._create_addition(agreement, quantity=10, price_unit=30.0)
        agreement.action_activate()
        self._run(agreement, "2026-01-01")
        with freeze_time("2026-01-20"):
            seats.set_price(35.0, date="2026-02-15", source="escalation")
            self.assertEqual(seats.price_unit, 30.0, "in force from 15 Feb")
        with freeze_time("2026-02-01"):
            action = agreement.action_preview_invoice()
        preview = self.env["msp.billing.preview"].browse(action["res_id"])
        products = preview.line_ids.filtered(lambda x: x.display_type == "product")
        # The preview's price column: each line's monthly price.
        self.assertEqual(products.mapped("monthly_price"), [30.0, 35.0])
        february = self._run(agreement, "2026-02-01")
        self.assertEqual(
            self._lines(february),
            [
                (
                    "1–14 Feb 2026: 10 × 30.00 × 14/28 days",
                    5.0,
                    30.0,
                    "2026-02-01",
                    "2026-02-14",
                ),
                (
                    "15–28 Feb 2026: 10 × 35.00 × 14/28 days",
                    5.0,
                    35.0,
                    "2026-02-15",
                    "2026-02-28",
                ),
            ],
        )
        self.assertEqual(february.amount_untaxed, 325.0)
        march = self._run(agreement, "2026-03-01")
        self.assertEqual(
            self._lines(march),
            [("1–31 Mar 2026: 10 × 35.00", 10.0, 35.0, "2026-03-01", "2026-03-31")],
        )

    def test_monthly_step_in_billed_period_settled_next_invoice(self):
        agreement = self._agreement(billing_model="per_user")
        seats = self._create_addition(agreement, quantity=10, price_unit=30.0)
        agreement.action_activate()
        self._run(agreement, "2026-01-01")
        february = self._run(agreement, "2026-02-01")
        with freeze_time("2026-02-20"):
            seats.set_price(35.0, date="2026-02-15", source="escalation")
            self.assertEqual(seats.price_unit, 35.0, "in force today")
        self.assertEqual(seats.settle_from, date(2026, 2, 15))
        march = self._run(agreement, "2026-03-01")
        self.assertEqual(
            self._lines(march),
            [
                (
                    (
                        "Price change from 15 Feb, 15–28 Feb 2026: 10 × (30.00 → 35.00)"
                        " × 14/28 days"
                    ),
                    5.0,
                    5.0,
                    "2026-02-15",
                    "2026-02-28",
                ),
                ("1–31 Mar 2026: 10 × 35.00", 10.0, 35.0, "2026-03-01", "2026-03-31"),
            ],
        )
        self.assertEqual(march.amount_untaxed, 375.0)
        # February's invoice is not re-priced; nothing is settled twice.
        self.assertEqual(february.amount_untaxed, 300.0)
        self.assertFalse(self._run(agreement, "2026-03-01"))
        april = self._run(agreement, "2026-04-01")
        self.assertEqual(
            self._lines(april),
            [("1–30 Apr 2026: 10 × 35.00", 10.0, 35.0, "2026-04-01", "2026-04-30")],
        )
        # A cancelled settlement is settled again by the next invoice.
        march.button_cancel()
        again = self._run(agreement, "2026-04-01")
        self.assertEqual(
            [line[:3] for line in self._lines(again)],
            [
                (
                    (
                        "Price change from 15 Feb, 15–28 Feb 2026: 10 × (30.00 → 35.00)"
                        " × 14/28 days"
                    ),
                    5.0,
                    5.0,
                ),
                ("1–31 Mar 2026: 10 × 35.00", 10.0, 35.0),
            ],
        )

    # ------------------------------------------------------------------
    # A quarterly in-advance period
    # ------------------------------------------------------------------
    def test_quarterly_steps_settled_and_prorated(self):
        agreement = self._agreement(cycle="quarterly", billing_model="per_device")
        devices = self._create_addition(
            agreement, self.product_device, quantity=4, price_unit=100.0
        )
        agreement.action_activate()
        q1 = self._run(agreement, "2026-01-01")
        self.assertEqual(q1.amount_untaxed, 1200.0)
        with freeze_time("2026-03-20"):
            # An anniversary inside Q1, billed already ...
            devices.set_price(110.0, date="2026-02-15", source="escalation")
            # ... and one inside Q2, not billed yet.
            devices.set_price(121.0, date="2026-05-15", source="escalation")
        q2 = self._run(agreement, "2026-04-01")
        self.assertEqual(
            self._lines(q2),
            [
                (
                    (
                        "Price change from 15 Feb, 15 Feb – 31 Mar 2026: 4 × (100.00 → "
                        "110.00) × 1 month + 14/28 days"
                    ),
                    6.0,
                    10.0,
                    "2026-02-15",
                    "2026-03-31",
                ),
                (
                    "1 Apr – 14 May 2026: 4 × 110.00 × 1 month + 14/31 days",
                    1.0,
                    638.71,
                    "2026-04-01",
                    "2026-05-14",
                ),
                (
                    "15 May – 30 Jun 2026: 4 × 121.00 × 1 month + 17/31 days",
                    1.0,
                    749.42,
                    "2026-05-15",
                    "2026-06-30",
                ),
            ],
        )
        self.assertEqual(q2.amount_untaxed, 60.0 + 638.71 + 749.42)
        self.assertEqual(q1.amount_untaxed, 1200.0, "Q1 is not re-priced")
        self.assertFalse(self._run(agreement, "2026-04-01"))
        q3 = self._run(agreement, "2026-07-01")
        self.assertEqual(
            self._lines(q3),
            [
                (
                    "1 Jul – 30 Sep 2026: 4 × 121.00 × 3 months",
                    12.0,
                    121.0,
                    "2026-07-01",
                    "2026-09-30",
                )
            ],
        )

    # ------------------------------------------------------------------
    # The fixed fee and the block price
    # ------------------------------------------------------------------
    def test_fixed_fee_steps(self):
        agreement = self._agreement(fixed_fee=100.0)
        agreement.action_activate()
        self._run(agreement, "2026-01-01")
        february = self._run(agreement, "2026-02-01")
        with freeze_time("2026-02-20"):
            agreement.set_fee(120.0, date="2026-02-15", source="escalation")
            self.assertEqual(agreement.fixed_fee, 120.0)
        self.assertEqual(agreement.fee_settle_from, date(2026, 2, 15))
        march = self._run(agreement, "2026-03-01")
        self.assertEqual(
            self._lines(march),
            [
                (
                    (
                        "Fixed fee change from 15 Feb, 15–28 Feb 2026: 100.00 → 120.00"
                        " × 14/28 days"
                    ),
                    0.5,
                    20.0,
                    "2026-02-15",
                    "2026-02-28",
                ),
                ("1–31 Mar 2026: 120.00", 1.0, 120.0, "2026-03-01", "2026-03-31"),
            ],
        )
        self.assertFalse(agreement.fee_settle_from)
        self.assertEqual(february.amount_untaxed, 100.0)
        self.assertFalse(self._run(agreement, "2026-03-01"))
        with freeze_time("2026-03-20"):
            agreement.set_fee(130.0, date="2026-04-11", source="escalation")
        april = self._run(agreement, "2026-04-01")
        self.assertEqual(
            self._lines(april),
            [
                (
                    "1–10 Apr 2026: 120.00 × 10/30 days",
                    1.0,
                    40.0,
                    "2026-04-01",
                    "2026-04-10",
                ),
                (
                    "11–30 Apr 2026: 130.00 × 20/30 days",
                    1.0,
                    86.67,
                    "2026-04-11",
                    "2026-04-30",
                ),
            ],
        )

    def test_block_price_step(self):
        agreement = self._agreement(
            billing_model="block_hours", block_hours=5, block_price=600.0
        )
        agreement.action_activate()
        self._run(agreement, "2026-01-01")
        with freeze_time("2026-01-20"):
            agreement.set_block_price(660.0, date="2026-01-15", source="escalation")
            agreement.set_block_price(690.0, date="2026-02-15", source="escalation")
        february = self._run(agreement, "2026-02-01")
        self.assertEqual(
            [line[:3] for line in self._lines(february, "block")],
            [
                (
                    (
                        "Block price change from 15 Jan, 15–31 Jan 2026: 600.00 → "
                        "660.00 × 17/31 days"
                    ),
                    1.0,
                    32.9,
                ),
                (
                    "Block of 5 hours, 1–14 Feb 2026: 660.00 × 14/28 days",
                    1.0,
                    330.0,
                ),
                (
                    "Block of 5 hours, 15–28 Feb 2026: 690.00 × 14/28 days",
                    1.0,
                    345.0,
                ),
            ],
        )

    # ------------------------------------------------------------------
    # A typed-in price, MRR, the log's rules
    # ------------------------------------------------------------------
    def test_manual_edit_from_next_unbilled_period(self):
        agreement = self._agreement(fixed_fee=100.0, billing_model="per_user")
        seats = self._create_addition(agreement, quantity=10, price_unit=30.0)
        agreement.action_activate()
        self._run(agreement, "2026-01-01")
        self._run(agreement, "2026-02-01")
        with freeze_time("2026-02-10"):
            seats.write({"price_unit": 40.0})
            agreement.write({"fixed_fee": 150.0})
            # January and February are billed: from 1 March.
            self.assertEqual((seats.price_unit, agreement.fixed_fee), (30.0, 100.0))
            self.assertEqual(agreement.mrr, 400.0)
            self.assertEqual(agreement.with_context(date="2026-03-15").mrr, 550.0)
            self.assertEqual(agreement.with_context(date="2026-01-15").mrr, 400.0)
        self.assertEqual(
            self._log(agreement)[-2:],
            [
                ("2026-03-01", "addition", 30.0, 40.0, "manual", True),
                ("2026-03-01", "fee", 100.0, 150.0, "manual", True),
            ],
        )
        # Marked to settle from 1 March: nothing billed is re-priced.
        self.assertEqual(seats.settle_from, date(2026, 3, 1))
        self.assertEqual(agreement.fee_settle_from, date(2026, 3, 1))
        with freeze_time("2026-03-01"):
            self.Price._cron_apply_prices()
            self.Price._cron_apply_prices()
        self.assertEqual((seats.price_unit, agreement.fixed_fee), (40.0, 150.0))
        self.assertFalse(
            self.Price.search([("agreement_id", "=", agreement.id)]).filtered("pending")
        )
        march = self._run(agreement, "2026-03-01")
        self.assertEqual(march.amount_untaxed, 550.0)
        # The same price again logs nothing.
        count = len(agreement.price_history_ids)
        seats.price_unit = 40.0
        self.assertEqual(len(agreement.price_history_ids), count)

    def test_mrr_reads_the_price_of_the_day(self):
        agreement = self._agreement(
            fixed_fee=100.0, block_hours=5, block_price=300.0, cycle="quarterly"
        )
        seats = self._create_addition(agreement, quantity=10, price_unit=30.0)
        agreement.action_activate()
        with freeze_time("2026-02-10"):
            seats.set_price(35.0, date="2026-03-01")
            agreement.set_fee(110.0, date="2026-03-01")
            agreement.set_block_price(330.0, date="2026-03-01")
            before = agreement.with_context(date="2026-02-28").mrr
            after = agreement.with_context(date="2026-03-01").mrr
            today = agreement.mrr
        self.assertEqual(before, 100.0 + 100.0 + 300.0)
        self.assertEqual(today, before)
        self.assertEqual(after, 110.0 + 110.0 + 350.0)
        self.assertEqual(seats._get_monthly_amounts_at(date(2026, 3, 1))[seats], 350.0)
        self.assertEqual(seats._get_price_at(date(2026, 2, 28)), 30.0)
        self.assertEqual(agreement._get_fee_at(date(2026, 3, 1)), 110.0)
        self.assertEqual(agreement._get_block_price_at(date(2026, 3, 1)), 330.0)

    def test_interface_and_bad_input(self):
        agreement = self._agreement(fixed_fee=100.0)
        seats = self._create_addition(agreement, quantity=10, price_unit=30.0)
        # The interface of escalations and change orders (the system's).
        entries = self.Price.sudo().create(
            [
                {
                    "agreement_id": agreement.id,
                    "addition_id": seats.id,
                    "component": "addition",
                    "date": "2026-01-01",
                    "price_new": 32.0,
                    "source": "change",
                    "note": "CO-1",
                },
                {
                    "agreement_id": agreement.id,
                    "component": "fee",
                    "date": "2026-01-01",
                    "price_new": 90.0,
                    "source": "change",
                    "note": "CO-1",
                },
            ]
        )
        self.assertEqual(entries.mapped("price_old"), [30.0, 100.0])
        self.assertEqual((seats.price_unit, agreement.fixed_fee), (32.0, 90.0))
        self.assertEqual(
            entries[0].display_name,
            f"{agreement.name}, {seats.product_id.display_name}: 30.00 → 32.00 "
            "from 1 Jan 2026",
        )
        count = self.Price.search_count([])
        with self.assertRaisesMsg(
            ValidationError, "unit price of .*: -5 is less than 0"
        ):
            seats.set_price(-5)
        with self.assertRaisesMsg(ValidationError, '"cheap"'):
            seats.set_price("cheap")
        with self.assertRaisesMsg(ValidationError, '"2026-13-01"'):
            agreement.set_fee(10, date="2026-13-01")
        with self.assertRaisesMsg(ValidationError, "before the addition starts"):
            seats.set_price(10, date="2025-12-01")
        with self.assertRaisesMsg(ValidationError, "guess"):
            seats.set_price(10, source="guess")
        self.assertEqual(self.Price.search_count([]), count)
        self.assertEqual(seats.price_unit, 32.0)
        # The log is the system's: users read it, nobody writes it.
        entry = entries[0].with_user(self.msp_manager)
        self.assertEqual(entry.price_new, 32.0)
        with self.assertRaises(AccessError):
            entry.write({"price_new": 1.0})
        with self.assertRaises(AccessError):
            entry.unlink()
        with self.assertRaises(AccessError):
            self.Price.with_user(self.msp_manager).create(
                [{"component": "fee", "agreement_id": agreement.id, "price_new": 1.0}]
            )

    # ------------------------------------------------------------------
    # The migration: the history as the invoices billed it
    # ------------------------------------------------------------------
    def test_migration_logs_the_billed_prices(self):
        agreement = self._agreement(fixed_fee=100.0, billing_model="per_user")
        seats = self._create_addition(agreement, quantity=10, price_unit=25.0)
        agreement.action_activate()
        cr = self.env.cr

        def before_history(price):
            # As before 18.0.1.3.0: a price without a log, changed in place.
            self.env.flush_all()
            cr.execute(
                "DELETE FROM msp_agreement_price WHERE agreement_id = %s",
                [agreement.id],
            )
            cr.execute(
                "UPDATE msp_agreement_addition SET price_unit = %s WHERE id = %s",
                [price, seats.id],
            )
            self.env.invalidate_all()

        before_history(25.0)
        self._run(agreement, "2026-01-01")
        before_history(30.0)
        self._run(agreement, "2026-02-01")
        before_history(35.0)  # typed in on 10 Feb, for March
        cr.execute(
            "UPDATE account_move_line SET msp_billed_quantity = NULL, "
            "msp_unit_price = NULL WHERE msp_agreement_id = %s "
            "AND msp_line_kind = 'fee'",
            [agreement.id],
        )
        path = os.path.join(
            os.path.dirname(__file__), "..", "migrations", "18.0.1.3.0", "post-price.py"
        )
        spec = importlib.util.spec_from_file_location("msp_psa_post_price", path)
        migration = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(migration)
        migration.migrate(cr, "18.0.1.2.0")
        migration.migrate(cr, "18.0.1.2.0")  # run twice: logged once
        self.env.invalidate_all()
        self.assertEqual(
            self._log(agreement),
            [
                ("2026-01-01", "fee", 0.0, 100.0, "initial", False),
                ("2026-01-01", "addition", 0.0, 25.0, "initial", False),
                ("2026-02-01", "addition", 25.0, 30.0, "initial", False),
                ("2026-03-01", "addition", 30.0, 35.0, "initial", False),
            ],
        )
        fee_lines = self.env["account.move.line"].search(
            [("msp_agreement_id", "=", agreement.id), ("msp_line_kind", "=", "fee")]
        )
        self.assertEqual(set(fee_lines.mapped("msp_unit_price")), {100.0})
        self.assertEqual(set(fee_lines.mapped("msp_billed_quantity")), {1.0})
        # Two users back-dated into February: at February's own 30.00.
        with freeze_time("2026-02-20"):
            seats.set_quantity(12, date="2026-02-15")
        march = self._run(agreement, "2026-03-01")
        self.assertEqual(
            [line[:3] for line in self._lines(march)],
            [
                ("2 added 15 Feb, 15–28 Feb 2026: 2 × 30.00 × 14/28 days", 1.0, 30.0),
                ("1–31 Mar 2026: 100.00", 1.0, 100.0),
                ("1–31 Mar 2026: 12 × 35.00", 12.0, 35.0),
            ],
        )


@tagged("post_install", "-at_install")
class TestPriceApi(HttpCase):
    """set_price / set_fee over real XML-RPC."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.api_user = new_test_user(
            cls.env,
            login="msp_price_api",
            password="msp_price_api_pw",
            groups="msp_psa.group_msp_psa_user,account.group_account_invoice",
        )
        client = cls.env["res.partner"].create(
            {"name": "Price Api Dental", "is_company": True}
        )
        seat = cls.env["product.product"].create(
            {"name": "Price Api Seat", "type": "service", "list_price": 25.0}
        )
        cls.agreement = cls.env["msp.agreement"].create(
            {
                "title": "Price Api IT",
                "partner_id": client.id,
                "date_start": date(2026, 1, 1),
                "addition_ids": [
                    Command.create({"product_id": seat.id, "quantity": 3})
                ],
            }
        )
        cls.seat = cls.agreement.addition_ids

    def _call(self, model, method, args, kwargs=None):
        proxy = xmlrpc.client.ServerProxy(
            f"http://127.0.0.1:{config['http_port']}/xmlrpc/2/object", allow_none=True
        )
        return proxy.execute_kw(
            self.env.cr.dbname,
            self.api_user.id,
            "msp_price_api_pw",
            model,
            method,
            args,
            kwargs or {},
        )

    def test_set_price_over_rpc(self):
        self._call(
            "msp.agreement.addition",
            "set_price",
            [self.seat.ids, 27.5],
            {"date": "2026-01-01", "note": "2026 list"},
        )
        self.env.invalidate_all()
        self.assertEqual(self.seat.price_unit, 27.5)
        entry = self.seat.price_history_ids.sorted("id")[-1]
        self.assertEqual((entry.price_old, entry.price_new), (25.0, 27.5))
        self.assertEqual((entry.source, entry.note), ("manual", "2026 list"))
        label = f"Price Api Seat on {self.agreement.display_name}"
        for args, kwargs, message in (
            ([self.seat.ids, "lots"], {}, f'unit price of {label}: "lots" is not a'),
            ([self.seat.ids, -1], {}, f"unit price of {label}: -1"),
            ([self.seat.ids, 10], {"date": "soon"}, '"soon"'),
        ):
            with self.assertRaises(xmlrpc.client.Fault) as cm:
                self._call("msp.agreement.addition", "set_price", args, kwargs)
            self.assertEqual(cm.exception.faultCode, RPC_FAULT_CODE_WARNING)
            self.assertIn(message, cm.exception.faultString)
        self.env.invalidate_all()
        self.assertEqual(len(self.seat.price_history_ids), 2)
        # A plain write over RPC is logged as a manual change, from the next
        # period not billed yet (the start: nothing is billed).
        self._call(
            "msp.agreement.addition", "write", [self.seat.ids, {"price_unit": 28}]
        )
        self.env.invalidate_all()
        entry = self.seat.price_history_ids.sorted("id")[-1]
        self.assertEqual(
            (str(entry.date), entry.price_old, entry.price_new, entry.source),
            ("2026-01-01", 27.5, 28.0, "manual"),
        )
        self.assertEqual(self.seat.price_unit, 28.0)
        self._call("msp.agreement", "set_fee", [self.agreement.ids, 50], {})
        self.env.invalidate_all()
        self.assertEqual(self.agreement.fixed_fee, 50.0)
