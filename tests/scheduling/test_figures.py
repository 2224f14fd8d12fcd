"""Every figure of the terms that pages, emails, SMS and the terms page show comes from the policy
objects: no template and no message of the catalogue writes one of them as a literal.

Changing a figure (a plan's notice, say) then changes every text that states it. The figures
checked are read from the policy itself, so a new one is checked as soon as it is declared.
"""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

from babel.messages.pofile import read_po

from academy.scheduling.policy import NO_SHOW_TERMS, PLAN_SETTINGS, POLICY

REPO = Path(__file__).resolve().parents[2]
# Numbers as words too ("five minutes", "șase luni"); not "one"/"o": "o oră" is also "a time".
WORDS = {2: "two", 5: "five", 6: "six", 12: "twelve", 24: "twenty-four", 30: "thirty",
         48: "forty-eight"}  # fmt: skip
RO_WORDS = {5: "cinci", 6: "șase", 12: "douăsprezece", 24: "douăzeci și patru",
            30: "treizeci"}  # fmt: skip
UNITS = {
    "hours": (r"hours?|h\b|-hour", r"(de\s+)?ore|oră|ora"),
    "minutes": (r"minutes?|min\b", r"(de\s+)?minute"),
    "months": (r"months?", r"(de\s+)?luni|lună"),
    "weeks": (r"weeks?", r"(de\s+)?săptămâni"),
}


def _figures() -> set[tuple[int, str]]:
    """(number, unit) of every duration and count the policy defines."""

    def split(delta: timedelta) -> tuple[int, str]:
        minutes = int(delta.total_seconds() // 60)
        if minutes % (60 * 24 * 7) == 0 and minutes >= 60 * 24 * 7:
            return minutes // (60 * 24 * 7), "weeks"
        return (minutes // 60, "hours") if minutes % 60 == 0 else (minutes, "minutes")

    found = {split(POLICY.notice), split(POLICY.first_response), split(POLICY.booking_horizon)}
    found |= {split(before) for _, before in POLICY.reminder_plan}
    found |= {
        (NO_SHOW_TERMS.window_months, "months"),
        (NO_SHOW_TERMS.cooldown_months, "months"),
        (NO_SHOW_TERMS.unresponsive_minutes, "minutes"),
    }
    for setting in PLAN_SETTINGS:
        if setting.unit in ("hours", "months") and isinstance(setting.default, int):
            found.add((setting.default, setting.unit))
    return found


def _patterns() -> list[tuple[re.Pattern[str], str]]:
    patterns = []
    for number, unit in sorted(_figures()):
        en, ro = UNITS[unit]
        spelled = [str(number), *filter(None, [WORDS.get(number), RO_WORDS.get(number)])]
        for word in spelled:
            for units in (en, ro):
                text = rf"(?<![\w%(]){re.escape(word)}[\s\u00a0-]*({units})"
                patterns.append((re.compile(text, re.IGNORECASE), f"{number} {unit}"))
    return patterns


def _texts() -> list[tuple[str, str]]:
    """(where, text) of every template and every message (both languages) of the catalogue."""
    texts = [
        (str(path.relative_to(REPO)), path.read_text())
        for path in sorted((REPO / "templates").rglob("*"))
        if path.suffix in {".html", ".txt"}
    ]
    catalogue = REPO / "academy/translations/ro/LC_MESSAGES/messages.po"
    with catalogue.open("rb") as f:
        for message in read_po(f):
            ids = message.id if isinstance(message.id, tuple) else (message.id,)
            strings = message.string if isinstance(message.string, tuple) else (message.string,)
            where = f"messages.po: {ids[0][:50]!r}"
            texts += [(where, t) for t in (*ids, *strings) if t]
    return texts


def test_no_text_writes_a_figure_of_the_terms_literally():
    patterns = _patterns()
    found = [
        f"{where}: {match.group(0)!r} ({figure})"
        for where, text in _texts()
        for pattern, figure in patterns
        if (match := pattern.search(re.sub(r"\{#.*?#\}", "", text, flags=re.S)))
    ]
    assert found == [], "\n".join(found)


def test_the_check_sees_a_literal_figure():
    """The check itself can fail: a made-up template with '24 hours' in it is caught."""
    patterns = _patterns()
    for literal in ("less than 24 hours before", "within 12 months", "cu 24 de ore înainte"):
        assert any(p.search(literal) for p, _ in patterns), literal
    assert not any(p.search("less than %(hours)d hours before") for p, _ in patterns)
