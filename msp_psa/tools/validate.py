# Copyright 2026 msp_psa authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Checks of what an outside caller sends (XML-RPC/JSON-RPC, portal forms).

Every function takes the raw value and ``what``, the caller's (translated)
label of it ("quantity of Per-User Support on AGR-0001", "item u-1,
active_from"), and returns the value parsed, or raises :class:`InputError`
whose message names the label and the bad value as given. Nothing here reads
or writes records: ``user_errors(env)`` turns an :class:`InputError` into a
``ValidationError`` in the language of ``env``.
"""

import math
import re
from contextlib import contextmanager
from datetime import date, datetime

from odoo.exceptions import ValidationError
from odoo.tools.translate import LazyTranslate

_lt = LazyTranslate(__name__)

# How much of a bad value a message quotes.
SHOWN_LENGTH = 40
_DATE_RE = re.compile(r"\d{4}-\d{2}-\d{2}")


class InputError(ValueError):
    """A value refused; ``message`` is a lazy translation that names it."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message

    def __str__(self):
        return str(self.message)


@contextmanager
def user_errors(env):
    """Raise the :class:`InputError` of the block as a ``ValidationError``
    translated in ``env``'s language."""
    try:
        yield
    except InputError as error:
        raise ValidationError(env._(error.message)) from None


def _empty(value):
    return value is None or value is False or (isinstance(value, str) and not value)


def shown(value):
    """A bad value as a message quotes it: text in quotes, shortened."""
    if isinstance(value, str):
        text = value if len(value) <= SHOWN_LENGTH else value[:SHOWN_LENGTH] + "…"
        return f'"{text}"'
    text = repr(value)
    return text if len(text) <= SHOWN_LENGTH else text[:SHOWN_LENGTH] + "…"


def to_float(value, what, minimum=None, required=True):
    """A finite number (int, float or its text), not less than ``minimum``.

    ``None``/``False``/"" give ``None`` when not ``required``.
    """
    if _empty(value) and not required:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise InputError(
            _lt("%(what)s: %(value)s is not a number.", what=what, value=shown(value))
        )
    try:
        number = float(value)
    except (ValueError, OverflowError):
        raise InputError(
            _lt("%(what)s: %(value)s is not a number.", what=what, value=shown(value))
        ) from None
    if not math.isfinite(number):
        raise InputError(
            _lt(
                "%(what)s: %(value)s is not a finite number.",
                what=what,
                value=shown(value),
            )
        )
    if minimum is not None and number < minimum:
        raise InputError(
            _lt(
                "%(what)s: %(value)s is less than %(minimum)s.",
                what=what,
                value=shown(value),
                minimum=minimum,
            )
        )
    return number


def to_date(value, what, latest=None, required=True):
    """A date from a ``date`` or a ``YYYY-MM-DD`` text, not after ``latest``.

    ``None``/``False``/"" give ``None`` when not ``required``.
    """
    if _empty(value) and not required:
        return None
    if isinstance(value, datetime):
        day = value.date()
    elif isinstance(value, date):
        day = value
    elif isinstance(value, str) and _DATE_RE.fullmatch(value.strip()):
        try:
            day = date.fromisoformat(value.strip())
        except ValueError:
            day = None
    else:
        day = None
    if day is None:
        raise InputError(
            _lt(
                "%(what)s: %(value)s is not a date (YYYY-MM-DD).",
                what=what,
                value=shown(value),
            )
        )
    if latest is not None and day > latest:
        raise InputError(
            _lt(
                "%(what)s: %(value)s is in the future (today is %(today)s).",
                what=what,
                value=shown(value),
                today=latest,
            )
        )
    return day


def to_id(value, what, required=True):
    """A record id: a positive int, or its digits as text."""
    if _empty(value) and not required:
        return None
    if isinstance(value, str) and value.strip().isascii() and value.strip().isdigit():
        number = int(value.strip())
    elif isinstance(value, int) and not isinstance(value, bool):
        number = value
    else:
        number = 0
    if number <= 0:
        raise InputError(
            _lt(
                "%(what)s: %(value)s is not a record id.",
                what=what,
                value=shown(value),
            )
        )
    return number


def to_text(value, what, max_length=None, required=True):
    """Text, stripped; ``None`` when empty and not ``required``."""
    if _empty(value) and not required:
        return None
    if not isinstance(value, str):
        raise InputError(
            _lt("%(what)s: %(value)s is not text.", what=what, value=shown(value))
        )
    text = value.strip()
    if not text:
        if required:
            raise InputError(_lt("%(what)s is empty.", what=what))
        return None
    if max_length and len(text) > max_length:
        raise InputError(
            _lt(
                "%(what)s: %(value)s is too long (%(length)s characters, at most "
                "%(max_length)s).",
                what=what,
                value=shown(text),
                length=len(text),
                max_length=max_length,
            )
        )
    return text


def to_ref(value, what):
    """An external reference: non-empty text, or an int given as its digits."""
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    if _empty(value):
        raise InputError(_lt("%(what)s is missing.", what=what))
    return to_text(value, what, max_length=256)


def to_choice(value, what, choices):
    """One of ``choices`` (text)."""
    if not isinstance(value, str) or value not in choices:
        raise InputError(
            _lt(
                "%(what)s: %(value)s is not one of %(choices)s.",
                what=what,
                value=shown(value),
                choices=", ".join(choices),
            )
        )
    return value


def to_dicts(value, what, keys):
    """A list of dicts whose keys are all among ``keys``."""
    if not isinstance(value, list | tuple):
        raise InputError(
            _lt(
                "%(what)s: %(value)s is not a list of records.",
                what=what,
                value=shown(value),
            )
        )
    for position, entry in enumerate(value, start=1):
        if not isinstance(entry, dict):
            raise InputError(
                _lt(
                    "%(what)s, entry %(position)s: %(value)s is not a record (a dict).",
                    what=what,
                    position=position,
                    value=shown(entry),
                )
            )
        unknown = sorted(str(key) for key in entry if key not in keys)
        if unknown:
            raise InputError(
                _lt(
                    "%(what)s, entry %(position)s: unknown key %(keys)s (known: "
                    "%(known)s).",
                    what=what,
                    position=position,
                    keys=", ".join(unknown),
                    known=", ".join(keys),
                )
            )
    return list(value)


def unique(values, what):
    """Refuse a list that names a value twice."""
    seen, twice = set(), []
    for value in values:
        if value in seen and value not in twice:
            twice.append(value)
        seen.add(value)
    if twice:
        raise InputError(
            _lt(
                "%(what)s: %(values)s given twice.",
                what=what,
                values=", ".join(shown(v) for v in twice),
            )
        )
    return values
