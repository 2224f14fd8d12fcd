"""Small text helpers every domain shares: URL slugs and spreadsheet-safe CSV cells."""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Iterable
from typing import Any

from markupsafe import Markup, escape


def slugify(text: str, max_length: int = 100) -> str:
    """A readable URL part: "Facturare și plăți" -> "facturare-si-plati" ("" when nothing
    readable is left; callers supply their own fallback)."""
    plain = unicodedata.normalize("NFKD", text or "").encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", plain.lower()).strip("-")[:max_length].strip("-")


# A link in what someone wrote: up to whitespace or a character that cannot end a URL there.
_URL = re.compile(r"https?://[^\s<>\"']+[^\s<>\"'.,;:!?)\]]")


def linkify(text: str) -> Markup:
    """Plain text (a support answer, a comment) as HTML whose web addresses are links, so an
    email's HTML part has the same links its text part shows. Everything else is escaped."""
    out, last = [], 0
    for match in _URL.finditer(text or ""):
        url = match.group(0)
        out += [escape(text[last : match.start()]), Markup('<a href="%s">%s</a>') % (url, url)]
        last = match.end()
    out.append(escape((text or "")[last:]))
    return Markup("").join(out)


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
