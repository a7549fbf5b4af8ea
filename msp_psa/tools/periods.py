# Copyright 2026 msp_psa authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Pure date helpers for billing periods (no ORM, scalar arguments only).

Periods are anchored on a day of the month (``anchor_day``, 1-31). When the
anchor day does not exist in a month (31 in April, 29-31 in February), the
last day of that month is used instead, without drifting: an agreement
anchored on the 31st bills on 31 Jan, 28/29 Feb, 31 Mar, 30 Apr...

An agreement that starts off its anchor day first runs a short "stub" period
up to the day before the first anchor date, then full cycles of ``months``.
"""

import calendar
from datetime import date, timedelta

from dateutil.relativedelta import relativedelta

CYCLE_MONTHS = {
    "monthly": 1,
    "quarterly": 3,
    "semi_annual": 6,
    "annual": 12,
}


def anchored(year, month, anchor_day):
    """The anchor date in ``year``/``month``, clamped to the month's length."""
    last = calendar.monthrange(year, month)[1]
    return date(year, month, min(anchor_day, last))


def is_boundary(day, anchor_day):
    """True when ``day`` is the anchor date of its month."""
    return day == anchored(day.year, day.month, anchor_day)


def first_boundary(date_from, anchor_day):
    """The first anchor date on or after ``date_from``."""
    candidate = anchored(date_from.year, date_from.month, anchor_day)
    if candidate >= date_from:
        return candidate
    nxt = date_from + relativedelta(months=1)
    return anchored(nxt.year, nxt.month, anchor_day)


def add_cycle(boundary, months, anchor_day):
    """The anchor date ``months`` after ``boundary`` (no drift on short months)."""
    nxt = boundary + relativedelta(months=months)
    return anchored(nxt.year, nxt.month, anchor_day)


def period_bounds(period_start, months, anchor_day):
    """(start, end) of the billing period that begins on ``period_start``.

    A period that begins on an anchor date lasts ``months`` months; one that
    begins elsewhere is a stub that ends the day before the next anchor date.
    """
    if is_boundary(period_start, anchor_day):
        nxt = add_cycle(period_start, months, anchor_day)
    else:
        nxt = first_boundary(period_start, anchor_day)
    return period_start, nxt - timedelta(days=1)


def days_between(date_from, date_to):
    """Number of days from ``date_from`` to ``date_to``, both included."""
    return (date_to - date_from).days + 1


def term_end(date_start, term_months):
    """Last day of a term of ``term_months`` months starting on ``date_start``.

    The next term starts on the same day of the month ``term_months`` later,
    or on the 1st of the following month when that day does not exist there:
    a year from 29 Feb 2028 ends on 28 Feb 2029, a month from 31 Jan on 28 Feb.
    """
    target = date_start + relativedelta(months=term_months)
    if target.day != date_start.day:  # clamped: the next term starts the day after
        return target
    return target - timedelta(days=1)
