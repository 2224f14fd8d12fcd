from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    SelectField,
    StringField,
    TextAreaField,
    TimeField,
    URLField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import URL, DataRequired, Length, NumberRange, Optional

from academy.core.forms import DateField, Form, IntegerField
from academy.core.params import coerce_int
from academy.scheduling.models import WorkshopLevel

LEVELS = [
    SelectChoice(WorkshopLevel.BEGINNER.value, _l("Beginner")),
    SelectChoice(WorkshopLevel.INTERMEDIATE.value, _l("Intermediate")),
    SelectChoice(WorkshopLevel.ADVANCED.value, _l("Advanced")),
]
LANGUAGES = [SelectChoice("en", "English"), SelectChoice("ro", "Română")]
# The product's areas, as the vendor's own help centre groups them.
PRODUCT_AREAS = [
    SelectChoice("getting-started", _l("Getting started")),
    SelectChoice("client-portal", _l("Client portal")),
    SelectChoice("billing", _l("Invoices and payments")),
    SelectChoice("documents", _l("Documents and e-signatures")),
    SelectChoice("workflow", _l("Pipelines and workflow")),
    SelectChoice("organizers", _l("Organizers and questionnaires")),
]


class FilterForm(Form):
    """The listing's filters, from the query string."""

    class Meta:
        csrf = False

    area = SelectField(
        _l("Product area"), default="", choices=[SelectChoice("", _l("All areas")), *PRODUCT_AREAS]
    )
    level = SelectField(
        _l("Level"), default="", choices=[SelectChoice("", _l("All levels")), *LEVELS]
    )
    language = SelectField(
        _l("Language"), default="", choices=[SelectChoice("", _l("All languages")), *LANGUAGES]
    )
    start = DateField(_l("From"), validators=[Optional()])


class WorkshopForm(Form):
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    description = TextAreaField(
        _l("Description"),
        validators=[DataRequired(), Length(max=20000)],
        description=_l("Markdown: **bold**, lists, links. Shown on the workshop page."),
    )
    level = SelectField(_l("Level"), choices=LEVELS)
    product_area = SelectField(_l("Product area"), choices=PRODUCT_AREAS)
    language = SelectField(_l("Language"), choices=LANGUAGES)
    host = SelectField(_l("Host"), coerce=coerce_int, choices=[])
    capacity = IntegerField(
        _l("Seats"),
        default=20,
        validators=[DataRequired(), NumberRange(min=2, max=1000)],
        description=_l("New dates start with this many seats."),
    )
    duration = IntegerField(
        _l("Length in minutes"), default=60, validators=[DataRequired(), NumberRange(15, 480)]
    )
    meeting_url = URLField(
        _l("Meeting link"),
        validators=[Optional(), URL(require_tld=True), Length(max=500)],
        description=_l("Shown only to registered clients."),
    )
    active = BooleanField(_l("Listed for clients"), default=True)


class DateForm(Form):
    """A date of a workshop, in the staff member's own time zone."""

    day = DateField(_l("Date"), validators=[DataRequired()])
    time = TimeField(_l("Start time"), validators=[DataRequired()])
    duration = IntegerField(
        _l("Length in minutes"), validators=[DataRequired(), NumberRange(15, 480)]
    )
    host = SelectField(_l("Host"), coerce=coerce_int, choices=[])
    capacity = IntegerField(_l("Seats"), validators=[DataRequired(), NumberRange(2, 1000)])
    meeting_url = URLField(
        _l("Meeting link"), validators=[Optional(), URL(require_tld=True), Length(max=500)]
    )


class RegisterForm(Form):
    fee = BooleanField(_l("I accept the fee for this session."))
