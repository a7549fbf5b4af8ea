# Copyright 2026 msp_psa authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from datetime import date, datetime, time, timedelta

import pytz

from odoo import Command
from odoo.exceptions import ValidationError
from odoo.tests import new_test_user, tagged

from .common import (
    MspTechnicianCommon,
    approve_leave,
    make_38h_calendar,
    make_technician,
)

WEEK = (date(2026, 3, 2), date(2026, 3, 8))  # Monday to Sunday


@tagged("post_install", "-at_install")
class TestCapacity(MspTechnicianCommon):
    """Capacity = calendar − public holidays − approved leave, in each
    technician's timezone; utilisation and billable % on it; who sees what."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.calendar = make_38h_calendar(cls.env)
        brussels = pytz.timezone("Europe/Brussels")
        # Wednesday 4 March is a public holiday of the calendar.
        cls.env["resource.calendar.leaves"].create(
            {
                "name": "Public holiday",
                "calendar_id": cls.calendar.id,
                "date_from": brussels.localize(datetime(2026, 3, 4))
                .astimezone(pytz.utc)
                .replace(tzinfo=None),
                "date_to": brussels.localize(datetime(2026, 3, 5))
                .astimezone(pytz.utc)
                .replace(tzinfo=None),
            }
        )
        cls.tech = make_technician(cls.env, "Dana", cls.msp_user, cls.calendar)
        cls.other_user = new_test_user(
            cls.env, login="tech_ny", groups="msp_psa.group_msp_psa_user"
        )
        cls.tech_ny = make_technician(
            cls.env, "Kenji", cls.other_user, cls.calendar, tz="America/New_York"
        )
        cls.Capacity = cls.env["msp.technician.capacity"]

    def _report(self, user=None, employee=None):
        Report = self.env["msp.utilisation.report"]
        if user:
            Report = Report.with_user(user)
        domain = [("date", ">=", WEEK[0]), ("date", "<=", WEEK[1])]
        if employee:
            domain.append(("employee_id", "=", employee.id))
        return Report.search(domain)

    def test_38h_week_less_one_leave_day_and_one_public_holiday(self):
        approve_leave(self.env, self.tech, date(2026, 3, 3), date(2026, 3, 3))
        rows = self.Capacity._refresh(self.tech, *WEEK)
        self.assertEqual(round(sum(rows.mapped("calendar_hours")), 4), 38.0)
        self.assertEqual(round(sum(rows.mapped("leave_hours")), 4), 7.6)
        self.assertEqual(round(sum(rows.mapped("holiday_hours")), 4), 7.6)
        self.assertEqual(round(sum(rows.mapped("capacity_hours")), 4), 22.8)
        wednesday = rows.filtered(lambda r: r.date == date(2026, 3, 4))
        self.assertEqual(
            (wednesday.holiday_hours, wednesday.capacity_hours), (7.6, 0.0)
        )
        # Refreshing again replaces the rows.
        self.Capacity._refresh(self.tech, *WEEK)
        self.assertEqual(
            self.Capacity.search_count([("employee_id", "=", self.tech.id)]), 5
        )

    def test_leave_and_holidays_change_capacity_at_once(self):
        """Approving leave or adding a public holiday rebuilds the capacity
        rows it touches, without waiting for the nightly refresh."""
        today = date.today()
        monday = today - timedelta(days=today.weekday())
        week = (monday, monday + timedelta(days=6))
        Capacity = self.Capacity.search
        self.Capacity._refresh(self.tech, *week)

        def week_capacity():
            rows = Capacity(
                [
                    ("employee_id", "=", self.tech.id),
                    ("date", ">=", week[0]),
                    ("date", "<=", week[1]),
                ]
            )
            return round(sum(rows.mapped("capacity_hours")), 4)

        full = week_capacity()
        leave = approve_leave(self.env, self.tech, monday, monday)
        self.assertEqual(week_capacity(), round(full - 7.6, 4))
        brussels = pytz.timezone("Europe/Brussels")
        friday = monday + timedelta(days=4)
        holiday = self.env["resource.calendar.leaves"].create(
            {
                "name": "Extra public holiday",
                "calendar_id": self.calendar.id,
                "date_from": brussels.localize(datetime.combine(friday, time.min))
                .astimezone(pytz.utc)
                .replace(tzinfo=None),
                "date_to": brussels.localize(
                    datetime.combine(friday + timedelta(days=1), time.min)
                )
                .astimezone(pytz.utc)
                .replace(tzinfo=None),
            }
        )
        self.assertEqual(week_capacity(), round(full - 2 * 7.6, 4))
        holiday.unlink()
        leave.action_refuse()
        self.assertEqual(week_capacity(), full)

    def test_technician_in_another_timezone(self):
        rows = self.Capacity._refresh(self.tech_ny, *WEEK)
        # The same 38 h calendar, worked on New York's days. The public
        # holiday (midnight to midnight in Brussels) is Tuesday 18:00 to
        # Wednesday 18:00 in New York: it takes Wednesday's working day.
        self.assertEqual(round(sum(rows.mapped("capacity_hours")), 4), 30.4)
        # Working hours now → later: 8:00 in New York is 13:00 UTC (EST).
        start = pytz.utc.localize(datetime(2026, 3, 2, 12, 0))
        stop = pytz.utc.localize(datetime(2026, 3, 2, 14, 0))
        hours = self.env["helpdesk.ticket"]._msp_work_hours(
            self.tech | self.tech_ny, start, [stop]
        )
        # Brussels (UTC+1): 13:00–15:00 local, all worked. New York: 8:00–9:00.
        self.assertEqual(hours[self.tech.id], [2.0])
        self.assertEqual(hours[self.tech_ny.id], [1.0])

    def test_utilisation_and_billable_to_the_minute(self):
        self.Capacity._refresh(self.tech, *WEEK)
        tm = self._create_agreement(
            billing_model="time_materials",
            fixed_fee=0.0,
            rate_ids=[
                Command.create({"product_id": self.product_fee.id, "price_unit": 90})
            ],
        )
        tm.action_activate()
        remote = self.env.ref("msp_psa.work_type_remote")
        covered = self._create_agreement(
            partner_id=self.other_client.id,
            fixed_fee=100.0,
            fee_product_id=self.product_fee.id,
            rate_ids=[Command.create({"work_type_id": remote.id, "covered": True})],
        )
        covered.action_activate()
        project = self.env["project.project"].create({"name": "Support"})
        Line = self.env["account.analytic.line"]
        common = {
            "project_id": project.id,
            "employee_id": self.tech.id,
            "date": date(2026, 3, 2),
        }
        Line.create(dict(common, name="T&M", unit_amount=2.5, msp_agreement_id=tm.id))
        Line.create(
            dict(
                common,
                name="Covered",
                unit_amount=80 / 60,
                msp_agreement_id=covered.id,
                msp_work_type_id=remote.id,
            )
        )
        Line.create(dict(common, name="Internal meeting", unit_amount=0.5))
        monday = self._report(employee=self.tech).filtered(
            lambda r: r.date == date(2026, 3, 2)
        )
        self.assertAlmostEqual(monday.logged_hours, 2.5 + 80 / 60 + 0.5)
        self.assertAlmostEqual(monday.client_hours, 2.5 + 80 / 60)  # 3 h 50 min
        self.assertAlmostEqual(monday.billable_hours, 2.5)
        # 3 h 50 min ÷ 7 h 36 min and 2 h 30 min ÷ 7 h 36 min, from the sums.
        [group] = self.env["msp.utilisation.report"].read_group(
            [
                ("employee_id", "=", self.tech.id),
                ("date", ">=", WEEK[0]),
                ("date", "<=", WEEK[1]),
            ],
            ["utilisation_percent", "billable_percent", "capacity_hours"],
            ["employee_id"],
        )
        self.assertEqual(group["capacity_hours"], 30.4)
        self.assertEqual(
            group["utilisation_percent"], round(100 * (230 / 60) / 30.4, 2)
        )
        self.assertEqual(group["billable_percent"], round(100 * 2.5 / 30.4, 2))

    def test_flags_no_calendar_and_time_on_leave(self):
        lost = make_technician(self.env, "No calendar", None, None)
        self.Capacity._refresh(self.tech | lost, *WEEK)
        project = self.env["project.project"].create({"name": "Support"})
        self.env["account.analytic.line"].create(
            {
                "name": "On the holiday",
                "project_id": project.id,
                "employee_id": self.tech.id,
                "date": date(2026, 3, 4),
                "unit_amount": 1.0,
            }
        )
        rows = self._report(employee=lost)
        self.assertTrue(rows)
        self.assertTrue(all(rows.mapped("no_calendar")))
        self.assertFalse(any(rows.mapped("capacity_hours")))
        holiday = self._report(employee=self.tech).filtered(
            lambda r: r.date == date(2026, 3, 4)
        )
        self.assertTrue(holiday.logged_on_leave)
        self.assertEqual(holiday.flag_count, 1)

    def test_own_figures_for_a_technician_everyones_for_a_manager(self):
        self.Capacity._refresh(self.tech | self.tech_ny, *WEEK)
        own = self._report(user=self.msp_user)
        self.assertTrue(own)
        self.assertEqual(own.employee_id, self.tech)
        self.assertEqual(
            self.Capacity.with_user(self.msp_user).search([]).employee_id, self.tech
        )
        self.assertEqual(
            self._report(user=self.msp_manager).employee_id, self.tech | self.tech_ny
        )

    def test_targets_between_0_and_100(self):
        for value in (120.0, -5.0):
            with self.assertRaisesMsg(ValidationError, "between 0 and 100"):
                self.tech.msp_utilisation_target = value
        job = self.env["hr.job"].create(
            {"name": "Technician", "msp_billable_target": 60.0}
        )
        self.tech.job_id = job
        self.tech.msp_utilisation_target = 80.0
        self.assertEqual(self.tech._msp_targets()[self.tech.id], (80.0, 60.0))
        with self.assertRaisesMsg(ValidationError, "between 0 and 100"):
            job.msp_billable_target = 101.0

    def test_refresh_over_rpc_validates_its_arguments(self):
        with self.assertRaisesMsg(ValidationError, 'date_from: "March" is not a date'):
            self.Capacity.refresh_capacity(date_from="March")
        with self.assertRaisesMsg(
            ValidationError, "employee_ids: .* is not a record id"
        ):
            self.Capacity.refresh_capacity("2026-03-02", "2026-03-08", ["x"])
        self.assertTrue(
            self.Capacity.refresh_capacity("2026-03-02", "2026-03-08", [self.tech.id])
        )
        self.assertEqual(
            self.Capacity.search_count([("employee_id", "=", self.tech.id)]), 5
        )
