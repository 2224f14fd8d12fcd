"""Question kinds: one class per kind, and the registry every other part asks.

A kind owns everything that differs between kinds: how staff set a question up (and what is
wrong with what they typed), what it keeps of the values a client's browser sends, how an
answer is scored, and the template that shows it (a file defining two macros: `input`, the
fields of a quiz page, and `review`, the answer beside the right one on the result page).
Services, views and templates never branch on a kind; they call `kind_of(question.kind)`.

Adding a kind: a class here (and its `QuestionKind` member), its template under
`templates/courses/kinds/`, a test in `tests/courses/test_kinds.py`, and the Romanian for
its label and messages. A kind stores what fits the question's columns (choices, accepted
lines, a number and a tolerance); one that needs more needs a migration too.

Pure: no Flask, no SQLAlchemy. Labels and reasons are English message ids marked with N_();
the web layer translates them.
"""

from __future__ import annotations

import re
import unicodedata
from abc import ABC, abstractmethod
from collections.abc import Collection, Iterator, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import ClassVar, TypeVar

from academy.core.markers import N_


class QuestionKind(StrEnum):
    """The kinds built in; a question's `kind` column holds one of these names."""

    SINGLE = "single"
    MULTIPLE = "multiple"
    TRUE_FALSE = "true_false"
    SHORT_TEXT = "short_text"
    NUMERIC = "numeric"


# A stored answer is at most this long, whatever a browser sends.
MAX_ANSWER = 500
# A choice id as a browser sends it: plain ASCII digits, at most nine. "²" passes isdigit()
# but not int(), and a 5,000-digit value would overflow the database's integers.
_CHOICE_ID = re.compile(r"[0-9]{1,9}")


# --- Reading what people type ----------------------------------------------------------------


def normalise(text: str) -> str:
    """Text compared for a short answer: case, accents, punctuation and spacing ignored."""
    text = unicodedata.normalize("NFKD", text or "")
    text = "".join(c for c in text if not unicodedata.combining(c)).casefold()
    text = re.sub(r"[^\w\s]", " ", text)
    return " ".join(text.split())


def parse_number(text: str) -> float | None:
    """A number as people type it: "3.5", "3,5", " 1 200 " (a comma alone is a decimal mark)."""
    text = (text or "").strip().replace(" ", "").replace("\u00a0", "")
    if text.count(",") == 1 and "." not in text:
        text = text.replace(",", ".")
    text = text.replace(",", "")
    try:
        value = float(text)
    except ValueError:
        return None
    return value if value == value and abs(value) != float("inf") else None


def parse_choice_ids(text: str) -> frozenset[int]:
    """The choice ids of a stored answer ("4,7"); anything else in it is ignored."""
    return frozenset(int(p) for p in (text or "").split(",") if _CHOICE_ID.fullmatch(p))


def parse_choices(text: str) -> list[tuple[str, bool]]:
    """Answers as staff type them: one per line, a leading * marks a correct one."""
    choices = []
    for line in (text or "").splitlines():
        line = line.strip()
        if line:
            correct = line.startswith("*")
            choices.append((line.lstrip("*").strip()[:500], correct))
    return choices


def _lines(text: str) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def _last_value(raw: Sequence[str]) -> str:
    # Radios come after a hidden empty value (so "nothing chosen" is sent too): the last
    # non-empty value is the answer.
    return next((v.strip() for v in reversed(raw) if v.strip()), "")[:MAX_ANSWER]


# --- What a kind works with -------------------------------------------------------------------


@dataclass(frozen=True)
class Draft:
    """A question's set-up as staff typed it on the question form."""

    choices: str = ""  # one answer per line, "*" before the right ones
    accepted: str = ""  # one accepted answer per line
    number: float | None = None
    tolerance: float | None = None


@dataclass(frozen=True)
class Setup:
    """What is stored for a question: its choices (text, right?) and its answer columns."""

    choices: tuple[tuple[str, bool], ...] = ()
    accepted: str = ""
    number: float | None = None
    tolerance: float = 0.0


class SetupError(ValueError):
    """What staff typed does not make a question of this kind; `reason` (a message id)
    belongs beside the form field `field`."""

    def __init__(self, reason: str, field: str) -> None:
        super().__init__(reason)
        self.reason = reason
        self.field = field


@dataclass(frozen=True)
class Key:
    """What a correct answer is, for one question (never sent to the browser)."""

    kind: str
    correct_choices: frozenset[int] = frozenset()
    accepted: tuple[str, ...] = ()  # short text; "true"/"false" for true/false
    number: float | None = None
    tolerance: float = 0.0


