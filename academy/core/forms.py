"""The base of every form."""

from __future__ import annotations

from typing import Any

from flask import request
from flask_wtf import FlaskForm


def _drop_nul(value: Any) -> Any:
    """NUL is never meaningful in a form, and PostgreSQL refuses it in text columns."""
    return value.replace("\x00", "") if isinstance(value, str) else value


class Form(FlaskForm):
    class Meta:
        def bind_field(self, form: Any, unbound_field: Any, options: dict[str, Any]) -> Any:
            filters = unbound_field.kwargs.get("filters", ())
            unbound_field.kwargs["filters"] = [_drop_nul, *filters]
            return unbound_field.bind(form=form, **options)


def query_text(name: str = "q", max_length: int = 200) -> str:
    """A search box's text from the query string: trimmed, bounded, without NUL."""
    return _drop_nul(request.args.get(name, "")).strip()[:max_length]
