# Copyright 2026 msp_psa authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from datetime import date

from odoo.tests import BaseCase

from odoo.addons.msp_psa.tools import movement


class TestMovementTools(BaseCase):
    """MRR movement classification, without records."""

    def test_classify(self):
        self.assertEqual(movement.classify(0, 750, False)["new"], 750)
        self.assertEqual(movement.classify(0, 300, True)["reactivation"], 300)
        self.assertEqual(movement.classify(750, 850, False)["expansion"], 100)
        self.assertEqual(movement.classify(850, 800, False)["contraction"], 50)
        self.assertEqual(movement.classify(800, 0, False)["churn"], 800)
        self.assertEqual(
            set(movement.classify(100, 100, True).values()), {0.0}, "no change"
        )

    def test_client_history_reconciles(self):
        # A: new, seats added, seats removed, churned; B: the client comes back
        result = movement.client_movements(
            {
                "A": [750, 850, 800, 0, 0, 0],
                "B": [0, 0, 0, 0, 0, 300.333],
            }
        )
        a, b = result["A"], result["B"]
        self.assertEqual(a[0]["new"], 750)
        self.assertEqual(a[1]["expansion"], 100)
        self.assertEqual(a[2]["contraction"], 50)
        self.assertEqual(a[3]["churn"], 800)
        self.assertEqual(b[5]["reactivation"], 300.33)
        self.assertEqual(b[5]["new"], 0)
        for row in a + b:
            self.assertTrue(movement.reconciles(row), row)

    def test_second_agreement_of_a_live_client_is_new(self):
        result = movement.client_movements({"A": [100, 100], "B": [0, 50]})
        self.assertEqual(result["B"][1]["new"], 50)
        self.assertEqual(result["B"][1]["reactivation"], 0)

    def test_agreement_resumed_is_reactivation(self):
        result = movement.client_movements(
            {"A": [0, 40]}, opening={"A": 0.0}, seen={"A"}, client_seen=True
        )
        self.assertEqual(result["A"][1]["reactivation"], 40)

    def test_window_continues_history(self):
        result = movement.client_movements(
            {"A": [120.0]}, opening={"A": 100.0}, seen={"A"}, client_seen=True
        )
        self.assertEqual(result["A"][0]["opening"], 100.0)
        self.assertEqual(result["A"][0]["expansion"], 20.0)

    def test_state_and_live_days(self):
        steps = [
            (date(2026, 3, 1), "draft"),
            (date(2026, 3, 2), "active"),
            (date(2026, 4, 20), "cancelled"),
        ]
        start = date(2026, 1, 1)
        # activated late: counts from the start (billing catches up)
        self.assertTrue(movement.live_on(date(2026, 1, 31), start, None, True, steps))
        self.assertTrue(movement.live_on(date(2026, 4, 19), start, None, True, steps))
        self.assertFalse(movement.live_on(date(2026, 4, 30), start, None, True, steps))
        self.assertFalse(movement.live_on(date(2025, 12, 31), start, None, True, steps))
        self.assertFalse(
            movement.live_on(date(2026, 1, 31), start, None, True, steps[:1]),
            "never activated",
        )
        # ended, not renewing
        self.assertFalse(
            movement.live_on(date(2026, 3, 31), start, date(2026, 2, 28), False, steps)
        )

    def test_months(self):
        self.assertEqual(
            movement.months_between(date(2025, 11, 15), date(2026, 2, 3)),
            [date(2025, 11, 1), date(2025, 12, 1), date(2026, 1, 1), date(2026, 2, 1)],
        )
        self.assertEqual(movement.month_end(date(2028, 2, 10)), date(2028, 2, 29))
        self.assertEqual(
            movement.measure_day(date(2026, 2, 1), date(2026, 2, 10)), date(2026, 2, 10)
        )
        self.assertEqual(
            movement.measure_day(date(2026, 1, 1), date(2026, 2, 10)), date(2026, 1, 31)
        )
