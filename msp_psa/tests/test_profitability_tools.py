# Copyright 2026 msp_psa authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from datetime import date

from odoo.tests import BaseCase

from odoo.addons.msp_psa.tools import profitability as p


class TestProfitabilityTools(BaseCase):
    """The one definition of costs and margins, without records."""

    RATES = [(date(2026, 1, 1), 40.0), (date(2026, 2, 15), 48.0)]

    def test_rate_in_force(self):
        self.assertIsNone(p.rate_in_force(self.RATES, date(2025, 12, 31)))
        self.assertEqual(p.rate_in_force(self.RATES, date(2025, 12, 31), 0.0), 0.0)
        self.assertEqual(p.rate_in_force(self.RATES, date(2026, 1, 1)), 40.0)
        self.assertEqual(p.rate_in_force(self.RATES, date(2026, 2, 14)), 40.0)
        self.assertEqual(p.rate_in_force(self.RATES, date(2026, 2, 15)), 48.0)
        self.assertIsNone(p.rate_in_force([], date(2026, 2, 15)))

    def test_rate_segments(self):
        self.assertEqual(
            p.rate_segments(self.RATES),
            [
                (date(2026, 1, 1), date(2026, 2, 15), 40.0),
                (date(2026, 2, 15), None, 48.0),
            ],
        )
        self.assertEqual(p.rate_segments([]), [])

    def test_margin_and_rates(self):
        self.assertEqual(p.margin(835.0, 334.0), 501.0)
        self.assertEqual(p.margin_percent(835.0, 334.0), 60.0)
        self.assertEqual(p.margin_percent(600.0, 280.0), 53.33)
        self.assertEqual(p.margin_percent(704.0, 792.0), -12.5)
        self.assertIsNone(p.margin_percent(0.0, 50.0))
        self.assertEqual(p.effective_hourly_rate(835.0, 254.0, 2.0), 290.5)
        self.assertEqual(p.effective_hourly_rate(600.0, 0.0, 7.0), 85.71)
        self.assertIsNone(p.effective_hourly_rate(900.0, 0.0, 0.0))

    def test_prorated_cost(self):
        # 3 units at 18.00 in service 15 of 31 days
        self.assertAlmostEqual(p.prorated_cost(3, 18.0, 15, 31), 26.129, places=3)
        self.assertEqual(p.prorated_cost(3, 18.0, 31, 31), 54.0)
        self.assertEqual(p.prorated_cost(3, 18.0, 10, 0), 0.0)

    def test_reconcile(self):
        self.assertEqual(p.reconcile(958.45, 958.45), (0.0, True))
        self.assertEqual(p.reconcile(958.45, 958.44), (0.01, True))
        self.assertEqual(p.reconcile(958.45, 958.0), (0.45, False))

    def test_fmt_hours(self):
        self.assertEqual(p.fmt_hours(7.5), "7:30")
        self.assertEqual(p.fmt_hours(0.25), "0:15")
        self.assertEqual(p.fmt_hours(0), "0:00")
        self.assertEqual(p.fmt_hours(-1.5), "-1:30")
