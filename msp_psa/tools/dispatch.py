# Copyright 2026 msp_psa authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Pure helpers: who should take a ticket, and why.

The model gathers, for every candidate technician at once, the facts below
and calls :func:`rank`; nothing here reads records, so the ranking is tested
on plain fixtures.

A candidate is a dict::

    {"id": 7, "name": "Dana",
     "skills": {skill_id: level_progress},   # 0..100
     "on_leave": False,                       # now or before the deadline
     "in_team": True,                         # member of the ticket's team
     "window_hours": 6.0,                     # working hours now → deadline
     "open_tickets": [(hours_to_breach or None, remaining_hours), ...],
     "client_hours": 6.0}                     # on this client, last 90 days

A requirement is ``{"skill_id", "name", "min_level", "mandatory"}``.

Score (0–100): skills 40, free capacity before the deadline 30, workload 20,
history with the client 10. Without an SLA deadline there is no window:
skills and workload only, scaled to 100, and the explanation says so.
"""

from odoo.tools.translate import LazyTranslate

from .validate import InputError

_lt = LazyTranslate(__name__)

SKILL_POINTS = 40.0
CAPACITY_POINTS = 30.0
WORKLOAD_POINTS = 20.0
HISTORY_POINTS = 10.0
# A ticket this many hours from breach weighs half as much as one breaching now.
URGENCY_HALF_LIFE_HOURS = 8.0
# Weight of an open ticket without an SLA deadline.
NO_DEADLINE_WEIGHT = 0.25
# Hours on the client that earn the full history points.
HISTORY_FULL_HOURS = 10.0
# Work a ticket is assumed to need when it has no estimate.
DEFAULT_TICKET_HOURS = 1.0


def ticket_weight(hours_to_breach):
    """How much an open ticket weighs on its technician: 1 at (or past) its
    breach, ½ eight hours before, falling towards 0 as the deadline recedes;
    a ticket without deadline weighs 0.25."""
    if hours_to_breach is None:
        return NO_DEADLINE_WEIGHT
    return 1.0 / (1.0 + max(hours_to_breach, 0.0) / URGENCY_HALF_LIFE_HOURS)


def workload(open_tickets):
    """Sum of the weights of a technician's open tickets."""
    return sum(ticket_weight(hours_to_breach) for hours_to_breach, _r in open_tickets)


def check_level(level, what):
    """A skill level in percent: a number from 0 to 100."""
    if (
        isinstance(level, bool)
        or not isinstance(level, int | float)
        or not 0 <= level <= 100
    ):
        raise InputError(
            _lt(
                "%(what)s: skill level %(value)s is out of range (0 to 100 %%).",
                what=what,
                value=repr(level),
            )
        )
    return level


def skill_match(skills, requirements):
    """(share 0..1, met count, mandatory ok, labels) of a candidate's skills
    against the requirements: a skill at its minimum level or above counts
    0.75 plus 0.25 × its level (an expert beats someone just at the minimum),
    a skill below its minimum counts a quarter, a missing one nothing."""
    if not requirements:
        return 1.0, 0, True, []
    met, points, mandatory_ok, labels = 0, 0.0, True, []
    for req in requirements:
        minimum = check_level(req["min_level"], req["name"])
        level = skills.get(req["skill_id"])
        if level is not None:
            check_level(level, req["name"])
        if level is not None and level >= minimum:
            met += 1
            points += 0.75 + 0.25 * level / 100.0
            labels.append(f"{req['name']} {level:g}%")
        else:
            if req["mandatory"]:
                mandatory_ok = False
            if level is not None:
                points += 0.25
    return points / len(requirements), met, mandatory_ok, labels


def free_hours(candidate, deadline_hours):
    """Working hours before the deadline less the remaining work of the open
    tickets due before it (``deadline_hours`` from now)."""
    busy = sum(
        remaining if remaining else DEFAULT_TICKET_HOURS
        for hours_to_breach, remaining in candidate["open_tickets"]
        if hours_to_breach is not None and hours_to_breach <= deadline_hours
    )
    return max(candidate["window_hours"] - busy, 0.0)


def rank(candidates, requirements, deadline_hours=None, ticket_hours=None, limit=3):
    """The best ``limit`` candidates as dicts (id, name, score, rank, parts):
    hard filters first (on leave, outside the team, a mandatory skill
    missing), then by score, lower workload, name and id — deterministic."""
    ticket_hours = ticket_hours or DEFAULT_TICKET_HOURS
    has_deadline = deadline_hours is not None
    scored = []
    for cand in candidates:
        if cand.get("on_leave") or not cand.get("in_team", True):
            continue
        share, met, mandatory_ok, labels = skill_match(cand["skills"], requirements)
        if not mandatory_ok:
            continue
        load = workload(cand["open_tickets"])
        skill_pts = SKILL_POINTS * share
        load_pts = WORKLOAD_POINTS / (1.0 + load)
        parts = {
            "skills_met": met,
            "skills_total": len(requirements),
            "skill_labels": labels,
            "workload": round(load, 2),
            "open_count": len(cand["open_tickets"]),
            "soonest": min(
                (h for h, _r in cand["open_tickets"] if h is not None), default=None
            ),
            "client_hours": round(cand.get("client_hours", 0.0), 2),
            "has_deadline": has_deadline,
        }
        if has_deadline:
            free = free_hours(cand, deadline_hours)
            cap_pts = CAPACITY_POINTS * min(free / ticket_hours, 1.0)
            hist_pts = HISTORY_POINTS * min(
                cand.get("client_hours", 0.0) / HISTORY_FULL_HOURS, 1.0
            )
            score = skill_pts + cap_pts + load_pts + hist_pts
            parts["free_hours"] = round(free, 2)
        else:
            score = (skill_pts + load_pts) * 100.0 / (SKILL_POINTS + WORKLOAD_POINTS)
            parts["free_hours"] = None
        scored.append(
            {
                "id": cand["id"],
                "name": cand["name"],
                "score": round(score, 2),
                "load": load,
                "parts": parts,
            }
        )
    scored.sort(key=lambda c: (-c["score"], c["load"], c["name"], c["id"]))
    for position, cand in enumerate(scored, start=1):
        cand["rank"] = position
    return scored[:limit] if limit else scored


def format_hours(value):
    """1.5 → "1.5 h", 0.5 → "30 min"."""
    if value is None:
        return ""
    if abs(value) < 1:
        return f"{round(value * 60):d} min"
    return f"{value:.1f} h".replace(".0 h", " h")
