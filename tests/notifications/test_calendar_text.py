"""The invite and feed text of POLICY R11 (calendar invites): folded as RFC 5545 says, the
same text icalendar writes.

Our serializer folds ASCII lines by slicing (issue 15: icalendar's character-by-character
folding was 40% of building the webcal feed); these tests hold it to icalendar's own output.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest
from icalendar import Calendar
from icalendar.parser import Contentline

from academy.notifications.calendar import Invite, _fold, render, render_feed


def _invite(i: int, description: str, name: str = "Ion Ionescu") -> Invite:
    start = datetime(2026, 12, 3, 10, tzinfo=UTC) + timedelta(days=i)
    return Invite(
        uid=f"booking-{i}@taxdome.com",
        sequence=i,
        method="REQUEST",
        start=start,
        end=start + timedelta(hours=1),
        summary="Invoices and payments: recurring billing in practice · TaxDome",
        description=description,
        url="https://meet.example.com/abc-defg-hij",
        organizer_email="support@taxdome.com",
        organizer_name="Ana Popescu",
        attendee_email="client@firm.ro",
        attendee_name=name,
        stamp=datetime(2026, 12, 1, 9, tzinfo=UTC),
    )


@pytest.mark.parametrize(
    "line",
    [
        "",
        "STATUS:CONFIRMED",
        "X" * 74,  # the longest line left whole
        "X" * 75,  # the shortest folded
        "X" * 148,
        "X" * 149,
        "D" * 73 + "\\n" + "E" * 200,  # an escape that would be split at the fold
        "D" * 73 + "^n" + "E" * 80,  # an RFC 6868 parameter escape, the same
        "\\" * 300,
        "DESCRIPTION:Întâlnire: ședință de implementare " * 4,  # two-octet characters
        "SUMMARY:" + "€" * 40,  # three-octet characters
    ],
)
def test_each_line_is_folded_as_icalendar_folds_it(line):
    assert _fold(Contentline(line)) == Contentline(line).to_ical().decode()


def test_random_ascii_lines_are_folded_as_icalendar_folds_them():
    rng = random.Random(15)
    alphabet = "ab\\^;:,n "
    for _ in range(2000):
        line = Contentline("".join(rng.choice(alphabet) for _ in range(rng.randrange(300))))
        assert _fold(line) == line.to_ical().decode(), line


def _icalendar_text(text: str) -> str:
    """What icalendar itself writes for the same calendar."""
    return Calendar.from_ical(text).to_ical().decode()


def test_a_feed_is_the_text_icalendar_writes_and_reads_back():
    long = "Meeting link: https://meet.example.com/x\nChange: https://academy.taxdome.com/" + (
        "t0k3n" * 40
    )
    invites = [
        _invite(1, long),
        _invite(2, "Scurt; cu virgulă, și diacritice", name="Ștefan Țărănescu"),
        _invite(3, "a\\b" * 60),
    ]
    text = render_feed(invites, "TaxDome Academy")
    assert text == _icalendar_text(text)
    assert all(len(line.encode()) <= 75 for line in text.split("\r\n"))
    events = Calendar.from_ical(text).walk("VEVENT")
    assert [str(e["DESCRIPTION"]) for e in events] == [i.description for i in invites]
    assert str(events[1]["ATTENDEE"].params["CN"]) == "Ștefan Țărănescu"


def test_an_invite_is_the_text_icalendar_writes():
    text = render(_invite(1, "Change: https://academy.taxdome.com/" + "x" * 300))
    assert text == _icalendar_text(text)
    assert "METHOD:REQUEST\r\n" in text
