# Copyright 2026 msp_psa authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from datetime import date

from freezegun import freeze_time

from odoo import Command
from odoo.exceptions import UserError, ValidationError
from odoo.tests import HttpCase, new_test_user, tagged

from .common import (
    MspTechnicianCommon,
    approve_leave,
    make_38h_calendar,
    make_technician,
)


@tagged("post_install", "-at_install")
@freeze_time("2026-03-04 09:00:00")  # a Wednesday morning
class TestDispatch(MspTechnicianCommon):
    """Dispatch suggestion on tickets: hard filters, explained score,
    one-click assignment with the rank logged, automatic assignment, bad
    input, and a number of queries that does not grow with the people."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        env = cls.env
        cls.calendar = make_38h_calendar(env, tz="UTC")
        kind = env["hr.skill.type"].create({"name": "IT"})
        cls.levels = {
            name: env["hr.skill.level"].create(
                {"name": name, "level_progress": progress, "skill_type_id": kind.id}
            )
            for name, progress in (("Beginner", 25), ("Advanced", 75), ("Expert", 100))
        }
        cls.m365 = env["hr.skill"].create(
            {"name": "Microsoft 365", "skill_type_id": kind.id}
        )
        cls.network = env["hr.skill"].create(
            {"name": "Networking", "skill_type_id": kind.id}
        )
        cls.kind = kind
        cls.techs = {}
        for name, skills in (
            ("Alex", {cls.m365: "Expert", cls.network: "Advanced"}),
            ("Blake", {cls.m365: "Expert"}),  # on leave
            ("Casey", {cls.network: "Expert"}),  # no M365
            ("Drew", {cls.m365: "Advanced"}),
        ):
            user = new_test_user(
                env,
                login=name.lower(),
                name=name,
                groups="msp_psa.group_msp_psa_user,helpdesk_mgmt.group_helpdesk_user",
            )
            employee = make_technician(env, name, user, cls.calendar, tz="UTC")
            employee.employee_skill_ids = [
                Command.create(
                    {
                        "skill_type_id": kind.id,
                        "skill_id": skill.id,
                        "skill_level_id": cls.levels[level].id,
                    }
                )
                for skill, level in skills.items()
            ]
            cls.techs[name] = employee
        approve_leave(env, cls.techs["Blake"], date(2026, 3, 4), date(2026, 3, 5))
        cls.team = env["helpdesk.ticket.team"].create(
            {
                "name": "Desk",
                "user_ids": [Command.set([t.user_id.id for t in cls.techs.values()])],
            }
        )
        cls.category = env["helpdesk.ticket.category"].create(
            {
                "name": "Microsoft 365",
                "msp_requirement_ids": [
                    Command.create(
                        {
                            "skill_type_id": kind.id,
                            "skill_id": cls.m365.id,
                            "min_level_id": cls.levels["Advanced"].id,
                            "mandatory": True,
                        }
                    ),
                    Command.create(
                        {
                            "skill_type_id": kind.id,
                            "skill_id": cls.network.id,
                            "min_level_id": cls.levels["Beginner"].id,
                            "mandatory": False,
                        }
                    ),
                ],
            }
        )
        policy = env["msp.sla.policy"].create(
            {
                "name": "24x7",
                "line_ids": [
                    Command.create(
                        {"priority": "1", "response_hours": 1, "resolution_hours": 8}
                    )
                ],
            }
        )
        env.company.msp_sla_policy_id = policy

    def _ticket(self, **vals):
        return self.env["helpdesk.ticket"].create(
            {
                "name": vals.pop("name", "Mailbox full"),
                "description": "<p>Help</p>",
                "partner_id": self.client_contact.id,
                "team_id": self.team.id,
                "category_id": self.category.id,
                "priority": "1",
                "user_id": False,
                **vals,
            }
        )

    def test_suggestion_filters_and_explains(self):
        ticket = self._ticket()
        self.assertTrue(ticket.msp_resolution_deadline)
        ranked = ticket._msp_suggest()
        names = [item["name"] for item in ranked]
        self.assertEqual(
            names, ["Alex", "Drew"], "never on leave, never without a mandatory skill"
        )
        self.assertRegex(
            ranked[0]["explanation"],
            r"^Alex: skills 2/2 \(Microsoft 365 100%, Networking 75%\), "
            r"6.6 h free before the resolution deadline, no open tickets, "
            r"0 min on this client in 90 days$",
        )

    def test_open_work_weighs_by_time_to_breach(self):
        # Alex has a ticket breaching within the hour, Drew two due days later.
        urgent = self._ticket(name="Urgent", user_id=self.techs["Alex"].user_id.id)
        self.assertLess(urgent.msp_minutes_to_breach, 61)
        ticket = self._ticket()
        # Alex's urgent hour comes off his free time before the resolution
        # deadline; he still has more skills and enough time.
        ranked = ticket._msp_suggest()
        self.assertEqual([i["name"] for i in ranked], ["Alex", "Drew"])
        self.assertIn(
            "5.6 h free before the resolution deadline, "
            "workload 0.89 (1 open ticket, one due in 1 h)",
            ranked[0]["explanation"],
        )
        # Two low-priority tickets without deadline for Drew weigh 0.5.
        for name in ("Later 1", "Later 2"):
            self._ticket(name=name, priority="0", user_id=self.techs["Drew"].user_id.id)
        ranked = ticket._msp_suggest()
        self.assertIn(
            "workload 0.5 (2 open tickets)",
            ranked[[i["name"] for i in ranked].index("Drew")]["explanation"],
        )

    def test_assign_logs_the_rank_and_notifies(self):
        ticket = self._ticket()
        suggestions = self.env["msp.dispatch.suggestion"]._create_for(ticket)
        self.assertEqual(suggestions.mapped("rank"), [1, 2])
        self.assertEqual(suggestions[0].display_name, "1. Alex")
        suggestions[1].action_assign()
        self.assertEqual(ticket.user_id, self.techs["Drew"].user_id)
        log = self.env["msp.dispatch.log"].search([("ticket_id", "=", ticket.id)])
        self.assertEqual(
            (log.rank, log.first_taken, log.suggested_user_id),
            (2, False, self.techs["Alex"].user_id),
        )
        message = ticket.message_ids.filtered(
            lambda m: "Assigned to Drew" in (m.body or "")
        )
        self.assertIn(self.techs["Drew"].user_id.partner_id, message.partner_ids)
        # Reassigned to someone the suggestion did not offer: rank 0.
        ticket.action_msp_assign(self.techs["Casey"].user_id.id)
        log = self.env["msp.dispatch.log"].search(
            [("ticket_id", "=", ticket.id)], limit=1
        )
        self.assertEqual((log.user_id, log.rank), (self.techs["Casey"].user_id, 0))
        # The report: share of assignments that took the first suggestion.
        self._ticket(name="Other").action_msp_assign_first()
        [group] = self.env["msp.dispatch.log"].read_group(
            [], ["first_taken_percent"], []
        )
        self.assertAlmostEqual(group["first_taken_percent"], 100 / 3, places=2)

    def test_automatic_assignment_per_team(self):
        self.team.msp_auto_assign = True
        ticket = self._ticket()
        self.assertEqual(ticket.user_id, self.techs["Alex"].user_id)
        log = self.env["msp.dispatch.log"].search([("ticket_id", "=", ticket.id)])
        self.assertTrue(log.automatic and log.first_taken)

    def test_ticket_without_sla(self):
        self.env.company.msp_sla_policy_id = False
        ticket = self._ticket()
        self.assertEqual(ticket.msp_sla_state, "none")
        ranked = ticket._msp_suggest()
        self.assertEqual([i["name"] for i in ranked], ["Alex", "Drew"])
        self.assertIn(
            "no SLA deadline: ranked by skills and workload only",
            ranked[0]["explanation"],
        )

    def test_bad_input(self):
        ticket = self._ticket()
        with self.assertRaisesMsg(
            ValidationError, 'user_id: "Alex" is not a record id'
        ):
            ticket.action_msp_assign("Alex")
        with self.assertRaisesMsg(UserError, "User 999999 does not exist"):
            ticket.action_msp_assign(999999)
        # Nobody fits: a clear message, no crash.
        ticket.category_id.msp_requirement_ids[0].min_level_id = self.levels["Expert"]
        self.techs["Alex"].employee_skill_ids.unlink()
        with self.assertRaisesMsg(UserError, "No technician can take"):
            ticket.action_msp_suggest()
        with self.assertRaisesMsg(ValidationError, "not of the skill type"):
            self.env["msp.dispatch.requirement"].create(
                {
                    "team_id": self.team.id,
                    "skill_type_id": self.env["hr.skill.type"]
                    .create({"name": "Languages"})
                    .id,
                    "skill_id": self.m365.id,
                    "min_level_id": self.levels["Expert"].id,
                }
            )

    def test_technician_without_calendar(self):
        self.techs["Drew"].resource_calendar_id = False
        ranked = self._ticket()._msp_suggest()
        drew = next(i for i in ranked if i["name"] == "Drew")
        self.assertIn("0 min free before the resolution deadline", drew["explanation"])

    def test_queries_do_not_grow_with_technicians_or_tickets(self):
        ticket = self._ticket()
        for name in ("Alex", "Drew"):
            self._ticket(name=f"Open {name}", user_id=self.techs[name].user_id.id)

        def count():
            self.env.invalidate_all()
            before = self.env.cr.sql_log_count
            ticket._msp_suggest()
            return self.env.cr.sql_log_count - before

        small = count()
        for index in range(8):
            user = new_test_user(
                self.env, login=f"more{index}", groups="msp_psa.group_msp_psa_user"
            )
            employee = make_technician(
                self.env, f"More {index}", user, self.calendar, tz="UTC"
            )
            employee.employee_skill_ids = [
                Command.create(
                    {
                        "skill_type_id": self.kind.id,
                        "skill_id": self.m365.id,
                        "skill_level_id": self.levels["Expert"].id,
                    }
                )
            ]
            for number in range(3):
                self._ticket(name=f"Open {index}.{number}", user_id=user.id)
        self.assertEqual(count(), small)


@tagged("post_install", "-at_install")
class TestDispatchBoardTour(HttpCase):
    """The dispatch board in Chromium: columns with remaining capacity, and an
    unassigned ticket assigned with one click."""

    def test_dispatch_board_tour(self):
        env = self.env
        user = new_test_user(
            env,
            login="tour_tech",
            name="Tour Tech",
            groups="msp_psa.group_msp_psa_user",
        )
        calendar = make_38h_calendar(env, tz="UTC")
        calendar.attendance_ids = [Command.clear()] + [
            Command.create(
                {
                    "name": f"{day}",
                    "dayofweek": str(day),
                    "hour_from": 0,
                    "hour_to": 23.99,
                    "day_period": "morning",
                }
            )
            for day in range(7)
        ]
        make_technician(env, "Tour Tech", user, calendar, tz="UTC")
        team = env["helpdesk.ticket.team"].create(
            {"name": "Tour desk", "user_ids": [Command.set(user.ids)]}
        )
        env["helpdesk.ticket"].create(
            {
                "name": "Tour switch down",
                "description": "<p>Down</p>",
                "team_id": team.id,
                "priority": "3",
                "user_id": False,
            }
        )
        self.start_tour("/odoo", "msp_psa_dispatch_tour", login="admin")
