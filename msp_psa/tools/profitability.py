# Copyright 2026 msp_psa authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Costs and profitability: the one definition (pure, scalar arguments).

A dated rate (a technician's hourly cost, an addition's unit cost) is in force
from its ``date_from`` until the next one's. An agreement's month:

- revenue: what its income accounts received for it (invoiced, or recognised
  when the invoice is deferred);
- costs: labour (hours at the cost rate in force on the work date, covered and
  non-billable time included), addition costs, attributed vendor bills;
- margin = revenue − costs, margin % = margin ÷ revenue;
- effective hourly rate = (revenue − non-labour costs) ÷ hours worked.
"""

import bisect


def rate_in_force(rates, day, default=None):
    """The rate of ``rates`` (``[(date_from, rate)]`` sorted by date) in force on
    ``day``: the last one starting on or before it; ``default`` before the
    first."""
    index = bisect.bisect_right([start for start, _rate in rates], day)
    return rates[index - 1][1] if index else default


def rate_segments(rates):
    """``[(date_from, date_to or None, rate)]``: each rate with the first day it
    no longer applies (the next rate's start; None for the last)."""
    return [
        (start, rates[i + 1][0] if i + 1 < len(rates) else None, rate)
        for i, (start, rate) in enumerate(rates)
    ]


def margin(revenue, cost):
    return revenue - cost


def margin_percent(revenue, cost):
    """Margin as a percentage of revenue, to two decimals; None without revenue
    (no percentage of nothing)."""
    if not revenue:
        return None
    return round(100.0 * (revenue - cost) / revenue, 2)


def effective_hourly_rate(revenue, non_labour_cost, hours):
    """What an hour worked earned: (revenue − non-labour costs) ÷ hours, to the
    cent; None without hours."""
    if not hours:
        return None
    return round((revenue - non_labour_cost) / hours, 2)


def prorated_cost(quantity, unit_cost, days_in_service, days_in_month):
    """A month's cost of a recurring addition: quantity × monthly unit cost ×
    the fraction of the month it was in service."""
    if not days_in_month:
        return 0.0
    return quantity * unit_cost * days_in_service / days_in_month


def reconcile(ledger, report, tolerance=0.01):
    """``(difference, ok)`` between a ledger balance and the report's sum."""
    difference = round(ledger - report, 2)
    return difference, abs(difference) <= tolerance


def fmt_hours(hours):
    """12.5 → "12:30" (hours and minutes, as durations read)."""
    minutes = round(abs(hours or 0.0) * 60)
    sign = "-" if (hours or 0.0) < 0 and minutes else ""
    return f"{sign}{minutes // 60}:{minutes % 60:02d}"
