"""Is a new password too easy to guess? (ASVS 2.1.7)

zxcvbn (Dropbox's estimator, here its maintained Python port) knows the common and breached
passwords of public lists, keyboard walks ("qwertyuiop"), sequences ("1234567890"), repeats,
dates and l33t spellings, and the person's own name and email (user inputs). A password
scoring under PASSWORD_MIN_SCORE (0-4; 3 is "safely unguessable" for a slow hash such as
argon2) is refused with a message beside the field. No composition rules (ASVS 2.1.9).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from flask import current_app
from flask_babel import lazy_gettext as _l
from zxcvbn import zxcvbn

# zxcvbn refuses longer input (its matching grows fast with length); what it cannot see of a
# longer password only adds to its strength.
ESTIMATED_LENGTH = 72


def weakness(password: str, inputs: Iterable[str] = ()) -> str | None:
    """Why `password` is too weak, in the reader's language; None when it is strong enough."""
    words = {w.lower() for text in inputs for w in re.split(r"[\s@.+_-]+", text or "") if w}
    result = zxcvbn(password[:ESTIMATED_LENGTH], user_inputs=sorted(words))
    if result["score"] >= current_app.config["PASSWORD_MIN_SCORE"]:
        return None
    dictionaries = {m.get("dictionary_name") for m in result["sequence"]}
    if "user_inputs" in dictionaries:
        return str(_l("Leave your name and email out of your password."))
    if "passwords" in dictionaries and len(result["sequence"]) == 1:
        return str(_l("This is one of the most common passwords. Choose another one."))
    return str(
        _l(
            "This password is too easy to guess. Add a few words or make it longer; "
            "a short sentence works well."
        )
    )
