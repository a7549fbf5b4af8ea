# Copyright 2026 msp_psa authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Pure helpers of the billing engine: proration factors, segments, labels.

Prices are monthly. A span of days is worth a number of months: one per whole
anchored month (e.g. 1 Jan - 31 Jan with anchor 1, or 15 Jan - 14 Feb with
anchor 15), and days / days-of-that-month for a part of one. So "3 users added
on 17 Jan" in a 31-day month is worth 3 x price x 15/31.
"""

from datetime import timedelta

from babel.dates import format_date

from . import periods


def month_start(day, anchor_day):
    """The anchored month containing ``day``: its first day."""
    candidate = periods.anchored(day.year, day.month, anchor_day)
    if candidate <= day:
        return candidate
    return periods.add_cycle(candidate, -1, anchor_day)


def month_parts(date_from, date_to, anchor_day):
    """Split [date_from, date_to] per anchored month.

    Returns [(start, end, days, days_in_that_month)]."""
    parts = []
    start = month_start(date_from, anchor_day)
    while start <= date_to:
        nxt = periods.add_cycle(start, 1, anchor_day)
        end = nxt - timedelta(days=1)
        a, b = max(start, date_from), min(end, date_to)
        parts.append(
            (a, b, periods.days_between(a, b), periods.days_between(start, end))
        )
        start = nxt
    return parts


def month_factor(date_from, date_to, anchor_day):
    """How many months [date_from, date_to] is worth (exact for whole months)."""
    total = 0.0
    for _a, _b, days, month_days in month_parts(date_from, date_to, anchor_day):
        total += 1.0 if days == month_days else days / month_days
    return total


def factor_parts(date_from, date_to, anchor_day):
    """The proration of [date_from, date_to] as (whole months, [(days,
    days of that month)] of the parts of months)."""
    parts = month_parts(date_from, date_to, anchor_day)
    whole = sum(1 for p in parts if p[2] == p[3])
    partial = [
        (days, month_days) for _a, _b, days, month_days in parts if days != month_days
    ]
    return whole, partial


def _months_en(count):
    return f"{count} month{'s' if count > 1 else ''}"


def _days_en(days, month_days):
    return f"{days}/{month_days} days"


def factor_label(date_from, date_to, anchor_day, months=_months_en, days=_days_en):
    """The proration as a client reads it: '' for one whole month,
    ' × 3 months', ' × 15/31 days', or ' × 1 month + 15/31 days'.

    ``months(count)`` and ``days(days, month_days)`` write the words, in the
    client's language (English by default)."""
    whole, partial = factor_parts(date_from, date_to, anchor_day)
    bits = []
    if whole and (whole > 1 or partial):
        bits.append(months(whole))
    bits += [days(d, month_days) for d, month_days in partial]
    return " × " + " + ".join(bits) if bits else ""


def format_range(date_from, date_to, locale="en_US"):
    """'1–31 Jan 2026', '17 Jan – 14 Feb 2026', '1 Dec 2026 – 28 Feb 2027';
    month names in ``locale`` (a babel locale or its code): '1–31 janv. 2026'."""

    def fmt(day, pattern):
        return format_date(day, pattern, locale=locale)

    if date_from == date_to:
        return fmt(date_from, "d MMM y")
    if (date_from.year, date_from.month) == (date_to.year, date_to.month):
        return f"{fmt(date_from, 'd')}–{fmt(date_to, 'd MMM y')}"
    if date_from.year == date_to.year:
        return f"{fmt(date_from, 'd MMM')} – {fmt(date_to, 'd MMM y')}"
    return f"{fmt(date_from, 'd MMM y')} – {fmt(date_to, 'd MMM y')}"


def line_quantity_price(units, months, price, quantity_digits, round_amount):
    """(quantity, unit price) of an invoice line billing ``units`` at the
    monthly ``price`` for ``months`` (3, 15/31, ...), so that quantity × unit
    price is the prorated amount to the cent.

    The unit price is the agreed price and the quantity units × months when
    that quantity is exact in ``quantity_digits`` decimals (every whole month;
    3 × 1/30 = 0.1); otherwise (3 × 15/31) the line is one prorated charge:
    quantity 1, unit price the amount. ``round_amount`` rounds to the currency.
    """
    amount = round_amount(units * price * months)
    quantity = round(units * months, quantity_digits)
    if abs(quantity - units * months) < 1e-9 and round_amount(quantity * price) == (
        amount
    ):
        return quantity, price
    return 1.0, amount


def step_value(steps, day, default=0.0):
    """Value of a step function given as sorted [(date, value)] on ``day``: the
    value of the last step dated on or before it (``default`` before the first)."""
    value = default
    for step_date, step in steps:
        if step_date > day:
            break
        value = step
    return value


def diff_segments(date_from, date_to, target, billed, breakpoints):
    """Where ``target(day) - billed(day)`` is not zero in [date_from, date_to].

    ``target`` and ``billed`` are step functions that can only change on one of
    ``breakpoints``. Returns merged [(start, end, difference)] segments.
    """
    cuts = sorted({date_from} | {d for d in breakpoints if date_from < d <= date_to})
    segments = []
    for i, start in enumerate(cuts):
        end = cuts[i + 1] - timedelta(days=1) if i + 1 < len(cuts) else date_to
        diff = round(target(start) - billed(start), 6)
        if (
            segments
            and segments[-1][2] == diff
            and segments[-1][1] + timedelta(days=1) == start
        ):
            segments[-1] = (segments[-1][0], end, diff)
        else:
            segments.append((start, end, diff))
    return [s for s in segments if s[2]]


