# Copyright 2026 msp_psa authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Pure helpers: how the hours of a timesheet line split by the way they are
billed. One definition for the reports and the billing engine."""

# Every hour of client work falls in exactly one of these.
CATEGORIES = ("covered", "prepaid", "overage", "billable", "non_billable", "undecided")


def split_hours(hours, decision, prepaid, overage, leaked):
    """{category: hours} of a line; for client work the values add up to
    ``hours``.

    - ``leaked`` (nothing will bill the line as it stands: no decision, or
      billable without an agreement to bill it under): all undecided;
    - no decision and not leaked: not client work (internal time), nothing;
    - covered, non-billable: all in that category;
    - prepaid and overage as drawn from the block; billable (time &
      materials at the line's rate) is what is left of a billable line.
    """
    split = dict.fromkeys(CATEGORIES, 0.0)
    if leaked:
        split["undecided"] = hours
    elif decision in ("covered", "non_billable"):
        split[decision] = hours
    elif decision in ("prepaid", "billable"):
        split["prepaid"] = prepaid
        split["overage"] = overage
        if decision == "billable":
            split["billable"] = round(hours - prepaid - overage, 6)
    return split


def status(decision, leaked):
    """What a list shows for a line: its decision, but never 'billable' for
    time nothing will bill."""
    if leaked:
        return "leaked" if decision else "undecided"
    return decision or False
