"""iTIP calendar invites (POLICY R11): REQUEST for new and moved sessions, CANCEL for cancelled;
PUBLISH for the host's own copy of a session they run (they are its organizer).

Times are written in UTC, so every calendar program shows them right in its own zone, across
daylight-saving changes, without VTIMEZONE data.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from icalendar import Calendar, Component, Event, vCalAddress, vText
from icalendar.parser import Contentline


@dataclass(frozen=True)
class Invite:
    uid: str
    sequence: int
    method: str  # "REQUEST", "CANCEL", or "PUBLISH" (the organizer's own copy)
    start: datetime
    end: datetime
    summary: str
    description: str
    url: str
    organizer_email: str
    organizer_name: str
    attendee_email: str  # "" for a workshop date's host copy: its roster is on the site
    attendee_name: str
    stamp: datetime

    @property
    def content_type(self) -> str:
        return f"text/calendar; method={self.method}; charset=utf-8"


def _address(email: str, name: str, **params: str) -> vCalAddress:
    address = vCalAddress(f"mailto:{email}")
    address.params["CN"] = vText(name)
    for key, value in params.items():
        address.params[key] = vText(value)
    return address


def _event(invite: Invite) -> Event:
    event = Event()
    event.add("uid", invite.uid)
    event.add("sequence", invite.sequence)
    event.add("dtstamp", invite.stamp)
    event.add("dtstart", invite.start)
    event.add("dtend", invite.end)
    event.add("summary", invite.summary)
    event.add("description", invite.description)
    if invite.url:
        event.add("url", invite.url)
        event.add("location", invite.url)
    event.add("organizer", _address(invite.organizer_email, invite.organizer_name))
    cancelled = invite.method == "CANCEL"
    if invite.attendee_email:
        event.add(
            "attendee",
            _address(
                invite.attendee_email,
                invite.attendee_name,
                ROLE="REQ-PARTICIPANT",
                PARTSTAT="DECLINED" if cancelled else "ACCEPTED",
            ),
        )
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    event.add("transp", "OPAQUE")
    return event


def _calendar() -> Calendar:
    cal = Calendar()
    cal.add("prodid", "-//TaxDome//Academy//EN")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    return cal


# RFC 5545 3.1: content lines longer than 75 octets are folded. icalendar folds each line
# character by character, measuring each one's UTF-8 length; on the webcal feed that was 40% of
# building the file, nearly all of it in the long DESCRIPTION lines (issue 15). An ASCII line
# (every line we write but a name or title with diacritics) is folded here by slicing, to the
# same result: 74 characters a line, and a backslash or caret (the start of an escape) never
# left last. Any other line keeps icalendar's folding.
_FOLD_AT = 74
_ESCAPES = ("\\", "^")


def _fold(line: Contentline) -> str:
    if not line.isascii():
        return line.to_ical().decode()
    if len(line) <= _FOLD_AT:
        return line
    parts = []
    start, length = 0, len(line)
    while length - start > _FOLD_AT:
        end = start + _FOLD_AT
        if line[end - 1] in _ESCAPES:
            end -= 1
        parts.append(line[start:end])
        start = end
    parts.append(line[start:])
    return "\r\n ".join(parts)


def to_ical(component: Component) -> str:
    """`component.to_ical().decode()`, the same text, with the ASCII lines folded by `_fold`."""
    return "".join(f"{_fold(line)}\r\n" for line in component.content_lines() if line)


def render(invite: Invite) -> str:
    """One event as an iTIP message (an email attachment or the "Add to calendar" file)."""
    cal = _calendar()
    cal.add("method", invite.method)
    cal.add_component(_event(invite))
    return to_ical(cal)


def render_feed(invites: list[Invite], name: str) -> str:
    """A subscribed calendar: the same events (same UIDs) as the invites, no iTIP method,
    so a calendar app shows each session once whether it came by email or by the feed."""
    cal = _calendar()
    cal.add("x-wr-calname", name)
    cal.add("refresh-interval", timedelta(hours=1), parameters={"VALUE": "DURATION"})
    cal.add("x-published-ttl", "PT1H")
    for invite in invites:
        cal.add_component(_event(invite))
    return to_ical(cal)
