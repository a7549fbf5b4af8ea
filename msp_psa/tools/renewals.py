# Copyright 2026 msp_psa authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Renewal queue arithmetic: which term a decision is for, when it is due,
which bucket it falls in and which reminder steps are due. Pure functions of
dates and numbers, unit-tested without records (tests/test_renewals.py)."""

from datetime import timedelta

from dateutil.relativedelta import relativedelta

BUCKETS = [
    ("overdue", "Overdue"),
    ("d30", "0–30 days"),
    ("d60", "31–60 days"),
    ("d90", "61–90 days"),
    ("later", "Later"),
]
DEFAULT_STEPS = "90,60,30"


def term_end_for_decision(date_start, date_end, today):
    """The last day of the term a renewal decision is about: the end date; for
    an open-ended agreement, the day before its next anniversary (the first
    anniversary after ``today``)."""
    if date_end:
        return date_end
    if not date_start:
        return None
    years = max(1, today.year - date_start.year)
    anniversary = date_start + relativedelta(years=years)
    while anniversary <= today:
        years += 1
        anniversary = date_start + relativedelta(years=years)
    while years > 1 and date_start + relativedelta(years=years - 1) > today:
        years -= 1
        anniversary = date_start + relativedelta(years=years)
    return anniversary - timedelta(days=1)


def decision_date(term_end, notice_days):
    """The day by which the renewal must be decided: the term's end less the
    notice days."""
    if not term_end:
        return None
    return term_end - timedelta(days=notice_days or 0)


def bucket(decision, today):
    """The queue bucket of a decision date seen on ``today``."""
    if not decision:
        return False
    days = (decision - today).days
    if days < 0:
        return "overdue"
    if days <= 30:
        return "d30"
    if days <= 60:
        return "d60"
    if days <= 90:
        return "d90"
    return "later"


def parse_steps(text):
    """The reminder steps of a company setting such as "90,60,30": distinct
    whole days of zero or more, largest first. Raises ValueError naming the
    bad part."""
    steps = set()
    for part in (text or "").split(","):
        part = part.strip()
        if not part:
            continue
        if not part.isdigit():
            raise ValueError(part)
        steps.add(int(part))
    return sorted(steps, reverse=True)


def due_steps(decision, steps, today):
    """The steps whose reminder date (decision − step days) has come, while the
    decision date itself has not passed; [] otherwise. Largest first."""
    if not decision or today > decision:
        return []
    return [step for step in steps if decision - timedelta(days=step) <= today]
