"""The Romanian catalogue covers every message in academy/ and templates/.

The messages are extracted afresh on every run, with babel.cfg and the keywords
`make translations` passes to `pybabel extract`, so a string added to the code or a
template without a Romanian translation fails here. Only the catalogue is read: nothing
is rendered and the compiled .mo file is not needed.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog, Message
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.pofile import read_po, write_po

try:
    from babel.messages.frontend import parse_mapping_cfg
except ImportError:  # Babel < 2.16
    from babel.messages.frontend import parse_mapping as parse_mapping_cfg

REPO = Path(__file__).resolve().parents[2]
BABEL_CFG = REPO / "babel.cfg"
PO_FILE = REPO / "academy" / "translations" / "ro" / "LC_MESSAGES" / "messages.po"
PO_NAME = PO_FILE.relative_to(REPO).as_posix()
# The same keywords as `pybabel extract -F babel.cfg -k _l -k N_` (babel.cfg adds the rest).
KEYWORDS = {**DEFAULT_KEYWORDS, "_l": None, "N_": None}
HOW_TO_FIX = (
    f"Run `make translations` (extracts the messages and updates {PO_NAME}), then give "
    "every new or changed entry a Romanian msgstr and remove any '#, fuzzy' flag."
)

# A %-format conversion: %% or %(name)s / %s / %5.2f ... (what Python's % operator accepts).
FORMAT_SPEC = re.compile(
    r"%(?:%|(?:\((?P<name>[^)]*)\))?[#0 +-]*(?:\*|\d+)?(?:\.(?:\*|\d+))?[hlL]?"
    r"(?P<type>[diouxXeEfFgGcrsa]))"
)
# A call of a translation function with a string literal, in Python or Jinja source.
LITERAL_CALL = re.compile(
    r"(?<![\w.])(?:_|_l|N_|gettext|ngettext|pgettext|npgettext|lazy_gettext|lazy_ngettext"
    r"|lazy_pgettext)\(\s*[rRuU]?['\"]"
)
CEDILLA_LETTERS = "şţŞŢ"  # Romanian uses the comma-below ș ț Ș Ț (U+0219, U+021B, ...)


@pytest.fixture(scope="module")
def extracted(tmp_path_factory: pytest.TempPathFactory) -> Catalog:
    """The messages now in academy/ and templates/, as a POT written to a temp dir."""
    with BABEL_CFG.open(encoding="utf-8") as f:
        method_map, options_map = parse_mapping_cfg(f, str(BABEL_CFG))
    template = Catalog(project="TaxDome Academy", fuzzy=False)
    for filename, lineno, message, comments, context in extract_from_dir(
        REPO, method_map, options_map, keywords=KEYWORDS
    ):
        template.add(message, None, [(filename, lineno)], auto_comments=comments, context=context)
    pot = tmp_path_factory.mktemp("i18n") / "messages.pot"
    with pot.open("wb") as f:
        write_po(f, template)
    with pot.open("rb") as f:
        return read_po(f)


@pytest.fixture(scope="module")
def romanian() -> Catalog:
    assert PO_FILE.is_file(), f"{PO_NAME} is missing. {HOW_TO_FIX}"
    with PO_FILE.open("rb") as f:
        return read_po(f, locale="ro")


def _messages(catalog: Catalog) -> list[Message]:
    return [m for m in catalog if m.id]  # without the header entry


def _label(message: Message) -> str:
    msgid = message.id if isinstance(message.id, str) else " | ".join(message.id)
    where = ", ".join(f"{f}:{n}" for f, n in message.locations[:2])
    context = f"[{message.context}] " if message.context else ""
    return f"  {context}{msgid!r}" + (f"  ({where})" if where else "")


def _is_translated(message: Message, nplurals: int) -> bool:
    if message.fuzzy:
        return False
    if isinstance(message.id, str):
        return isinstance(message.string, str) and bool(message.string.strip())
    forms = message.string if isinstance(message.string, tuple | list) else ()
    return len(forms) == nplurals and all(form.strip() for form in forms)


def _placeholders(text: str) -> Counter[str]:
    """The conversions in a %-format string (%% excluded), e.g. {'%(n)d': 1}."""
    return Counter(m.group(0) for m in FORMAT_SPEC.finditer(text) if m.group(0) != "%%")


def _stray_percent(text: str) -> bool:
    """True if a % is not part of a conversion (it breaks `text % values`)."""
    return "%" in FORMAT_SPEC.sub("", text)


def test_extraction_finds_the_messages(extracted: Catalog) -> None:
    """babel.cfg reaches every translation call with a literal in academy/ and templates/.

    Guards the check below: a pattern or keyword missing from babel.cfg would otherwise
    drop messages from extraction and let them go untranslated unnoticed.
    """
    found: dict[str, set[int]] = {}
    for message in _messages(extracted):
        for filename, lineno in message.locations:
            found.setdefault(Path(filename).as_posix(), set()).add(int(lineno or 0))
    sources = [
        *sorted((REPO / "academy").rglob("*.py")),
        *sorted((REPO / "templates").rglob("*.html")),
        *sorted((REPO / "templates").rglob("*.txt")),
    ]
    missed = []
    for path in sources:
        name = path.relative_to(REPO).as_posix()
        text = path.read_text(encoding="utf-8")
        for call in LITERAL_CALL.finditer(text):
            first = text.count("\n", 0, call.start()) + 1
            last = text.count("\n", 0, call.end()) + 1
            if not found.get(name, set()) & set(range(first, last + 1)):
                missed.append(f"  {name}:{first}: {call.group(0)}...")
    assert found, "pybabel extracted no messages at all: check babel.cfg."
    assert not missed, (
        "These translation calls were not extracted with babel.cfg; add the file pattern "
        "or the keyword to babel.cfg (and `make translations`):\n" + "\n".join(missed)
    )


def test_every_message_has_a_romanian_translation(extracted: Catalog, romanian: Catalog) -> None:
    nplurals = romanian.num_plurals
    missing = []
    for message in _messages(extracted):
        translation = romanian.get(message.id, message.context)
        if translation is None or not _is_translated(translation, nplurals):
            missing.append(_label(message))
    assert not missing, (
        f"{len(missing)} message(s) have no Romanian translation (missing, empty or fuzzy) "
        f"in {PO_NAME}:\n" + "\n".join(missing) + f"\n{HOW_TO_FIX}"
    )


def test_the_catalogue_has_no_fuzzy_or_empty_entries(romanian: Catalog) -> None:
    incomplete = [
        _label(m) for m in _messages(romanian) if not _is_translated(m, romanian.num_plurals)
    ]
    assert not incomplete, f"Fuzzy or untranslated entries in {PO_NAME}:\n" + "\n".join(incomplete)


def test_translations_keep_the_placeholders(romanian: Catalog) -> None:
    """Each msgstr has the msgid's %(name)s conversions, no more, no fewer, same type."""
    wrong = []
    for message in _messages(romanian):
        if not _is_translated(message, romanian.num_plurals):
            continue  # reported by the tests above
        if isinstance(message.id, str):
            pairs = [(message.id, message.string)]
        else:  # plural forms: each one against the plural msgid
            singular, plural = message.id[0], message.id[1]
            pairs = [(plural, form) for form in message.string[1:]]
            allowed = _placeholders(singular) | _placeholders(plural)
            if _placeholders(message.string[0]) - allowed:
                pairs.append((singular, message.string[0]))
        for source, target in pairs:
            expected, actual = _placeholders(source), _placeholders(target)
            if expected != actual:
                wrong.append(
                    f"{_label(message)}\n    expected {sorted(expected.elements())}, "
                    f"found {sorted(actual.elements())}: {target!r}"
                )
            elif _stray_percent(target) and not _stray_percent(source):
                wrong.append(
                    f"{_label(message)}\n    a lone % in {target!r}: write a literal "
                    "percent as %% like the msgid does"
                )
    assert not wrong, f"Placeholders differ in {PO_NAME}:\n" + "\n".join(wrong)


def test_romanian_uses_comma_below_letters(romanian: Catalog) -> None:
    cedilla = []
    for message in _messages(romanian):
        forms = [message.string] if isinstance(message.string, str) else message.string
        if any(ch in form for form in forms for ch in CEDILLA_LETTERS):
            cedilla.append(_label(message))
    assert not cedilla, (
        "Use ș ț Ș Ț (comma below, U+0219/U+021B/U+0218/U+021A), not the cedilla forms "
        f"ş ţ Ş Ţ, in {PO_NAME}:\n" + "\n".join(cedilla)
    )
