# Copyright 2026 msp_psa authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""MRR movement month by month: pure rules on plain values.

The MRR of a month is the MRR (``tools/mrr.py``) on its last day (today for
the current month). Each agreement's change from one month to the next is
one of:

- *new*: its MRR starts (nothing the month before, never anything before);
- *reactivation*: its MRR starts again after a month at zero — the agreement
  had MRR before, or its client had MRR before and none the month before (a
  client coming back with a new agreement);
- *expansion* / *contraction*: it goes up / down and stays above zero;
- *churn*: it drops to zero.

So, for every agreement, client, billing model or company and month:
opening + new + expansion − contraction − churn + reactivation = closing.
"""

from datetime import date, timedelta

from . import coverage

# States in which an agreement's MRR counts (the MRR report's states).
LIVE_STATES = ("active", "suspended")
COMPONENTS = ("new", "expansion", "contraction", "churn", "reactivation")


def month_start(day):
    return day.replace(day=1)


def month_end(day):
    """Last day of ``day``'s month."""
    return next_month(day) - timedelta(days=1)


def next_month(day):
    """First day of the month after ``day``'s."""
    if day.month == 12:
        return date(day.year + 1, 1, 1)
    return date(day.year, day.month + 1, 1)


def months_between(first, last):
    """First days of the months from ``first``'s to ``last``'s, in order."""
    months, month = [], month_start(first)
    while month <= last:
        months.append(month)
        month = next_month(month)
    return months


def measure_day(month, today):
    """The day a month's MRR is read on: its last day, or ``today`` for the
    current month."""
    return min(month_end(month), today)


def state_on(day, steps):
    """The agreement's state on ``day`` from its dated state changes
    ``steps`` ([(date, state)] in order).

    History starts at the first activation, which counts from the agreement's
    start whatever its date (billing catches up the periods before it). None
    for an agreement never activated."""
    first = next((i for i, (_d, state) in enumerate(steps) if state == "active"), None)
    if first is None:
        return None
    state = "active"
    for day_changed, new_state in steps[first + 1 :]:
        if day_changed > day:
            break
        state = new_state
    return state


def live_on(day, date_start, date_end, auto_renew, steps):
    """Whether an agreement's MRR counts on ``day``: in force (started, not
    past its end unless it renews itself) and active or suspended that day."""
    if not date_start or not coverage.in_force(day, date_start, date_end, auto_renew):
        return False
    return state_on(day, steps) in LIVE_STATES


def classify(opening, closing, returning):
    """{component: amount} of one agreement's change from ``opening`` to
    ``closing`` (amounts ≥ 0; contraction and churn are positive amounts that
    subtract). ``returning``: a start counts as reactivation, not new."""
    moves = dict.fromkeys(COMPONENTS, 0.0)
    if opening <= 0 and closing > 0:
        moves["reactivation" if returning else "new"] = closing
    elif opening > 0 and closing <= 0:
        moves["churn"] = opening
    elif closing > opening:
        moves["expansion"] = closing - opening
    elif closing < opening:
        moves["contraction"] = opening - closing
    return moves


def client_movements(series, opening=None, seen=(), client_seen=False, digits=2):
    """Movement of one client's agreements over consecutive months.

    ``series``: {key: [closing MRR per month]} (all lists the same length);
    ``opening``: {key: MRR of the month before the first} (default 0);
    ``seen``: keys that had MRR before the first month; ``client_seen``: the
    client had MRR before the first month.

    Returns {key: [row per month]}, a row being {"opening", "closing", *COMPONENTS}
    rounded to ``digits``, so that opening + new + expansion − contraction −
    churn + reactivation = closing exactly.
    """
    opening = dict(opening or {})
    seen = set(seen)
    length = len(next(iter(series.values()), []))
    result = {key: [] for key in series}
    previous = {key: round(opening.get(key, 0.0), digits) for key in series}
    for i in range(length):
        client_before = sum(previous.values()) > 0
        for key, values in series.items():
            closing = round(max(values[i], 0.0), digits)
            returning = key in seen or (client_seen and not client_before)
            moves = classify(previous[key], closing, returning)
            row = {"opening": previous[key], "closing": closing}
            row.update({k: round(v, digits) for k, v in moves.items()})
            result[key].append(row)
        for key in series:
            previous[key] = result[key][-1]["closing"]
            if previous[key] > 0:
                seen.add(key)
                client_seen = True
    return result


def reconciles(row, digits=2):
    """opening + new + expansion − contraction − churn + reactivation = closing."""
    total = (
        row["opening"]
        + row["new"]
        + row["expansion"]
        - row["contraction"]
        - row["churn"]
        + row["reactivation"]
    )
    return round(total - row["closing"], digits) == 0
