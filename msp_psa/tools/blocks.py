# Copyright 2026 msp_psa authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Draining prepaid blocks of hours (no ORM, scalar arguments only).

A block has a first day, an expiry day and hours. Work on a day draws from the
blocks valid that day, the one expiring first first, so that hours that would
lapse are used before hours that would not.
"""

EPSILON = 1e-6


class BlockLedger:
    """Hours left in a set of blocks, drawn in the order work is applied."""

    def __init__(self, blocks):
        """``blocks``: iterable of (key, first day, expiry day, hours)."""
        self.blocks = sorted(blocks, key=lambda block: (block[2], block[1]))
        self.left = {block[0]: float(block[3]) for block in self.blocks}

    def valid_on(self, day):
        return [block for block in self.blocks if block[1] <= day <= block[2]]

    def draw(self, day, hours):
        """Draw up to ``hours`` on ``day``; return (hours drawn, keys drawn
        from, in order)."""
        drawn, keys = 0.0, []
        for key, _first, _expiry, _hours in self.valid_on(day):
            want = hours - drawn
            if want <= EPSILON:
                break
            take = min(self.left[key], want)
            if take > EPSILON:
                self.left[key] -= take
                drawn += take
                keys.append(key)
        return round(drawn, 6), keys

    def balance(self, day):
        """(hours of the blocks valid on ``day``, hours left in them)."""
        valid = self.valid_on(day)
        return (
            sum(block[3] for block in valid),
            round(sum(self.left[block[0]] for block in valid), 6),
        )


def hours_logged(entries, first, last):
    """(hours logged, overage among them) of the work from ``first`` to
    ``last``: ``entries`` are (day, prepaid hours, overage hours). Hours logged
    on a block are its prepaid plus its overage hours: the block figures and the
    invoice's block lines both read them so."""
    used = overage = 0.0
    for day, prepaid, beyond in entries:
        if first <= day <= last:
            used += prepaid + beyond
            overage += beyond
    return round(used, 6), round(overage, 6)


def threshold_reached(total, left, overage, thresholds):
    """The highest of ``thresholds`` (shares of the blocks in %, ascending or
    not) that the hours used reach: used are the ``total`` hours of the blocks
    less the hours ``left`` in them, plus the ``overage``. 0 when none (or no
    block)."""
    share = (total - left + overage) / total * 100 if total else 0.0
    return max((threshold for threshold in thresholds if share >= threshold), default=0)


def merge_windows(windows):
    """[(first, last, since)]: the spans of ``windows``, (first day, last day,
    day touched) tuples, merged where they overlap, each with the earliest day
    touched in it. The block draw of a line worked before ``since`` cannot
    move: only the work from ``since`` to ``last`` is decided again, from the
    blocks as the work from ``first`` to ``since`` left them."""
    merged = []
    for first, last, day in sorted(windows):
        if merged and first <= merged[-1][1]:
            prev_first, prev_last, prev_since = merged[-1]
            merged[-1] = (prev_first, max(prev_last, last), min(prev_since, day))
        else:
            merged.append((first, last, day))
    return merged
