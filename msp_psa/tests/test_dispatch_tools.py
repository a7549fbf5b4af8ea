# Copyright 2026 msp_psa authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo.tests import BaseCase

from odoo.addons.msp_psa.tools import dispatch
from odoo.addons.msp_psa.tools.validate import InputError

M365, NET = 1, 2
REQUIRE_M365 = [
    {"skill_id": M365, "name": "Microsoft 365", "min_level": 75, "mandatory": True}
]
PREFER_NET = [
    {"skill_id": NET, "name": "Networking", "min_level": 50, "mandatory": False}
]


def tech(uid, name, skills=None, open_tickets=(), **vals):
    return {
        "id": uid,
        "name": name,
        "skills": skills if skills is not None else {M365: 100},
        "on_leave": False,
        "in_team": True,
        "window_hours": 8.0,
        "open_tickets": list(open_tickets),
        "client_hours": 0.0,
        **vals,
    }


class TestDispatchTools(BaseCase):
    """The scoring maths of the dispatch suggestion, on plain fixtures."""

    def test_urgent_ticket_weighs_more_than_two_due_next_week(self):
        # A: one ticket 30 minutes from breach; B: two tickets due next week.
        a = tech(1, "Alex", open_tickets=[(0.5, 1.0)])
        b = tech(2, "Blake", open_tickets=[(168.0, 1.0), (170.0, 1.0)])
        ranked = dispatch.rank([a, b], REQUIRE_M365, deadline_hours=8.0)
        self.assertEqual([c["name"] for c in ranked], ["Blake", "Alex"])
        self.assertGreater(
            dispatch.workload(a["open_tickets"]), dispatch.workload(b["open_tickets"])
        )

    def test_hard_filters(self):
        ranked = dispatch.rank(
            [
                tech(1, "On leave", on_leave=True),
                tech(2, "Outside the team", in_team=False),
                tech(3, "Too junior", skills={M365: 50}),
                tech(4, "No skill", skills={}),
                tech(5, "Fits"),
            ],
            REQUIRE_M365,
            deadline_hours=4.0,
        )
        self.assertEqual([c["name"] for c in ranked], ["Fits"])

    def test_deterministic_ranking_and_top_three(self):
        techs = [
            tech(1, "Dana", skills={M365: 100, NET: 75}, client_hours=6.0),
            tech(2, "Ravi", skills={M365: 75}, open_tickets=[(2.0, 1.0)]),
            tech(3, "Sofia", skills={M365: 75}, window_hours=0.5),
            tech(4, "Kenji", skills={M365: 75}),
            tech(5, "Amara", skills={M365: 75}),
        ]
        ranked = dispatch.rank(techs, REQUIRE_M365 + PREFER_NET, deadline_hours=6.0)
        self.assertEqual([c["name"] for c in ranked], ["Dana", "Amara", "Kenji"])
        self.assertEqual([c["rank"] for c in ranked], [1, 2, 3])
        # Same facts, other order: same ranking (ties by name, then id).
        again = dispatch.rank(
            list(reversed(techs)), REQUIRE_M365 + PREFER_NET, deadline_hours=6.0
        )
        self.assertEqual([c["id"] for c in again], [c["id"] for c in ranked])
        self.assertEqual(ranked[0]["parts"]["skills_met"], 2)
        self.assertEqual(ranked[0]["parts"]["free_hours"], 8.0)
        # Full ranking for the log of the rank taken.
        self.assertEqual(
            len(dispatch.rank(techs, REQUIRE_M365, deadline_hours=6.0, limit=None)), 5
        )

    def test_higher_level_scores_higher(self):
        expert = tech(1, "Zoe", skills={M365: 100})
        minimum = tech(2, "Adam", skills={M365: 75})
        ranked = dispatch.rank([minimum, expert], REQUIRE_M365, deadline_hours=4.0)
        self.assertEqual([c["name"] for c in ranked], ["Zoe", "Adam"])
        self.assertEqual(ranked[0]["score"] - ranked[1]["score"], 2.5)

    def test_free_hours_count_work_due_before_the_deadline(self):
        busy = tech(1, "Busy", open_tickets=[(1.0, 3.0), (2.0, None), (50.0, 8.0)])
        self.assertEqual(dispatch.free_hours(busy, 4.0), 4.0)  # 8 − 3 − 1 (default)

    def test_without_sla_deadline_rank_by_skills_and_workload(self):
        a = tech(1, "Alex", window_hours=0.0, client_hours=50.0)
        b = tech(2, "Blake", window_hours=8.0)
        ranked = dispatch.rank([a, b], REQUIRE_M365, deadline_hours=None)
        self.assertEqual(ranked[0]["score"], ranked[1]["score"])
        self.assertIsNone(ranked[0]["parts"]["free_hours"])
        self.assertFalse(ranked[0]["parts"]["has_deadline"])
        self.assertEqual(ranked[0]["score"], 100.0)

    def test_skill_level_out_of_range(self):
        with self.assertRaisesRegex(
            InputError, "Microsoft 365: skill level 150 is out of range"
        ):
            dispatch.rank(
                [tech(1, "A", skills={M365: 150})], REQUIRE_M365, deadline_hours=1.0
            )
        bad = [dict(REQUIRE_M365[0], min_level=-5)]
        with self.assertRaisesRegex(InputError, "out of range"):
            dispatch.rank([tech(1, "A")], bad, deadline_hours=1.0)

    def test_format_hours(self):
        self.assertEqual(dispatch.format_hours(0.5), "30 min")
        self.assertEqual(dispatch.format_hours(3.5), "3.5 h")
        self.assertEqual(dispatch.format_hours(6.0), "6 h")
