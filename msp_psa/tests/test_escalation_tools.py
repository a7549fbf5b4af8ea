# Copyright 2026 msp_psa authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from datetime import date

from odoo.tests import BaseCase

from odoo.addons.msp_psa.tools import escalation as esc


class TestEscalationTools(BaseCase):
    """Anniversaries, index values in force, percentages, cap, floor and
    rounding: pure arithmetic, no records."""

    def test_first_anniversary(self):
        self.assertEqual(esc.first_anniversary(date(2025, 3, 15)), date(2026, 3, 15))
        self.assertEqual(
            esc.first_anniversary(date(2025, 3, 15), date(2026, 1, 1)),
            date(2026, 1, 1),
        )
        # a 29 February start: 28 February in a common year
        self.assertEqual(esc.first_anniversary(date(2024, 2, 29)), date(2025, 2, 28))

    def test_anniversaries_between_catch_up(self):
        first = date(2025, 3, 1)
        # a back-dated agreement: each missed anniversary once, in order
        self.assertEqual(
            esc.anniversaries_between(first, first, date(2026, 12, 2)),
            [date(2025, 3, 1), date(2026, 3, 1)],
        )
        # the window's ends are included, nothing outside
        self.assertEqual(
            esc.anniversaries_between(first, date(2026, 3, 1), date(2027, 3, 1)),
            [date(2026, 3, 1), date(2027, 3, 1)],
        )
        self.assertEqual(
            esc.anniversaries_between(first, date(2026, 3, 2), date(2027, 2, 28)), []
        )
        self.assertEqual(esc.anniversaries_between(first, None, date(2025, 2, 28)), [])
        self.assertEqual(
            esc.anniversaries_between(first, None, date(2025, 3, 1)), [date(2025, 3, 1)]
        )

    def test_leap_day_anchor_does_not_drift(self):
        self.assertEqual(
            esc.anniversaries_between(date(2028, 2, 29), None, date(2033, 3, 1)),
            [
                date(2028, 2, 29),
                date(2029, 2, 28),
                date(2030, 2, 28),
                date(2031, 2, 28),
                date(2032, 2, 29),
                date(2033, 2, 28),
            ],
        )
        self.assertEqual(
            esc.next_anniversary(date(2028, 2, 29), date(2031, 2, 28)),
            date(2032, 2, 29),
        )

    def test_next_anniversary(self):
        first = date(2026, 1, 1)
        self.assertEqual(esc.next_anniversary(first), first)
        self.assertEqual(esc.next_anniversary(first, date(2025, 6, 1)), first)
        self.assertEqual(esc.next_anniversary(first, first), date(2027, 1, 1))
        self.assertEqual(
            esc.next_anniversary(first, date(2030, 12, 31)), date(2031, 1, 1)
        )

    def test_index_value_in_force(self):
        values = [
            (date(2026, 1, 1), 119.8),
            (date(2026, 2, 1), 120.1),
            (date(2026, 12, 1), 123.4),
        ]
        self.assertIsNone(esc.index_value_on(values, date(2025, 12, 31)))
        self.assertEqual(esc.index_value_on(values, date(2026, 1, 1)), 119.8)
        self.assertEqual(esc.index_value_on(values, date(2026, 1, 31)), 119.8)
        self.assertEqual(esc.index_value_on(values, date(2026, 11, 30)), 120.1)
        self.assertEqual(esc.index_value_on(values, date(2027, 1, 1)), 123.4)
        self.assertEqual(
            esc.index_dates(date(2027, 1, 1)), (date(2027, 1, 1), date(2026, 1, 1))
        )

    def test_fixed_percent(self):
        self.assertEqual(esc.percent_change("fixed", 3.0), (3.0, None))
        self.assertEqual(esc.escalate(100.0, 3.0), 103.0)
        self.assertEqual(esc.escalate(450.0, 3.0), 463.5)
        # half up to the cent: 25.00 × 1.025 = 25.625 → 25.63
        self.assertEqual(esc.escalate(25.0, 2.5), 25.63)
        self.assertEqual(esc.escalate(26.0, -100.0), 0.0)
        # the currency's rounding: yen, dinars
        self.assertEqual(esc.escalate(2600, 3.3, rounding=1), 2686)
        self.assertEqual(esc.escalate(12.345, 1.0, rounding=0.001), 12.468)

    def test_index_formula_to_the_cent(self):
        # 600.00 × 123.4 / 118.9 = 622.7085… → 622.71
        self.assertEqual(esc.escalate_index(600.0, 123.4, 118.9), 622.71)
        percent, reason = esc.percent_change("index", 0.0, 123.4, 119.8)
        self.assertIsNone(reason)
        self.assertAlmostEqual(percent, 3.00500834724541, places=10)
        # 450.00 × 123.4 / 119.8 = 463.5225… → 463.52
        self.assertEqual(esc.escalate(450.0, percent), 463.52)
        # an index going down lowers the price
        self.assertEqual(esc.escalate_index(100.0, 98.0, 100.0), 98.0)

    def test_cap_and_floor(self):
        # +8.5 % capped at 5 %; -2 % floored at 0 %
        self.assertEqual(
            esc.percent_change("index", 0.0, 108.5, 100.0, cap=5.0, floor=0.0),
            (5.0, None),
        )
        self.assertEqual(
            esc.percent_change("index", 0.0, 98.0, 100.0, cap=5.0, floor=0.0),
            (0.0, None),
        )
        self.assertEqual(esc.escalate_index(600.0, 108.5, 100.0, cap=5.0), 630.0)
        self.assertEqual(esc.escalate_index(600.0, 98.0, 100.0, floor=1.0), 606.0)
        # inside the band: the ratio itself
        self.assertEqual(
            esc.escalate_index(600.0, 103.0, 100.0, cap=5.0, floor=0.0), 618.0
        )
        # a fixed percentage is limited too
        self.assertEqual(esc.percent_change("fixed", 7.0, cap=4.0), (4.0, None))
        self.assertEqual(esc.clamp(3.0), 3.0)

    def test_missing_index(self):
        self.assertEqual(
            esc.percent_change("index", 0.0, None, 100.0), (None, esc.MISSING_INDEX)
        )
        self.assertEqual(
            esc.percent_change("index", 0.0, 101.0, None), (None, esc.MISSING_INDEX)
        )
        self.assertEqual(
            esc.percent_change("index", 0.0, 101.0, 0.0), (None, esc.ZERO_INDEX)
        )
        self.assertIsNone(esc.escalate_index(600.0, None, 100.0))
