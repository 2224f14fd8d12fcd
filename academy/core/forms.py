"""The base of every form."""

from __future__ import annotations

from typing import Any

from flask import flash, request
from flask_wtf import FlaskForm

from academy.core.errors import DomainError


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


def show_error(form: FlaskForm, error: DomainError) -> None:
    """Put a service's error beside its field, or at the top of the page when it has none."""
    field = getattr(form, error.field, None) if error.field else None
    if field is not None:
        field.errors = [*field.errors, error.message]
    else:
        flash(error.message, "error")
