# Copyright 2026 msp_psa authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Price escalation once per anniversary: pure arithmetic on plain values.

An agreement escalates its prices on each anniversary: the first one is a
year after its start (or a chosen date), the next ones every year from that
first one, each computed from the first (a 29 February first anniversary
falls on 28 February in common years and on 29 February again in leap
years, without drifting).

The change is a fixed percentage, or an index ratio ``I(t) / I(t - 12
months)`` where ``I(day)`` is the index value in force on that day (the
latest value dated on or before it), limited by an optional cap and floor
(percentages), and the new price is rounded to the currency.
"""

import bisect
from datetime import timedelta

from dateutil.relativedelta import relativedelta

from odoo.tools import float_round

# Why an escalation could not be computed (see ``percent_change``).
MISSING_INDEX = "missing_index"
ZERO_INDEX = "zero_index"


def first_anniversary(date_start, anchor_date=None):
    """The first escalation date: ``anchor_date`` when given, else a year
    after ``date_start`` (29 Feb + 1 year: 28 Feb)."""
    return anchor_date or date_start + relativedelta(years=1)


def anniversary(first, number):
    """The ``number``-th anniversary (0: ``first`` itself), computed from
    ``first`` so that a 29 February comes back in leap years."""
    return first + relativedelta(years=number)


def anniversaries_between(first, date_from, date_to):
    """Every anniversary ``d`` with ``date_from <= d <= date_to``, in order
    (``date_from`` None: from ``first``). A back-dated agreement thereby
    gets each missed anniversary, once."""
    if not first or date_to < first:
        return []
    day, result = (
        next_anniversary(first, date_from and date_from - timedelta(days=1)),
        [],
    )
    while day <= date_to:
        result.append(day)
        day = next_anniversary(first, day)
    return result


def next_anniversary(first, after=None):
    """The first anniversary strictly after ``after`` (None, or before
    ``first``: ``first``)."""
    if not after or after < first:
        return first
    number = max(after.year - first.year - 1, 0)
    while True:
        day = anniversary(first, number)
        if day > after:
            return day
        number += 1


def index_value_on(values, day):
    """The index value in force on ``day``: the latest of ``values`` (sorted
    ``[(date, value)]``) dated on or before it; None when there is none."""
    position = bisect.bisect_right(values, (day, float("inf")))
    return values[position - 1][1] if position else None


def index_dates(day):
    """The two dates an index rule reads on anniversary ``day``: ``(day,
    day - 12 months)``."""
    return day, day - relativedelta(years=1)


def clamp(percent, cap=None, floor=None):
    """``percent`` limited to ``[floor, cap]`` (each None: no limit)."""
    if cap is not None and percent > cap:
        percent = cap
    if floor is not None and percent < floor:
        percent = floor
    return percent


def percent_change(
    rule, percent=0.0, index_now=None, index_before=None, cap=None, floor=None
):
    """The price change of one anniversary, in %: ``(percent, None)``, or
    ``(None, reason)`` when it cannot be computed.

    ``rule`` is ``"fixed"`` (``percent``) or ``"index"``
    (``index_now / index_before``, the values in force on the anniversary
    and twelve months before); the cap and floor (None: none) limit either.
    """
    if rule == "index":
        if index_now is None or index_before is None:
            return None, MISSING_INDEX
        if not index_before:
            return None, ZERO_INDEX
        percent = (index_now / index_before - 1.0) * 100.0
    return clamp(percent, cap, floor), None


def escalate(price, percent, rounding=0.01):
    """``price`` raised (or lowered) by ``percent`` %, rounded to the
    currency's ``rounding`` (half up, as Odoo rounds money). Computed as
    ``price * (100 + percent) / 100`` so that 3 % of 100.00 is exactly
    103.00."""
    return float_round(price * (100.0 + percent) / 100.0, precision_rounding=rounding)


def escalate_index(price, index_now, index_before, cap=None, floor=None, rounding=0.01):
    """The index rule in one go: ``price × I(t) / I(t−12)`` (capped and
    floored), rounded; None when an index value is missing or zero."""
    percent, reason = percent_change("index", 0.0, index_now, index_before, cap, floor)
    return None if reason else escalate(price, percent, rounding)
