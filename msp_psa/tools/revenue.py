# Copyright 2026 msp_psa authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Pure helpers for revenue recognition schedules (no ORM, scalar arguments).

A schedule spreads an amount over the months of a service period
(``start``-``end``, both included), one amount per month, dated on the
month's last day:

- ``daily``: each month gets the amount x its days in the period / the
  period's days;
- ``monthly``: each month of the period weighs one, a partly covered first
  or last month weighs its days in the period / its days, and the amount is
  split by weight: 12,000 over January-December is 1,000 a month.

Months before ``first_month`` (the invoice's accounting month) are not
recognised in the past: their amounts go to ``first_month``. Amounts are
rounded on the running total, so each month is rounded to ``digits`` and the
months sum exactly to the amount.
"""

import calendar
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from operator import itemgetter


def month_end(day):
    return date(day.year, day.month, calendar.monthrange(day.year, day.month)[1])


def months_touched(start, end):
    """(month start, month end, days of the period in it, days of the month)."""
    result = []
    cursor = date(start.year, start.month, 1)
    while cursor <= end:
        last = month_end(cursor)
        days = (min(last, end) - max(cursor, start)).days + 1
        result.append((cursor, last, days, last.day))
        cursor = date(cursor.year + (cursor.month == 12), cursor.month % 12 + 1, 1)
    return result


def _round(value, digits):
    quantum = Decimal(1).scaleb(-digits)
    return Decimal(value).quantize(quantum, rounding=ROUND_HALF_UP)


def split(amount, start, end, method="daily", first_month=None, digits=2):
    """[(month end date, amount)] summing exactly to ``amount``.

    ``amount`` is a float or Decimal (already rounded to ``digits``); the
    result holds floats rounded to ``digits``.
    """
    if end < start:
        raise ValueError("end before start")
    months = months_touched(start, end)
    if method == "monthly":
        weights = [
            Decimal(days) / Decimal(month_days) for __, __, days, month_days in months
        ]
    elif method == "daily":
        weights = [Decimal(days) for __, __, days, __ in months]
    else:
        raise ValueError("unknown method %s" % method)
    total_weight = sum(weights)
    total = _round(Decimal(str(amount)), digits)
    first_end = month_end(first_month) if first_month else None
    result = {}
    cumulated_weight = Decimal(0)
    done = Decimal(0)
    for (__, last, __, __), weight in zip(months, weights, strict=True):
        cumulated_weight += weight
        target = _round(total * cumulated_weight / total_weight, digits)
        key = max(last, first_end) if first_end else last
        result[key] = result.get(key, Decimal(0)) + target - done
        done = target
    return [(day, float(value)) for day, value in sorted(result.items())]


def entry_keys(side, income_account, deferred_account, partner, analytic):
    """(income key, deferred key): the two lines of a recognition entry a
    month adds to. Months merge on the account, the partner (``False`` when
    entries are grouped by account), the analytic distribution (income side)
    and the ``side`` (1 for revenue, -1 for a reversal)."""
    return (
        (
            "income",
            income_account,
            partner,
            tuple(sorted((analytic or {}).items())),
            side,
        ),
        ("deferred", deferred_account, partner, side),
    )


def pack_entries(items, max_lines):
    """[[item, ...]]: ``items``, (item, keys) pairs in their order, cut into
    consecutive runs whose distinct ``keys`` (the lines of the entry they
    make, once merged) number at most ``max_lines``. An item is never split;
    one with more keys than ``max_lines`` makes an entry of its own."""
    chunks, current, seen = [], [], set()
    for item, keys in items:
        new = set(keys) - seen
        if current and len(seen) + len(new) > max_lines:
            chunks.append(current)
            current, seen, new = [], set(), set(keys)
        current.append(item)
        seen |= new
    if current:
        chunks.append(current)
    return chunks


def cut_entries(groups, max_lines):
    """{group: [[month, ...], ...]}: the months of each group (``(order,
    month, keys)`` triples: ``order`` the client then the month, ``keys``
    the entry lines it adds to) in their order, cut into entries of at most
    ``max_lines(group)`` lines (see ``pack_entries``)."""
    return {
        group: pack_entries(
            [(month, keys) for __, month, keys in sorted(items, key=itemgetter(0))],
            max_lines(group),
        )
        for group, items in groups.items()
    }
