# Copyright 2026 msp_psa authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Usage-signal detection: pure arithmetic on figures and series, unit-tested
without records (tests/test_signal_tools.py). Each detector returns None when
nothing is to be said, else a dict of the figures that prove it (the
evidence), always with the series it was computed from."""

import math


def under_billing(billed_quantity, counted):
    """A manual quantity below the client's managed items count."""
    if counted is None or counted <= billed_quantity:
        return None
    return {
        "billed": billed_quantity,
        "counted": counted,
        "missing": counted - billed_quantity,
    }


def growth(series, threshold_pct):
    """A quantity up by ``threshold_pct`` % or more from the first to the last
    of ``series`` [(date, quantity)] (90 days of it). From nothing, any rise
    counts."""
    if len(series) < 2 or threshold_pct is None:
        return None
    first, last = series[0][1], series[-1][1]
    if last <= first:
        return None
    pct = 100.0 * (last - first) / first if first else math.inf
    if pct < threshold_pct:
        return None
    return {
        "from": first,
        "to": last,
        "growth_pct": round(pct, 1) if first else None,
        "series": list(series),
    }


def repeated_overage(series, needed=2):
    """Overage hours in ``needed`` or more of the last three periods;
    ``series`` is [(period label, overage hours)] oldest first."""
    last = list(series)[-3:]
    over = [hours for _label, hours in last if hours > 0]
    if len(over) < needed:
        return None
    return {
        "periods_over": len(over),
        "average_overage": round(sum(over) / len(over), 2),
        "series": last,
    }


def block_burn(remaining, hours_trailing, trailing_days, days_left, margin_days):
    """Block hours projected to run out ``margin_days`` or more before the
    period ends: days to run out = remaining ÷ (hours of the trailing window ÷
    its days)."""
    if trailing_days <= 0 or hours_trailing <= 0 or days_left is None:
        return None
    rate = hours_trailing / trailing_days
    days_to_empty = max(remaining, 0.0) / rate
    early = days_left - days_to_empty
    if early < margin_days:
        return None
    return {
        "remaining": round(remaining, 2),
        "burn_per_day": round(rate, 2),
        "days_to_empty": math.floor(days_to_empty),
        "days_left": days_left,
        "days_early": math.floor(early),
        "shortfall_hours": math.ceil(early * rate),
    }


def tickets_per_user_rising(series):
    """Tickets per user strictly rising over three months; ``series`` is
    [(month label, tickets, users)] oldest first (users 0: no ratio)."""
    last = list(series)[-3:]
    if len(last) < 3 or any(users <= 0 for _m, _t, users in last):
        return None
    ratios = [round(tickets / users, 2) for _m, tickets, users in last]
    if not (ratios[0] < ratios[1] < ratios[2]):
        return None
    return {
        "ratios": ratios,
        "series": [(m, t, u, r) for (m, t, u), r in zip(last, ratios, strict=True)],
    }


def projected_quantity(first, last, horizon_ratio=1.0):
    """The quantity the same growth would reach over the next window: last +
    (last − first) × ratio, rounded up."""
    return math.ceil(last + (last - first) * horizon_ratio)
