# Copyright 2026 msp_psa authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""The pure arithmetic of usage signals and of the renewals queue: no records."""

from datetime import date

from odoo.tests import BaseCase

from odoo.addons.msp_psa.tools import renewals, signals


class TestSignalTools(BaseCase):
    def test_under_billing(self):
        self.assertIsNone(signals.under_billing(10, 10))
        self.assertIsNone(signals.under_billing(10, 8))
        self.assertIsNone(signals.under_billing(10, None))
        self.assertEqual(
            signals.under_billing(10, 12), {"billed": 10, "counted": 12, "missing": 2}
        )

    def test_growth(self):
        series = [("d-90", 7), ("d-60", 7), ("d-30", 8), ("d", 9)]
        found = signals.growth(series, 20)
        self.assertEqual(found["growth_pct"], 28.6)
        self.assertEqual((found["from"], found["to"]), (7, 9))
        self.assertEqual(found["series"], series)
        # 28.6 % is under a 30 % threshold; exactly at it counts
        self.assertIsNone(signals.growth(series, 30))
        self.assertIsNotNone(signals.growth([("a", 10), ("b", 12)], 20))
        self.assertIsNone(signals.growth([("a", 10), ("b", 11.99)], 20))
        # falling or flat: nothing; from zero, any rise counts
        self.assertIsNone(signals.growth([("a", 9), ("b", 7)], 20))
        self.assertIsNone(signals.growth([("a", 9)], 20))
        self.assertIsNone(signals.growth([("a", 0), ("b", 5)], 20)["growth_pct"])
        self.assertEqual(signals.projected_quantity(7, 9), 11)
        self.assertEqual(signals.projected_quantity(10, 12.5), 15)

    def test_repeated_overage(self):
        self.assertIsNone(
            signals.repeated_overage([("Jan", 0), ("Feb", 2), ("Mar", 0)])
        )
        found = signals.repeated_overage(
            [("Dec", 5), ("Jan", 0), ("Feb", 2), ("Mar", 3)]
        )
        # only the last three periods count
        self.assertEqual(found["periods_over"], 2)
        self.assertEqual(found["average_overage"], 2.5)
        self.assertEqual(found["series"], [("Jan", 0), ("Feb", 2), ("Mar", 3)])

    def test_block_burn(self):
        # 6 h left, 15 h in 30 days = 0.5 h/day: empty in 12 days, 20 days left
        found = signals.block_burn(6, 15, 30, 20, 7)
        self.assertEqual(found["days_to_empty"], 12)
        self.assertEqual(found["days_early"], 8)
        self.assertEqual(found["burn_per_day"], 0.5)
        self.assertEqual(found["shortfall_hours"], 4)
        # 8 days early is under a 9-day margin
        self.assertIsNone(signals.block_burn(6, 15, 30, 20, 9))
        # no time logged: no burn
        self.assertIsNone(signals.block_burn(6, 0, 30, 20, 7))
        # already empty: runs out now, 20 days early
        self.assertEqual(signals.block_burn(-2, 15, 30, 20, 7)["days_early"], 20)

    def test_tickets_per_user(self):
        series = [("2026-08", 10, 10), ("2026-09", 12, 10), ("2026-10", 15, 10)]
        found = signals.tickets_per_user_rising(series)
        self.assertEqual(found["ratios"], [1.0, 1.2, 1.5])
        self.assertEqual(found["series"][2], ("2026-10", 15, 10, 1.5))
        # more tickets but more users too: the ratio is flat
        self.assertIsNone(
            signals.tickets_per_user_rising(
                [("a", 10, 10), ("b", 12, 12), ("c", 15, 15)]
            )
        )
        self.assertIsNone(
            signals.tickets_per_user_rising(
                [("a", 10, 10), ("b", 12, 0), ("c", 15, 10)]
            )
        )
        self.assertIsNone(signals.tickets_per_user_rising(series[:2]))


class TestRenewalTools(BaseCase):
    def test_term_end_and_decision(self):
        today = date(2026, 12, 2)
        self.assertEqual(
            renewals.term_end_for_decision(date(2026, 1, 1), date(2026, 12, 31), today),
            date(2026, 12, 31),
        )
        # open-ended: the day before the next anniversary
        self.assertEqual(
            renewals.term_end_for_decision(date(2024, 3, 15), None, today),
            date(2027, 3, 14),
        )
        self.assertEqual(
            renewals.term_end_for_decision(date(2024, 12, 2), None, today),
            date(2027, 12, 1),
        )
        self.assertEqual(
            renewals.term_end_for_decision(date(2024, 12, 3), None, today),
            date(2026, 12, 2),
        )
        # starts later this year or next: its first anniversary
        self.assertEqual(
            renewals.term_end_for_decision(date(2027, 2, 1), None, today),
            date(2028, 1, 31),
        )
        self.assertEqual(
            renewals.decision_date(date(2026, 12, 31), 30), date(2026, 12, 1)
        )
        self.assertIsNone(renewals.decision_date(None, 30))

    def test_buckets(self):
        today = date(2026, 12, 2)
        cases = {
            date(2026, 12, 1): "overdue",
            date(2026, 12, 2): "d30",
            date(2027, 1, 1): "d30",
            date(2027, 1, 2): "d60",
            date(2027, 1, 31): "d60",
            date(2027, 2, 1): "d90",
            date(2027, 3, 2): "d90",
            date(2027, 3, 3): "later",
        }
        for decision, expected in cases.items():
            self.assertEqual(renewals.bucket(decision, today), expected, decision)
        self.assertFalse(renewals.bucket(None, today))

    def test_steps(self):
        self.assertEqual(renewals.parse_steps("90, 60,30"), [90, 60, 30])
        self.assertEqual(renewals.parse_steps("30,90,30"), [90, 30])
        self.assertEqual(renewals.parse_steps(""), [])
        with self.assertRaises(ValueError) as cm:
            renewals.parse_steps("90,sixty")
        self.assertEqual(str(cm.exception), "sixty")
        with self.assertRaises(ValueError):
            renewals.parse_steps("-5")
        decision = date(2027, 3, 1)
        steps = [90, 60, 30]
        self.assertEqual(renewals.due_steps(decision, steps, date(2026, 11, 30)), [])
        self.assertEqual(renewals.due_steps(decision, steps, date(2026, 12, 1)), [90])
        self.assertEqual(
            renewals.due_steps(decision, steps, date(2027, 2, 1)), [90, 60, 30]
        )
        self.assertEqual(renewals.due_steps(decision, steps, decision), [90, 60, 30])
        # the decision date passed: no reminder any more
        self.assertEqual(renewals.due_steps(decision, steps, date(2027, 3, 2)), [])
