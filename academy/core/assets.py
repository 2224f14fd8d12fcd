"""Static files under URLs that name their content, kept by browsers for a year.

`url_for('static', filename=...)` adds `?v=` and the first 12 hex digits of the file's
SHA-256: a changed file gets a new URL, so the old one may be cached for good. A request with
the current digest is answered with `Cache-Control: public, max-age=31536000`; any other (an
old page asking for an old digest, or no digest) gets Flask's default, revalidated by ETag.
Digests are computed once per process (in debug mode, at every request, since files change).
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from flask import Flask, request
from werkzeug.security import safe_join

YEAR = 365 * 24 * 3600


def install_static_versions(app: Flask) -> None:
    digests: dict[str, str | None] = {}

    def digest(filename: str) -> str | None:
        if filename in digests and not app.debug:
            return digests[filename]
        path = safe_join(str(app.static_folder), filename)
        value = None
        if path is not None and Path(path).is_file():
            value = hashlib.sha256(Path(path).read_bytes()).hexdigest()[:12]
        digests[filename] = value
        return value

    @app.url_defaults
    def _version(endpoint: str, values: dict[str, Any]) -> None:
        if endpoint != "static" or "filename" not in values or "v" in values:
            return
        if (value := digest(values["filename"])) is not None:
            values["v"] = value

    def max_age(filename: str | None) -> int | None:
        if filename and request.args.get("v") and request.args.get("v") == digest(filename):
            return YEAR
        return None

    app.get_send_file_max_age = max_age  # type: ignore[method-assign]
