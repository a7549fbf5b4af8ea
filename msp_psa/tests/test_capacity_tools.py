# Copyright 2026 msp_psa authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from datetime import date, datetime

import pytz

from odoo.tests import BaseCase

from odoo.addons.msp_psa.tools import capacity as cap

BRUSSELS = pytz.timezone("Europe/Brussels")


def at(day, hour, minute=0, tz=BRUSSELS):
    return tz.localize(datetime(2026, 3, day, hour, minute))


def week_38h(tz=BRUSSELS):
    """Mon 2 – Fri 6 March 2026, 8:00–12:00 and 13:00–16:36: 7.6 h a day."""
    return [
        interval
        for day in range(2, 7)
        for interval in (
            (at(day, 8, 0, tz), at(day, 12, 0, tz)),
            (at(day, 13, 0, tz), at(day, 16, 36, tz)),
        )
    ]


class TestCapacityTools(BaseCase):
    """Interval arithmetic of capacity, without records."""

    def test_subtract_and_hours(self):
        work = [(at(2, 8), at(2, 12))]
        self.assertEqual(cap.hours(cap.subtract(work, [(at(2, 9), at(2, 10))])), 3.0)
        self.assertEqual(cap.hours(cap.subtract(work, [(at(2, 7), at(2, 13))])), 0.0)
        self.assertEqual(cap.hours(cap.clip(work, at(2, 11), at(2, 18))), 1.0)
        self.assertEqual(cap.hours(work + work), 4.0, "overlaps count once")

    def test_week_of_38_hours_less_one_leave_day_and_one_holiday(self):
        holiday = [(at(4, 0), at(5, 0))]  # Wednesday, the whole calendar
        leave = [(at(3, 0), at(4, 0))]  # Tuesday, the technician's own
        days = cap.daily_capacity(week_38h(), holiday, leave)
        total = {
            key: round(sum(day[key] for day in days.values()), 6)
            for key in ("calendar", "holiday", "leave", "capacity")
        }
        self.assertEqual(
            total, {"calendar": 38.0, "holiday": 7.6, "leave": 7.6, "capacity": 22.8}
        )
        self.assertEqual(days[date(2026, 3, 4)]["capacity"], 0.0)

    def test_leave_on_a_public_holiday_is_counted_once(self):
        both = [(at(4, 0), at(5, 0))]
        days = cap.daily_capacity(week_38h(), both, both)
        self.assertEqual(days[date(2026, 3, 4)]["holiday"], 7.6)
        self.assertEqual(days[date(2026, 3, 4)]["leave"], 0.0)
        self.assertAlmostEqual(sum(d["capacity"] for d in days.values()), 30.4)

    def test_days_are_cut_in_the_technicians_timezone(self):
        tokyo = pytz.timezone("Asia/Tokyo")
        # 22:00–02:00 in Tokyo: two hours on each local day.
        night = [(at(2, 22, tz=tokyo), at(3, 2, tz=tokyo))]
        self.assertEqual(
            cap.split_by_day(night), {date(2026, 3, 2): 2.0, date(2026, 3, 3): 2.0}
        )

    def test_ratio_to_the_minute(self):
        # 6 h 59 min of client work on 7 h 36 min of capacity.
        self.assertEqual(cap.ratio(6 + 59 / 60, 7.6), 91.89)
        self.assertIsNone(cap.ratio(3.0, 0.0), "no capacity: no ratio, not 0 %")
