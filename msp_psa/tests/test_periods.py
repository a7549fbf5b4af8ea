# Copyright 2026 msp_psa authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from datetime import date

from odoo.tests import BaseCase

from odoo.addons.msp_psa.tools import periods


class TestPeriods(BaseCase):
    """Pure date helpers: no records needed."""

    def test_anchor_clamped_to_short_months(self):
        self.assertEqual(periods.anchored(2026, 2, 31), date(2026, 2, 28))
        self.assertEqual(periods.anchored(2028, 2, 31), date(2028, 2, 29))  # leap year
        self.assertEqual(periods.anchored(2026, 4, 31), date(2026, 4, 30))
        self.assertEqual(periods.anchored(2026, 2, 29), date(2026, 2, 28))
        self.assertEqual(periods.anchored(2026, 3, 30), date(2026, 3, 30))

    def test_no_drift_after_short_month(self):
        # Anchored on the 31st: 31 Jan -> 28 Feb -> 31 Mar, never 28 Mar.
        start = date(2026, 1, 31)
        feb = periods.add_cycle(start, 1, 31)
        self.assertEqual(feb, date(2026, 2, 28))
        self.assertEqual(periods.add_cycle(feb, 1, 31), date(2026, 3, 31))

    def test_monthly_period_bounds(self):
        self.assertEqual(
            periods.period_bounds(date(2026, 2, 1), 1, 1),
            (date(2026, 2, 1), date(2026, 2, 28)),
        )
        self.assertEqual(
            periods.period_bounds(date(2028, 2, 1), 1, 1),
            (date(2028, 2, 1), date(2028, 2, 29)),
        )
        # Anchor 30: 30 Jan - 27 Feb (28 Feb is February's anchor date)
        self.assertEqual(
            periods.period_bounds(date(2026, 1, 30), 1, 30),
            (date(2026, 1, 30), date(2026, 2, 27)),
        )
        self.assertEqual(
            periods.period_bounds(date(2026, 2, 28), 1, 30),
            (date(2026, 2, 28), date(2026, 3, 29)),
        )

    def test_stub_period_until_first_anchor(self):
        self.assertEqual(
            periods.period_bounds(date(2026, 1, 17), 1, 1),
            (date(2026, 1, 17), date(2026, 1, 31)),
        )
        self.assertEqual(
            periods.period_bounds(date(2026, 1, 17), 3, 1),
            (date(2026, 1, 17), date(2026, 1, 31)),
        )
        self.assertEqual(
            periods.first_boundary(date(2026, 1, 17), 15), date(2026, 2, 15)
        )
        self.assertEqual(
            periods.first_boundary(date(2026, 1, 15), 15), date(2026, 1, 15)
        )

    def test_quarterly_and_annual_bounds(self):
        self.assertEqual(
            periods.period_bounds(date(2026, 1, 1), 3, 1),
            (date(2026, 1, 1), date(2026, 3, 31)),
        )
        self.assertEqual(
            periods.period_bounds(date(2026, 11, 30), 3, 30),
            (date(2026, 11, 30), date(2027, 2, 27)),
        )
        self.assertEqual(
            periods.period_bounds(date(2028, 2, 29), 12, 29),
            (date(2028, 2, 29), date(2029, 2, 27)),
        )

    def test_days(self):
        self.assertEqual(periods.days_between(date(2026, 1, 17), date(2026, 1, 31)), 15)

    def test_term_end(self):
        self.assertEqual(periods.term_end(date(2026, 1, 15), 12), date(2027, 1, 14))
        self.assertEqual(periods.term_end(date(2028, 2, 29), 12), date(2029, 2, 28))
        self.assertEqual(periods.term_end(date(2026, 1, 31), 1), date(2026, 2, 28))
        self.assertEqual(periods.term_end(date(2026, 3, 1), 3), date(2026, 5, 31))
