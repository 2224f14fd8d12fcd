"""Small text helpers every domain shares: URL slugs and spreadsheet-safe CSV cells."""

from __future__ import annotations

import re
import unicodedata
from typing import Any


def slugify(text: str, max_length: int = 100) -> str:
    """A readable URL part: "Facturare și plăți" -> "facturare-si-plati" ("" when nothing
    readable is left; callers supply their own fallback)."""
    plain = unicodedata.normalize("NFKD", text or "").encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", plain.lower()).strip("-")[:max_length].strip("-")


def csv_cell(value: Any) -> str:
    """A CSV cell a spreadsheet will not run as a formula (CSV injection)."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text
