# Copyright 2026 msp_psa authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Short labels for display names: dates, times and durations as staff read them."""


def fmt_date(day):
    """30 Nov 2026."""
    return f"{day.day} {day:%b %Y}"


def fmt_month(day):
    """Nov 2026."""
    return f"{day:%b %Y}"


def fmt_datetime(moment):
    """2 Dec 2026 08:00 (``moment`` already in the reader's time zone)."""
    return f"{moment.day} {moment:%b %Y %H:%M}"


def fmt_datetime_range(start, end):
    """2 Dec 2026 08:00 – 09:30, or 2 Dec 2026 08:00 – 3 Dec 2026 10:00."""
    if start.date() == end.date():
        return f"{fmt_datetime(start)} – {end:%H:%M}"
    return f"{fmt_datetime(start)} – {fmt_datetime(end)}"


def fmt_duration(seconds):
    """'< 1 s', '42 s', '3 min 5 s', '2 h 05 min': how long something took."""
    seconds = int(seconds or 0)
    if seconds < 1:
        return "< 1 s"
    if seconds < 60:
        return f"{seconds} s"
    minutes, seconds = divmod(seconds, 60)
    if minutes < 60:
        return f"{minutes} min {seconds} s" if seconds else f"{minutes} min"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d} min"