class Kind(ABC):
    """One kind of question: its class attributes, its set-up and its scoring (and its
    cleaning, unless the last non-empty value a browser sends is what it keeps).

    `template` names a template defining two macros: `input(question, choices, name, value,
    disabled)`, the fields named `name` on the quiz page (`value` is the stored answer), and
    `review(question, choices, value)`, the answer given beside the right one."""

    name: ClassVar[str]  # stored in the question's `kind` column (at most 20 characters)
    label: ClassVar[str]  # a message id, shown to staff
    template: ClassVar[str]

    @abstractmethod
    def set_up(self, draft: Draft) -> Setup:
        """What to store for a question typed as `draft`; SetupError if it cannot be one."""

    def clean(self, raw: Sequence[str], choice_ids: Collection[int]) -> str:
        """What a browser sent for one question (a field's values, in order), as stored.
        `choice_ids` are the question's own choices. Anything unexpected becomes ""."""
        return _last_value(raw)

    @abstractmethod
    def is_correct(self, key: Key, response: str) -> bool:
        """Is the stored `response` right? Empty is always wrong."""


class ChoiceKind(Kind):
    """Answers to pick from: the stored answer is the ids of the chosen ones, "4,7"."""

    template = "courses/kinds/choices.html"
    many: ClassVar[bool]  # checkboxes (True) or radios

    def set_up(self, draft: Draft) -> Setup:
        parsed = parse_choices(draft.choices)
        if len(parsed) < 2:
            raise SetupError(N_("Give at least two answers, one per line."), "choices")
        correct = sum(1 for _text, ok in parsed if ok)
        if correct == 0 or (not self.many and correct != 1):
            raise SetupError(
                N_("Mark the correct answer with * (exactly one for a single choice)."),
                "choices",
            )
        return Setup(choices=tuple(parsed))

    def clean(self, raw: Sequence[str], choice_ids: Collection[int]) -> str:
        ids = sorted({int(v) for v in raw if _CHOICE_ID.fullmatch(v) and int(v) in choice_ids})
        return ",".join(map(str, ids if self.many else ids[:1]))

    def is_correct(self, key: Key, response: str) -> bool:
        chosen = parse_choice_ids(response)
        if not self.many and len(chosen) != 1:
            return False
        return bool(chosen) and chosen == key.correct_choices


# --- The kinds -------------------------------------------------------------------------------

REGISTRY: dict[str, Kind] = {}
K = TypeVar("K", bound=Kind)


def register(cls: type[K]) -> type[K]:
    """Class decorator: questions whose `kind` is `cls.name` are handled by `cls`."""
    if len(cls.name) > 20:
        raise ValueError(f"a kind's name fits the 20-character column: {cls.name!r}")
    REGISTRY[cls.name] = cls()
    return cls


def kind_of(name: str) -> Kind:
    """The kind of a question; KeyError for a name no class is registered for."""
    return REGISTRY[name]


def all_kinds() -> Iterator[Kind]:
    """Every kind, in the order staff are offered them."""
    return iter(REGISTRY.values())


@register
class SingleChoice(ChoiceKind):
    name = QuestionKind.SINGLE
    label = N_("Single choice")
    many = False


@register
class MultipleChoice(ChoiceKind):
    """Exactly the right set: one missing or one too many is wrong."""

    name = QuestionKind.MULTIPLE
    label = N_("Multiple choice")
    many = True


@register
class TrueFalse(Kind):
    name = QuestionKind.TRUE_FALSE
    label = N_("True or false")
    template = "courses/kinds/true_false.html"
    VALUES: ClassVar[tuple[str, str]] = ("true", "false")

    def set_up(self, draft: Draft) -> Setup:
        first = _lines(draft.accepted)[:1]
        if not first or first[0] not in self.VALUES:
            raise SetupError(N_("Choose whether the statement is true or false."), "accepted")
        return Setup(accepted=first[0])

    def clean(self, raw: Sequence[str], choice_ids: Collection[int]) -> str:
        value = _last_value(raw)
        return value if value in self.VALUES else ""

    def is_correct(self, key: Key, response: str) -> bool:
        return response in self.VALUES and (response,) == key.accepted[:1]


@register
class ShortText(Kind):
    """Any of the accepted answers, compared without case, accents or punctuation."""

    name = QuestionKind.SHORT_TEXT
    label = N_("Short text")
    template = "courses/kinds/short_text.html"

    def set_up(self, draft: Draft) -> Setup:
        accepted = _lines(draft.accepted)
        if not accepted:
            raise SetupError(N_("Give at least one accepted answer."), "accepted")
        return Setup(accepted="\n".join(accepted))

    def is_correct(self, key: Key, response: str) -> bool:
        given = normalise(response)
        return bool(given) and given in {normalise(a) for a in key.accepted}


@register
class Numeric(Kind):
    """A number within the tolerance either side, typed with a point or a comma."""

    name = QuestionKind.NUMERIC
    label = N_("Number")
    template = "courses/kinds/numeric.html"

    def set_up(self, draft: Draft) -> Setup:
        if draft.number is None:
            raise SetupError(N_("Give the correct number."), "number")
        return Setup(number=draft.number, tolerance=abs(draft.tolerance or 0.0))

    def is_correct(self, key: Key, response: str) -> bool:
        value = parse_number(response)
        if value is None or key.number is None:
            return False
        return abs(value - key.number) <= abs(key.tolerance) + 1e-9
