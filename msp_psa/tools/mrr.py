# Copyright 2026 msp_psa authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Monthly recurring revenue: the one definition (pure, scalar arguments).

An agreement's MRR is what it bills every month for as long as nothing
changes: its monthly fixed fee, its prepaid block normalised to a month, and
its recurring additions in service (quantity beyond the included quantity at
the monthly unit price). One-time additions and time are not recurring.

The engine bills the same components: a full period of an agreement on an
``n``-month cycle invoices ``n`` times its MRR.
"""


def billable_quantity(quantity, included_quantity):
    """The quantity beyond what the fee includes (never negative)."""
    return max(quantity - included_quantity, 0.0)


def block_monthly(block_hours, block_price, cycle_months):
    """Monthly value of a block bought once per billing period.

    A block is priced per billing period (a quarterly agreement buys a
    quarter's block); without hours or price nothing is billed."""
    if not block_hours or not block_price:
        return 0.0
    return block_price / cycle_months


def in_service(date_start, date_end, day):
    """True when a recurring line that runs from ``date_start`` to
    ``date_end`` (None: open-ended) is billed on ``day``."""
    return bool(date_start) and date_start <= day and (not date_end or date_end >= day)


def monthly_recurring(fixed_fee, block_month, addition_amounts):
    """MRR from its components: fee + block per month + recurring additions."""
    return fixed_fee + block_month + sum(addition_amounts)
