"""Small text helpers every domain shares: URL slugs and spreadsheet-safe CSV cells."""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Iterable
from typing import Any


def slugify(text: str, max_length: int = 100) -> str:
    """A readable URL part: "Facturare și plăți" -> "facturare-si-plati" ("" when nothing
    readable is left; callers supply their own fallback)."""
    plain = unicodedata.normalize("NFKD", text or "").encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", plain.lower()).strip("-")[:max_length].strip("-")


def csv_cell(value: Any) -> str:
    """A CSV cell a spreadsheet will not run as a formula (CSV injection): the one guard every
    export uses (through csv_text, or cell by cell)."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def csv_text(header: Iterable[Any], rows: Iterable[Iterable[Any]]) -> str:
    """A whole CSV file, every cell (the header too) through csv_cell."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([csv_cell(v) for v in header])
    writer.writerows([csv_cell(v) for v in row] for row in rows)
    return out.getvalue()


def download_name(name: str | None, fallback: str = "download") -> str:
    """The name a download is saved under: the base name of what the sender called it, never
    a path ("../../../tmp/x.pdf" -> "x.pdf"), without control characters or quotes. Non-ASCII
    letters stay: Werkzeug's send_file adds RFC 6266 `filename*=UTF-8''...` for them."""
    text = unicodedata.normalize("NFC", name or "").replace("\\", "/").rsplit("/", 1)[-1]
    text = "".join(c for c in text if unicodedata.category(c)[0] != "C" and c not in '"')
    text = text.strip().lstrip(".").strip()
    return text[:200] or fallback
