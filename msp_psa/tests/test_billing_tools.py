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

    def test_factor_label_in_other_words(self):
        def months(count):
            return f"{count} mois"

        def days(count, month_days):
            return f"{count}/{month_days} jours"

        self.assertEqual(
            billing.factor_label(
                date(2026, 1, 17), date(2026, 3, 31), 1, months=months, days=days
            ),
            " × 2 mois + 15/31 jours",
        )
        self.assertEqual(
            billing.factor_parts(date(2026, 1, 17), date(2026, 3, 31), 1),
            (2, [(15, 31)]),
        )

    def test_format_range_in_french(self):
        self.assertEqual(
            billing.format_range(date(2026, 1, 1), date(2026, 1, 31), "fr_FR"),
            "1–31 janv. 2026",
        )
        self.assertEqual(
            billing.format_range(date(2026, 1, 17), date(2026, 2, 14), "fr_FR"),
            "17 janv. – 14 févr. 2026",
        )
        self.assertEqual(
            billing.format_range(date(2026, 12, 1), date(2027, 2, 28), "fr_FR"),
            "1 déc. 2026 – 28 févr. 2027",
        )
        self.assertEqual(
            billing.format_range(date(2026, 5, 3), date(2026, 5, 3), "fr_FR"),
            "3 mai 2026",
        )
        self.assertEqual(billing.fmt_day(date(2026, 1, 17), "fr_FR"), "17 janv.")
        self.assertEqual(billing.fmt_day(date(2026, 9, 17)), "17 Sep")

    def test_amounts_and_quantities(self):
        self.assertEqual(billing.fmt_amount(2600.0, 0), "2600")
        self.assertEqual(billing.fmt_amount(7.125, 3), "7.125")
        self.assertEqual(billing.fmt_amount(25.0), "25.00")
        self.assertEqual(billing.fmt_quantity(2.5, ","), "2,5")
        self.assertEqual(billing.fmt_quantity(-3.0), "-3")

    def test_line_quantity_price(self):
        def cents(amount):
            return round(amount, 2)

        # whole months: units × months at the agreed price
        self.assertEqual(billing.line_quantity_price(12, 3, 12.5, 2, cents), (36, 12.5))
        # a fraction the quantity holds: 3 × 1/30 = 0.1 at 26.00 = 2.60
        self.assertEqual(
            billing.line_quantity_price(3, 1 / 30, 26.0, 2, cents), (0.1, 26.0)
        )
        # 3 × 15/31 = 1.4516...: 1.45 × 25.00 = 36.25, not 36.29: one charge
        self.assertEqual(
            billing.line_quantity_price(3, 15 / 31, 25.0, 2, cents), (1.0, 36.29)
        )
        # a credit keeps its sign
        self.assertEqual(
            billing.line_quantity_price(-3, 1 / 30, 26.0, 2, cents), (-0.1, 26.0)
        )
        self.assertEqual(
            billing.line_quantity_price(-1, 15 / 31, 31.0, 2, cents), (1.0, -15.0)
        )
        # with more decimals the quantity holds more fractions
        self.assertEqual(
            billing.line_quantity_price(2, 1 / 8, 40.0, 3, cents), (0.25, 40.0)
        )
        self.assertEqual(
            billing.line_quantity_price(1, 1 / 8, 40.0, 2, cents), (1.0, 5.0)
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

    def test_block_threshold_reached(self):
        thresholds = (70, 90, 100)
        self.assertEqual(blocks.threshold_reached(10, 4, 0, thresholds), 0)
        self.assertEqual(blocks.threshold_reached(10, 3, 0, thresholds), 70)
        self.assertEqual(blocks.threshold_reached(10, 0.5, 0, thresholds), 90)
        self.assertEqual(blocks.threshold_reached(10, 0, 0, thresholds), 100)
        self.assertEqual(blocks.threshold_reached(10, 0, 2.5, thresholds), 100)
        self.assertEqual(blocks.threshold_reached(0, 0, 0, thresholds), 0)
