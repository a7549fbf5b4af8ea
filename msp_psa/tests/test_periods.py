# Copyright 2026 msp_psa authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from datetime import date, timedelta

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

    def test_period_containing_stub_then_cycles(self):
        # Starts on 17 Jan, anchored on the 1st: a stub to 31 Jan, then months.
        start = date(2026, 1, 17)
        self.assertEqual(
            periods.period_containing(date(2026, 1, 20), start, 1, 1),
            (date(2026, 1, 17), date(2026, 1, 31)),
        )
        self.assertEqual(
            periods.period_containing(date(2026, 1, 17), start, 1, 1),
            (date(2026, 1, 17), date(2026, 1, 31)),
        )
        self.assertEqual(
            periods.period_containing(date(2026, 2, 1), start, 1, 1),
            (date(2026, 2, 1), date(2026, 2, 28)),
        )
        self.assertEqual(
            periods.period_containing(date(2031, 7, 9), start, 1, 1),
            (date(2031, 7, 1), date(2031, 7, 31)),
        )
        # A day before the start: the first period.
        self.assertEqual(
            periods.period_containing(date(2025, 12, 1), start, 1, 1),
            (date(2026, 1, 17), date(2026, 1, 31)),
        )

    def test_period_containing_anchors_29_to_31(self):
        # Anchored on the 31st: 31 Jan - 27 Feb, 28 Feb - 30 Mar, 31 Mar - 29 Apr.
        start = date(2026, 1, 31)
        self.assertEqual(
            periods.period_containing(date(2026, 2, 27), start, 1, 31),
            (date(2026, 1, 31), date(2026, 2, 27)),
        )
        self.assertEqual(
            periods.period_containing(date(2026, 3, 30), start, 1, 31),
            (date(2026, 2, 28), date(2026, 3, 30)),
        )
        self.assertEqual(
            periods.period_containing(date(2026, 4, 1), start, 1, 31),
            (date(2026, 3, 31), date(2026, 4, 29)),
        )
        # Anchored on the 29th, in a leap year: 29 Feb is February's anchor day.
        self.assertEqual(
            periods.period_containing(date(2028, 3, 1), date(2028, 1, 29), 1, 29),
            (date(2028, 2, 29), date(2028, 3, 28)),
        )
        # Anchored on the 30th: 28 Feb is February's anchor day.
        self.assertEqual(
            periods.period_containing(date(2026, 2, 28), date(2026, 1, 30), 1, 30),
            (date(2026, 2, 28), date(2026, 3, 29)),
        )

    def test_period_containing_quarterly_and_annual(self):
        # Quarterly from a stub: 17-31 Jan, then Feb-Apr, May-Jul...
        start = date(2026, 1, 17)
        self.assertEqual(
            periods.period_containing(date(2026, 4, 30), start, 3, 1),
            (date(2026, 2, 1), date(2026, 4, 30)),
        )
        self.assertEqual(
            periods.period_containing(date(2026, 5, 1), start, 3, 1),
            (date(2026, 5, 1), date(2026, 7, 31)),
        )
        # Annual on the 29th from 29 Feb 2028: 28 Feb is the anchor day after.
        self.assertEqual(
            periods.period_containing(date(2029, 2, 27), date(2028, 2, 29), 12, 29),
            (date(2028, 2, 29), date(2029, 2, 27)),
        )
        self.assertEqual(
            periods.period_containing(date(2029, 3, 1), date(2028, 2, 29), 12, 29),
            (date(2029, 2, 28), date(2030, 2, 27)),
        )
        self.assertEqual(
            periods.period_containing(date(2032, 2, 29), date(2028, 2, 29), 12, 29),
            (date(2032, 2, 29), date(2033, 2, 27)),
        )

    def test_period_containing_end_of_term(self):
        start, end = date(2026, 1, 1), date(2026, 5, 15)
        self.assertEqual(
            periods.period_containing(date(2026, 5, 2), start, 1, 1, term_end=end),
            (date(2026, 5, 1), date(2026, 5, 15)),
        )
        self.assertEqual(
            periods.period_containing(date(2026, 4, 2), start, 3, 1, term_end=end),
            (date(2026, 4, 1), date(2026, 5, 15)),
        )
        self.assertIsNone(
            periods.period_containing(date(2026, 5, 16), start, 1, 1, term_end=end)
        )

    def test_period_containing_matches_walking_the_periods(self):
        def walk(day, origin, months, anchor_day):
            start = origin
            while True:
                bounds = periods.period_bounds(start, months, anchor_day)
                if bounds[1] >= day:
                    return bounds
                start = bounds[1] + timedelta(days=1)

        for origin in (date(2026, 1, 1), date(2026, 1, 17), date(2027, 12, 31)):
            for anchor_day in (1, 15, 28, 29, 30, 31):
                for months in periods.CYCLE_MONTHS.values():
                    for offset in range(-20, 1500, 11):
                        day = origin + timedelta(days=offset)
                        self.assertEqual(
                            periods.period_containing(day, origin, months, anchor_day),
                            walk(day, origin, months, anchor_day),
                            f"{day} from {origin}, {months} months, "
                            f"anchor {anchor_day}",
                        )

    def test_period_containing_years_after_the_start(self):
        """Ten years on, from month-end and leap-day starts, on every cycle:
        the direct answer is the walk's, the first and last day of each period
        included."""

        def walk(day, origin, months, anchor_day):
            start = origin
            while True:
                bounds = periods.period_bounds(start, months, anchor_day)
                if bounds[1] >= day:
                    return bounds
                start = bounds[1] + timedelta(days=1)

        origins = (date(2016, 1, 31), date(2016, 2, 29), date(2016, 8, 30))
        for origin in origins:
            for anchor_day in (1, origin.day, 31):
                for months in periods.CYCLE_MONTHS.values():
                    day = date(2025, 11, 1)
                    while day <= date(2027, 3, 1):
                        expected = walk(day, origin, months, anchor_day)
                        self.assertEqual(
                            periods.period_containing(day, origin, months, anchor_day),
                            expected,
                            f"{day} from {origin}, {months} months, "
                            f"anchor {anchor_day}",
                        )
                        day += timedelta(days=1 if day.day > 26 else 5)
        # The months that end on a clamped anchor day, spelled out.
        self.assertEqual(
            periods.period_containing(date(2026, 2, 28), date(2016, 1, 31), 1, 31),
            (date(2026, 2, 28), date(2026, 3, 30)),
        )
        self.assertEqual(
            periods.period_containing(date(2026, 2, 27), date(2016, 1, 31), 1, 31),
            (date(2026, 1, 31), date(2026, 2, 27)),
        )
        self.assertEqual(
            periods.period_containing(date(2026, 3, 1), date(2016, 2, 29), 3, 29),
            (date(2026, 2, 28), date(2026, 5, 28)),
        )
        self.assertEqual(
            periods.period_containing(date(2028, 2, 29), date(2016, 2, 29), 12, 29),
            (date(2028, 2, 29), date(2029, 2, 27)),
        )
