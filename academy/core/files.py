"""Files people upload (conduct evidence, support attachments): checked, then kept outside
static/ under random names, and sent back under a safe name."""

from __future__ import annotations

import secrets
from pathlib import Path

from flask import current_app
from flask_babel import lazy_gettext as _l

from academy.core.errors import DomainError
from academy.core.text import download_name

# What an upload may be, recognised by its first bytes, not by its name.
FILE_TYPES = {
    b"\x89PNG": ("image/png", ".png"),
    b"\xff\xd8\xff": ("image/jpeg", ".jpg"),
    b"%PDF": ("application/pdf", ".pdf"),
}


def store_file(data: bytes, filename: str, field: str, directory: Path) -> tuple[str, str, str]:
    """Keep an uploaded file (evidence, a support attachment) outside static/, under a random
    name; its type is read from its first bytes. Returns (stored name, shown name, type)."""
    if len(data) > current_app.config["EVIDENCE_MAX_BYTES"]:
        raise DomainError(_l("The file is too large (at most 5 MB)."), field)
    known = [kind for magic, kind in FILE_TYPES.items() if data.startswith(magic)]
    if known:
        mime, ext = known[0]
    else:
        try:
            data.decode("utf-8")
        except UnicodeDecodeError:
            raise DomainError(
                _l("Attach a PNG or JPEG image, a PDF or a text file."), field
            ) from None
        mime, ext = "text/plain", ".txt"
    name = f"{secrets.token_hex(16)}{ext}"
    directory.mkdir(parents=True, exist_ok=True)
    (directory / name).write_bytes(data)
    return name, download_name(filename, fallback=name), mime
