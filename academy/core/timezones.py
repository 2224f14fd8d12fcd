"""Time zones: validation, the viewer's zone, and rendering an instant with its zone named."""

from __future__ import annotations

from datetime import date, datetime, time
from functools import cache, lru_cache
from zoneinfo import ZoneInfo, available_timezones

from babel import Locale
from babel.dates import format_date, format_time
from flask import current_app, g, has_request_context
from flask_babel import get_locale
from flask_login import current_user
from wtforms.fields.choices import SelectChoice


@cache
def timezone_choices() -> list[SelectChoice]:
    """Every IANA zone a person lives in (no legacy aliases), sorted for a select box."""
    zones = sorted(
        z
        for z in available_timezones()
        if "/" in z and not z.startswith(("Etc/", "SystemV/", "US/", "posix/", "right/"))
    )
    return [SelectChoice(z, z.replace("_", " ")) for z in ["UTC", *zones]]


def is_valid_timezone(name: str) -> bool:
    return name == "UTC" or name in available_timezones()


def viewer_timezone() -> str:
    """The zone pages are rendered in: that of the person the page is for (see
    core.i18n.show_as: the owner of an emailed link), else the logged-in user's, else the
    site default. Worked out once per request: a page of slots asks for it a hundred times."""
    if not has_request_context():
        return str(current_app.config["DEFAULT_TIMEZONE"])
    zone = g.get("_viewer_tz")
    if zone is None:
        owner = g.get("page_owner")
        if owner is not None and owner.timezone:
            zone = str(owner.timezone)
        elif current_user and current_user.is_authenticated and current_user.timezone:
            zone = str(current_user.timezone)
        else:
            zone = str(current_app.config["DEFAULT_TIMEZONE"])
        g._viewer_tz = zone
    return zone


def _locale() -> str:
    """The current language's name. A list page asks it for every date it shows: this reads
    the locale Flask-Babel already worked out for the request (or forced, for an email in its
    recipient's language) instead of going through get_locale(), and names each Locale once
    (str() composes the name anew each time)."""
    ctx = g.get("_flask_babel") if has_request_context() else None
    locale = getattr(ctx, "babel_locale", None) or get_locale()
    return "en" if locale is None else _name_of(locale)


@lru_cache(maxsize=32)
def _name_of(locale: Locale) -> str:
    return str(locale)


def localtime(value: datetime | None, fmt: str = "medium", tz: str | None = None) -> str:
    """An aware instant as wall-clock time in the viewer's zone (or `tz`), naming the zone.

    `fmt` is the length of the date: "short" (3/15/27), "medium" (Mar 15, 2027) or "full"
    (Monday, March 15, 2027); the time is always hours and minutes. Used as the `localtime`
    template filter; emails pass the recipient's zone.
    """
    if value is None:
        return ""
    return _local_label(value, fmt, tz or viewer_timezone(), _locale())


@lru_cache(maxsize=4096)
def _local_label(value: datetime, fmt: str, name: str, locale: str) -> str:
    """Formatting with Babel is slow and pages repeat instants (a week of slots, a roster):
    the label of one instant in one zone and language is computed once per process."""
    zone = ZoneInfo(name)
    local = value.astimezone(zone)
    day = format_date(local.date(), "full" if fmt == "full" else fmt, locale=locale)
    clock = format_time(local, "short", tzinfo=zone, locale=locale)
    return f"{day}, {clock} ({name.replace('_', ' ')})"


@lru_cache(maxsize=512)
def _clock_label(hour: int, minute: int, locale: str) -> str:
    return format_time(time(hour, minute), "short", locale=locale)


def clock_time(value: datetime) -> str:
    """Hours and minutes of an instant in the viewer's zone ("2:30 PM", "14:30").

    Cached by wall time and locale: a week of slots repeats the same few dozen labels, and
    formatting each with Babel was a fifth of the slots page.
    """
    local = value.astimezone(ZoneInfo(viewer_timezone()))
    return _clock_label(local.hour, local.minute, _locale())


def local_date(value: datetime, pattern: str = "medium") -> str:
    """The date part of an instant in the viewer's zone, by a Babel length or pattern
    ("MMM", "d"): the calendar-leaf dates of the workshop listing."""
    return _date_label(value.astimezone(ZoneInfo(viewer_timezone())).date(), pattern, _locale())


@lru_cache(maxsize=2048)
def _date_label(day: date, pattern: str, locale: str) -> str:
    return format_date(day, pattern, locale=locale)
