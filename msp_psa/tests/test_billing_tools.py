# Copyright 2026 msp_psa authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from datetime import date

from odoo.tests import BaseCase

from odoo.addons.msp_psa.tools import billing, blocks


class TestBillingTools(BaseCase):
    """Pure helpers of the engine: proration factors, labels, segments."""

    def test_month_factor(self):
        self.assertEqual(
            billing.month_factor(date(2026, 1, 1), date(2026, 3, 31), 1), 3.0
        )
        self.assertEqual(
            billing.month_factor(date(2026, 1, 17), date(2026, 1, 31), 1), 15 / 31
        )
        self.assertEqual(
            billing.month_factor(date(2026, 2, 1), date(2026, 2, 28), 1), 1.0
        )
        self.assertEqual(
            billing.month_factor(date(2028, 2, 15), date(2028, 2, 29), 1), 15 / 29
        )
        # anchored on the 15th: 15 Jan - 14 Feb is one whole month
        self.assertEqual(
            billing.month_factor(date(2026, 1, 15), date(2026, 2, 14), 15), 1.0
        )

    def test_factor_label(self):
        self.assertEqual(
            billing.factor_label(date(2026, 1, 1), date(2026, 1, 31), 1), ""
        )
        self.assertEqual(
            billing.factor_label(date(2026, 1, 1), date(2026, 3, 31), 1), " × 3 months"
        )
        self.assertEqual(
            billing.factor_label(date(2026, 1, 17), date(2026, 1, 31), 1),
            " × 15/31 days",
        )
        self.assertEqual(
            billing.factor_label(date(2026, 1, 17), date(2026, 2, 28), 1),
            " × 1 month + 15/31 days",
        )

    def test_format_range(self):
        self.assertEqual(
            billing.format_range(date(2026, 1, 1), date(2026, 1, 31)), "1–31 Jan 2026"
        )
        self.assertEqual(
            billing.format_range(date(2026, 1, 17), date(2026, 2, 14)),
            "17 Jan – 14 Feb 2026",
        )
        self.assertEqual(
            billing.format_range(date(2026, 12, 1), date(2027, 2, 28)),
            "1 Dec 2026 – 28 Feb 2027",
        )

    def test_diff_segments(self):
        steps = [(date(2026, 1, 1), 10.0), (date(2026, 1, 17), 13.0)]

        def target(day):
            return billing.step_value(steps, day)

        def billed(day):
            return 10.0

        self.assertEqual(
            billing.diff_segments(
                date(2026, 1, 1),
                date(2026, 1, 31),
                target,
                billed,
                {d for d, _q in steps},
            ),
            [(date(2026, 1, 17), date(2026, 1, 31), 3.0)],
        )
        self.assertEqual(
            billing.diff_segments(
                date(2026, 1, 1), date(2026, 1, 31), billed, billed, set()
            ),
            [],
        )


class TestBlockLedger(BaseCase):
    def test_earliest_expiry_first_and_balance(self):
        ledger = blocks.BlockLedger(
            [
                ("feb", date(2026, 2, 1), date(2026, 4, 30), 10.0),
                ("jan", date(2026, 1, 1), date(2026, 3, 31), 10.0),
            ]
        )
        self.assertEqual(ledger.draw(date(2026, 1, 20), 6.0), (6.0, ["jan"]))
        # In February both are valid: January's expires first.
        self.assertEqual(ledger.draw(date(2026, 2, 10), 7.0), (7.0, ["jan", "feb"]))
        self.assertEqual(ledger.balance(date(2026, 2, 11)), (20.0, 7.0))
        # In April only February's is valid; it has 7 h left.
        self.assertEqual(ledger.draw(date(2026, 4, 2), 9.0), (7.0, ["feb"]))
        self.assertEqual(ledger.draw(date(2026, 5, 2), 1.0), (0.0, []))
