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


def period_containing(day, origin, months, anchor_day, term_end=None):
    """(start, end) of the billing period containing ``day``, computed directly.

    Periods run from ``origin``: a stub up to the day before the first anchor
    date when ``origin`` is not one, then whole cycles of ``months`` from that
    anchor date. A ``day`` before ``origin`` gets the first period. With
    ``term_end``, the period is cut at that day, and a ``day`` after it has no
    period (None).
    """
    if term_end and day > term_end:
        return None
    start, end = period_bounds(origin, months, anchor_day)
    if day > end:
        # The k-th anchor date after the first one is the anchor date of its
        # month (no drift), so the cycle of ``day`` is found from month numbers.
        first = end + timedelta(days=1)
        base = first.year * 12 + first.month - 1
        cycle = (day.year * 12 + day.month - 1 - base) // months
        start = _anchor_of_month(base + cycle * months, anchor_day)
        if start > day:
            cycle -= 1
            start = _anchor_of_month(base + cycle * months, anchor_day)
        end = _anchor_of_month(base + (cycle + 1) * months, anchor_day) - timedelta(
            days=1
        )
    if term_end and end > term_end:
        end = term_end
    return start, end


def _anchor_of_month(month_number, anchor_day):
    """The anchor date of the month numbered ``year * 12 + month - 1``."""
    return anchored(month_number // 12, month_number % 12 + 1, anchor_day)


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