def fmt_quantity(quantity, decimal_point="."):
    """12, 2.5, -3: a quantity as a client reads it ('2,5' in French)."""
    return f"{quantity:g}".replace(".", decimal_point)


def fmt_amount(amount, digits=2):
    """25.00: a unit price in an invoice label, with the currency's decimals."""
    return f"{amount:.{digits}f}"


def fmt_percent(share):
    """+25: a change as a signed whole percentage."""
    return f"{share * 100:+.0f}"


def fmt_day(day, locale="en_US"):
    """17 Jan ('17 janv.' in French)."""
    return format_date(day, "d MMM", locale=locale)


class BilledPart(tuple):
    """(start, end, quantity) of what an invoice line billed, with the
    monthly ``price`` it billed it at (an attribute: it compares and unpacks
    as the 3-tuple it always was)."""

    def __new__(cls, start, end, quantity, price):
        part = super().__new__(cls, (start, end, quantity))
        part.price = price
        return part

    def __reduce__(self):
        return (BilledPart, (*self, self.price))


def price_steps(entries):
    """A dated price log as a step function: ``entries`` are (date, old price,
    new price, is initial) in date and id order; returns sorted [(date,
    price)], the last entry of a date winning, led by the price in force
    before the first entry (its old price; an initial entry's own price), so
    that ``step_value`` answers for any day. Empty when there is no entry."""
    steps = []
    for day, old, new, initial in entries:
        if not steps:
            steps.append((None, new if initial else old))
        if steps[-1][0] == day:
            steps[-1] = (day, new)
        else:
            steps.append((day, new))
    return steps


def price_at(steps, day, default=0.0):
    """The price a step function of ``price_steps`` gives on ``day`` (``default``
    without any step)."""
    if not steps:
        return default
    return step_value(steps[1:], day, default=steps[0][1])


def settle_segments(date_from, date_to, due, billed, breakpoints):
    """What brings what was billed over [date_from, date_to] to what is due,
    as merged segments (start, end, quantity, price, old price).

    ``due(day)`` is (quantity, monthly price); ``billed(day)`` the list of
    (quantity, price) of what was billed of that day; both can only change on
    one of ``breakpoints``. A segment with ``old price`` None bills
    ``quantity`` units at ``price`` (negative: a credit); otherwise it moves
    ``quantity`` units billed at ``old price`` to ``price`` (a price change).
    On a day billed at one price: the units kept are re-priced and the units
    added are billed at the new price, the units removed credited at the price
    they were billed at (so a removal credits exactly what was billed).
    """
    cuts = sorted({date_from} | {d for d in breakpoints if date_from < d <= date_to})
    segments, open_ = [], {}
    for i, start in enumerate(cuts):
        end = cuts[i + 1] - timedelta(days=1) if i + 1 < len(cuts) else date_to
        for key in _settle_day(due(start), billed(start)):
            idx = open_.get(key)
            if idx is not None and segments[idx][1] + timedelta(days=1) == start:
                segments[idx] = (segments[idx][0], end, *key)
            else:
                open_[key] = len(segments)
                segments.append((start, end, *key))
    return sorted(segments, key=lambda s: (s[0], s[4] is not None))


def _settle_day(due, billed):
    """The (quantity, price, old price) moves of one day: see settle_segments."""
    quantity, price = due
    by_price = {}
    for billed_quantity, billed_price in billed:
        by_price[billed_price] = by_price.get(billed_price, 0.0) + billed_quantity
    by_price = {p: round(q, 6) for p, q in by_price.items() if round(q, 6)}
    total = round(sum(by_price.values()), 6)
    diff = round(quantity - total, 6)
    moves = []
    others = {p: q for p, q in by_price.items() if p != price}
    if len(by_price) == 1 and others and diff < 0:
        # Fewer units at a new price: credit the removed ones as billed,
        # re-price the ones kept.
        ((old_price, _billed_quantity),) = others.items()
        moves.append((diff, old_price, None))
        if quantity:
            moves.append((round(quantity, 6), price, old_price))
        return moves
    for old_price, billed_quantity in sorted(others.items()):
        moves.append((billed_quantity, price, old_price))
    if diff:
        moves.append((diff, price, None))
    return moves


def price_pieces(steps, date_from, date_to, default=0.0):
    """[date_from, date_to] cut where the price of ``steps`` (see
    ``price_steps``) changes: [(start, end, price)]."""
    cuts = [date_from] + [d for d, _p in (steps or [])[1:] if date_from < d <= date_to]
    cuts = sorted(set(cuts))
    pieces = []
    for i, start in enumerate(cuts):
        end = cuts[i + 1] - timedelta(days=1) if i + 1 < len(cuts) else date_to
        price = price_at(steps, start, default)
        if pieces and pieces[-1][2] == price:
            pieces[-1] = (pieces[-1][0], end, price)
        else:
            pieces.append((start, end, price))
    return pieces
