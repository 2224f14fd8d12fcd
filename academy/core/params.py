"""One way to read ids, numbers, dates and instants from a request (query string or form).

Every view that takes a value from `request.args` or `request.form` reads it through these
functions (or through the bounded form fields of `academy.core.forms`). Python's own parsers
accept far more than a person ever types: `int("١٢")` is 12, `"²".isdigit()` is true but
`int("²")` fails, `int()` of a 5,000-digit string raises, an id of 2**31 overflows a database
integer column, and `datetime.fromisoformat("0001-01-01T00:00:00+14:00").astimezone(UTC)` is an
OverflowError. Here a value is plain ASCII, within bounds a database column holds, or it is a
400 page that says what was wrong (a well-formed id that cannot exist is a 404, as in URLs).
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from typing import Literal, NoReturn

from flask import abort, request
from flask_babel import gettext as _

# The largest id any integer primary key holds (PostgreSQL `integer`); the URL converter
# `<int:...>` uses the same bound.
MAX_ID = 2**31 - 1
# Dates a person means: far enough to cover every real booking, history and filter, and far
# from the edges where converting between zones overflows (year 1, year 9999).
MIN_YEAR, MAX_YEAR = 1900, 2200

_DIGITS = re.compile(r"[0-9]{1,10}")
_SIGNED = re.compile(r"[+-]?[0-9]{1,10}")
_ASCII_NUMBER = re.compile(r"[+-]?[0-9]+")  # any length: huge ones are "no such row"

Source = Literal["args", "form", "values"]


def _raw(name: str, source: Source) -> str | None:
    value = getattr(request, source).get(name)
    if value is None:
        return None
    value = value.replace("\x00", "").strip()
    return value or None


# --- Pure parsers (ValueError on bad input): forms and services use them too ---------------------


def parse_id(text: str) -> int:
    """A row id: 1 to MAX_ID, in ASCII digits. ValueError otherwise."""
    if not _DIGITS.fullmatch(text) or not 1 <= (value := int(text)) <= MAX_ID:
        raise ValueError(f"not an id: {text[:40]!r}")
    return value


def coerce_int(value: object) -> int:
    """`coerce=` of a select or radio whose values are numbers (ids, ratings): ints pass, text
    must be ASCII digits within a database integer."""
    if isinstance(value, int):
        return value
    return parse_int(str(value).strip(), minimum=-MAX_ID, maximum=MAX_ID)


def to_id(text: str | None) -> int | None:
    """An id, or None when `text` is empty or not one (a form's optional choice)."""
    try:
        return parse_id(text.strip()) if text else None
    except ValueError:
        return None


def parse_int(text: str, *, minimum: int, maximum: int) -> int:
    """A whole number in [minimum, maximum], in ASCII digits with an optional sign."""
    if not _SIGNED.fullmatch(text) or not minimum <= (value := int(text)) <= maximum:
        raise ValueError(f"not a number from {minimum} to {maximum}: {text[:40]!r}")
    return value


def in_range(day: date) -> bool:
    return MIN_YEAR <= day.year <= MAX_YEAR


def parse_date(text: str) -> date:
    """A calendar date, YYYY-MM-DD, between MIN_YEAR and MAX_YEAR."""
    if len(text) != 10:
        raise ValueError(f"not a date: {text[:40]!r}")
    day = date.fromisoformat(text)
    if not in_range(day):
        raise ValueError(f"date out of range: {text}")
    return day


def parse_instant(text: str) -> datetime:
    """An ISO 8601 instant with its offset (as the slot pickers send them), in aware UTC.

    A time without an offset is ambiguous and refused; so are years outside MIN_YEAR-MAX_YEAR
    (converting year 1 or 9999 with an offset would overflow)."""
    if len(text) > 40:
        raise ValueError("instant too long")
    value = datetime.fromisoformat(text)
    if value.tzinfo is None or not MIN_YEAR <= value.year <= MAX_YEAR:
        raise ValueError(f"not an instant with an offset: {text!r}")
    return value.astimezone(UTC)


# --- From the request: a 400 page (or 404 for an id that cannot exist) on bad input --------------


def _bad(message: str) -> NoReturn:
    abort(400, description=message)


def id_arg(name: str, source: Source = "args", *, required: bool = False) -> int | None:
    """An id from the request; None when absent (or a 400 when `required`).

    Not digits is a 400; digits that no row can have (0, 2**31 and beyond) are a 404, as the
    same id in a URL would be."""
    raw = _raw(name, source)
    if raw is None:
        if required:
            _bad(_("“%(name)s” is missing.", name=name))
        return None
    if _ASCII_NUMBER.fullmatch(raw):
        if not _DIGITS.fullmatch(raw) or not 1 <= int(raw) <= MAX_ID:
            abort(404)  # a number, but one no row has (as the same id in a URL)
        return int(raw)
    _bad(_("“%(name)s” must be a number.", name=name))


def int_arg(name: str, default: int, *, minimum: int, maximum: int, source: Source = "args") -> int:
    """A small whole number (a page, a week offset) within bounds; absent means `default`."""
    raw = _raw(name, source)
    if raw is None:
        return default
    try:
        return parse_int(raw, minimum=minimum, maximum=maximum)
    except ValueError:
        _bad(
            _(
                "“%(name)s” must be a number from %(min)d to %(max)d.",
                name=name,
                min=minimum,
                max=maximum,
            )
        )


def page_arg(maximum: int = 1_000_000) -> int:
    """?page= of a list: absent is 1; not a number is a 400; a page that cannot exist (0, or
    beyond `maximum`, which keeps the database's OFFSET in range) is a 404, like one past the
    end."""
    raw = _raw("page", "args")
    if raw is None:
        return 1
    if not _ASCII_NUMBER.fullmatch(raw):
        _bad(_("“%(name)s” must be a number.", name="page"))
    if not _DIGITS.fullmatch(raw.lstrip("+")) or not 1 <= int(raw) <= maximum:
        abort(404)  # a number, just not a page there is
    return int(raw)


def date_arg(name: str, source: Source = "args") -> date | None:
    raw = _raw(name, source)
    if raw is None:
        return None
    try:
        return parse_date(raw)
    except ValueError:
        _bad(_("“%(name)s” must be a date (YYYY-MM-DD).", name=name))


def instant_arg(name: str, source: Source = "args", *, required: bool = False) -> datetime | None:
    raw = _raw(name, source)
    if raw is None:
        if required:
            _bad(_("“%(name)s” is missing.", name=name))
        return None
    try:
        return parse_instant(raw)
    except ValueError:
        _bad(_("“%(name)s” must be a time with its time zone offset.", name=name))
