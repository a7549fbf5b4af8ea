# Copyright 2026 msp_psa authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from datetime import date

from odoo.tests import BaseCase

from odoo.addons.msp_psa.tools import coverage


class TestCoverage(BaseCase):
    """The agreement in force on a day and the covering agreement of a ticket,
    without records."""

    def test_in_force(self):
        start, end = date(2026, 1, 1), date(2026, 12, 31)
        self.assertFalse(coverage.in_force(date(2025, 12, 31), start, end, False))
        self.assertTrue(coverage.in_force(start, start, end, False))
        self.assertTrue(coverage.in_force(end, start, end, False))
        self.assertFalse(coverage.in_force(date(2027, 1, 1), start, end, False))
        self.assertTrue(
            coverage.in_force(date(2027, 1, 1), start, end, True),
            "a renewing agreement stays in force",
        )
        self.assertTrue(coverage.in_force(date(2040, 1, 1), start, None, False))

    def test_coverage_rank(self):
        self.assertEqual(coverage.coverage_rank((), (), 1, 2), 0)
        self.assertEqual(coverage.coverage_rank((1,), (), 1, 2), 1)
        self.assertEqual(coverage.coverage_rank((1,), (2,), 1, 2), 2)
        self.assertIsNone(coverage.coverage_rank((3,), (), 1, 2))
        self.assertIsNone(coverage.coverage_rank((), (3,), 1, False))

    def test_best_covering(self):
        day = date(2026, 3, 1)
        candidates = [
            ("recent", date(2026, 2, 1), None, False, (), ()),
            ("team", date(2026, 1, 1), None, False, (7,), ()),
            ("not yet", date(2026, 4, 1), None, False, (7,), (9,)),
            ("ended", date(2025, 1, 1), date(2025, 12, 31), False, (7,), (9,)),
        ]
        self.assertEqual(coverage.best_covering(candidates, day, 7, 9), "team")
        self.assertEqual(coverage.best_covering(candidates, day, 8, 9), "recent")
        self.assertEqual(
            coverage.best_covering(candidates[:1], day, 8, 9),
            "recent",
        )
        self.assertIsNone(coverage.best_covering(candidates[2:], day, 7, 9))
