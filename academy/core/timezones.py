"""Time zones: validation, the viewer's zone, and rendering an instant with its zone named."""

from __future__ import annotations

from datetime import datetime
from functools import cache
from zoneinfo import ZoneInfo, available_timezones

from flask import current_app
from flask_babel import format_datetime
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
    """The zone pages are rendered in: the user's own, else the site default."""
    if current_user and current_user.is_authenticated and current_user.timezone:
        return str(current_user.timezone)
    return str(current_app.config["DEFAULT_TIMEZONE"])


def localtime(value: datetime | None, fmt: str = "medium", tz: str | None = None) -> str:
    """Format an aware instant in the viewer's zone (or `tz`), naming the zone.

    Used as the `localtime` template filter; emails pass the recipient's zone.
    """
    if value is None:
        return ""
    zone = tz or viewer_timezone()
    local = value.astimezone(ZoneInfo(zone))
    # Babel converts to its own selected zone; give it the local wall time in that zone.
    text = format_datetime(local.replace(tzinfo=None), fmt, rebase=False)
    return f"{text} ({zone.replace('_', ' ')})"
