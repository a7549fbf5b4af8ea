# Copyright 2026 msp_psa authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""The agreement in force on a day, and which of a client's agreements covers
a ticket: pure rules, on plain values."""


def in_force(day, date_start, date_end, auto_renew):
    """Whether an agreement running from ``date_start`` to ``date_end`` (empty:
    open-ended) is in force on ``day``. An agreement that renews itself stays in
    force after its end date: its renewal moves the date on."""
    if day < date_start:
        return False
    return not date_end or day <= date_end or bool(auto_renew)


def coverage_rank(team_ids, category_ids, team_id, category_id):
    """How specifically an agreement covering the teams ``team_ids`` and the
    categories ``category_ids`` (empty: all) covers a ticket of ``team_id`` and
    ``category_id``: 2 when it lists both, 1 when it lists either, 0 when it
    lists neither; None when it does not cover the ticket."""
    if team_ids and team_id not in team_ids:
        return None
    if category_ids and category_id not in category_ids:
        return None
    return bool(team_ids) + bool(category_ids)


def best_covering(candidates, day, team_id, category_id):
    """The key of the candidate that covers a ticket of ``team_id`` and
    ``category_id`` opened on ``day``, or None.

    ``candidates`` are ``(key, date_start, date_end, auto_renew, team_ids,
    category_ids)`` in order of preference (the most recent start first, then
    the lowest reference): the most specific one in force wins, the first of
    equals.
    """
    best, best_rank = None, None
    for key, date_start, date_end, auto_renew, teams, categories in candidates:
        if not in_force(day, date_start, date_end, auto_renew):
            continue
        rank = coverage_rank(teams, categories, team_id, category_id)
        if rank is not None and (best_rank is None or rank > best_rank):
            best, best_rank = key, rank
    return best
