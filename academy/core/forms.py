"""The base of every form."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from flask import flash, redirect, render_template, request
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response
from wtforms import fields
from wtforms.validators import StopValidation

from academy.core.errors import DomainError
from academy.core.params import MAX_ID, in_range, parse_int

T = TypeVar("T")


def _drop_nul(value: Any) -> Any:
    """NUL is never meaningful in a form, and PostgreSQL refuses it in text columns."""
    return value.replace("\x00", "") if isinstance(value, str) else value


class Form(FlaskForm):
    class Meta:
        def bind_field(self, form: Any, unbound_field: Any, options: dict[str, Any]) -> Any:
            # The unbound field is the class's, shared by every instance: its own filters stay
            # as declared (prepending to them grew the list by one at each form built).
            filters = [_drop_nul, *unbound_field.kwargs.get("filters", ())]
            return unbound_field.bind(form=form, filters=filters, **options)


class _KeepsParseErrors:
    """A value that could not be read says why ("Enter a date between 1900 and 2200."), not
    "This field is required.": DataRequired would otherwise replace the parse error."""

    process_errors: list[Any]

    def pre_validate(self, form: Any) -> None:
        if self.process_errors:
            raise StopValidation()


class IntegerField(_KeepsParseErrors, fields.IntegerField):
    """A whole number typed in ASCII digits, within what a database integer holds: "١٢", "²",
    5,000 digits or 2**40 are an error beside the field, never an overflow further down.
    Narrower bounds are the form's NumberRange validators."""

    def process_formdata(self, valuelist: list[Any]) -> None:
        if not valuelist:
            return
        self.data = None
        try:
            self.data = parse_int(str(valuelist[0]).strip(), minimum=-MAX_ID, maximum=MAX_ID)
        except ValueError as exc:
            raise ValueError(_l("Enter a whole number.")) from exc


class DateField(_KeepsParseErrors, fields.DateField):
    """A date within the years a person means (academy.core.params.MIN_YEAR..MAX_YEAR): year 1
    or 9999 would overflow once combined with a time zone."""

    def process_formdata(self, valuelist: list[Any]) -> None:
        super().process_formdata(valuelist)
        if self.data is not None and not in_range(self.data):
            self.data = None
            raise ValueError(_l("Enter a date between 1900 and 2200."))


def query_text(name: str = "q", max_length: int = 200) -> str:
    """A search box's text from the query string: trimmed, bounded, without NUL."""
    return _drop_nul(request.args.get(name, "")).strip()[:max_length]


def form_text(name: str) -> str:
    """A posted text field read without a form class (the chat's fetch posts): without NUL."""
    return _drop_nul(request.form.get(name, ""))


def show_error(form: FlaskForm, error: DomainError) -> None:
    """Put a service's error beside its field, or at the top of the page when it has none."""
    field = getattr(form, error.field, None) if error.field else None
    if field is not None:
        field.errors = [*field.errors, error.message]
    else:
        flash(error.message, "error")


def form_page(
    form: FlaskForm,
    template: str,
    *,
    save: Callable[[], T],
    then: Callable[[T], str] | str,
    saved: str | None = None,
    **context: Any,
) -> str | Response:
    """The flow of every page that edits something with a form.

    On a valid POST, `save()` (a service) does the work; a DomainError it raises is shown
    beside its field and the form is shown again with what was typed. Otherwise `saved` is
    flashed and the browser goes to `then` (a URL, or a function of what `save` returned).
    A GET, or an invalid form, renders `template` with the form and `context`.
    """
    if form.validate_on_submit():
        try:
            result = save()
        except DomainError as error:
            show_error(form, error)
        else:
            if saved:
                flash(saved, "success")
            return redirect(then(result) if callable(then) else then)
    return render_template(template, form=form, **context)
