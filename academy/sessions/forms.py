from __future__ import annotations

from datetime import time
from itertools import pairwise

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    HiddenField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
    TimeField,
    URLField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import URL, DataRequired, Length, Optional, ValidationError

from academy.core.forms import DateField, Form
from academy.core.params import coerce_int
from academy.scheduling.policy import NO_SHOW_TERMS, POLICY

WEEKDAYS = [
    _l("Monday"),
    _l("Tuesday"),
    _l("Wednesday"),
    _l("Thursday"),
    _l("Friday"),
    _l("Saturday"),
    _l("Sunday"),
]
WINDOWS_PER_DAY = 2


class SlotForm(Form):
    """A chosen slot: the host and the start instant (ISO 8601, UTC)."""

    host = HiddenField(validators=[DataRequired()])
    start = HiddenField(validators=[DataRequired()])


class BookForm(SlotForm):
    fee = BooleanField(_l("I accept the fee for this session."))
    note = TextAreaField(
        _l("What would you like to cover? (optional)"),
        validators=[Optional(), Length(max=1000)],
        description=_l("The host reads this before the session."),
    )


class ConfirmForm(Form):
    """Just the CSRF token: the button of a page that says what will happen."""


def _on_grid(form: Form, field: TimeField) -> None:
    grid = int(POLICY.slot_grid.total_seconds() // 60)
    if field.data is not None and (field.data.minute % grid or field.data.second):
        raise ValidationError(_l("Use times on the hour or half hour."))


def availability_form(data: dict[str, time | None]) -> Form:
    """Weekly hours: up to two windows per weekday, fields d<weekday>_<n>_start/_end."""

    class AvailabilityForm(Form):
        def validate(self, extra_validators: object = None) -> bool:
            ok = super().validate(extra_validators)  # type: ignore[arg-type]
            for day in range(7):
                spans = []
                for n in range(1, WINDOWS_PER_DAY + 1):
                    start, end = self[f"d{day}_{n}_start"], self[f"d{day}_{n}_end"]
                    if (start.data is None) != (end.data is None):
                        end.errors.append(_l("Give both a start and an end, or neither."))
                        ok = False
                    elif start.data is not None and end.data <= start.data:
                        end.errors.append(_l("The end must be after the start."))
                        ok = False
                    elif start.data is not None:
                        spans.append((start.data, end.data, end))
                spans.sort(key=lambda s: s[0])
                for (_, a_end, _f), (b_start, _e, b_field) in pairwise(spans):
                    if b_start < a_end:
                        b_field.errors.append(_l("The two periods overlap."))
                        ok = False
            return ok

    for day in range(7):
        for n in range(1, WINDOWS_PER_DAY + 1):
            for part, label in (("start", _l("From")), ("end", _l("To"))):
                setattr(
                    AvailabilityForm,
                    f"d{day}_{n}_{part}",
                    TimeField(label, validators=[Optional(), _on_grid]),
                )
    return AvailabilityForm(data=data)


class DayOffForm(Form):
    day = DateField(_l("Day off"), validators=[DataRequired()])
    reason = StringField(_l("Reason (only staff see it)"), validators=[Optional(), Length(max=200)])


class MeetingRoomForm(Form):
    meeting_url = URLField(
        _l("Your meeting room link"),
        validators=[Optional(), URL(require_tld=True), Length(max=500)],
        description=_l("Zoom, Google Meet or Teams link sent to clients who book you."),
    )


class ScheduleFilterForm(Form):
    class Meta:
        csrf = False

    start = DateField(_l("From"), validators=[Optional()])
    end = DateField(_l("To"), validators=[Optional()])
    host = StringField(_l("Host"), validators=[Optional()])
    q = StringField(_l("Client"), validators=[Optional(), Length(max=200)])


class OutcomeForm(Form):
    outcome = SelectField(
        _l("What happened?"),
        choices=[
            SelectChoice("attended", _l("Attended")),
            SelectChoice("no_show", _l("No-show: the client did not attend")),
            SelectChoice(
                "interrupted",
                _l(
                    "Interrupted: unresponsive for more than %(minutes)d minutes",
                    minutes=NO_SHOW_TERMS.unresponsive_minutes,  # R13
                ),
            ),
        ],
    )
    note = TextAreaField(
        _l("Note"),
        validators=[Optional(), Length(max=1000)],
        description=_l("For an interrupted session, the client receives this note."),
    )


class ExcuseForm(Form):
    reason = StringField(_l("Why is it excused?"), validators=[DataRequired(), Length(max=300)])


class MoveForm(Form):
    """A client's change to another date of the same workshop."""

    occurrence = HiddenField(validators=[DataRequired()])


class RatingForm(Form):
    rating = RadioField(
        _l("Your rating"),
        coerce=coerce_int,
        choices=[SelectChoice(n, str(n)) for n in range(5, 0, -1)],
        validators=[DataRequired(_l("Choose a rating from 1 to 5."))],
    )
    message = TextAreaField(
        _l("What should we keep or change? (optional)"),
        validators=[Optional(), Length(max=5000)],
    )
