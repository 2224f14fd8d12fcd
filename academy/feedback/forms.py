from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import EmailField, RadioField, SelectField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, Length, Optional

from academy.core.forms import Form

CATEGORIES = [
    SelectChoice("product", _l("The TaxDome product")),
    SelectChoice("support", _l("Our support services")),
    SelectChoice("academy", _l("Academy courses and workshops")),
    SelectChoice("other", _l("Something else")),
]
RATINGS = [SelectChoice(str(n), str(n)) for n in range(1, 6)]
STATUSES = [
    SelectChoice("new", _l("New")),
    SelectChoice("in_review", _l("In review")),
    SelectChoice("planned", _l("Planned")),
    SelectChoice("answered", _l("Answered")),
    SelectChoice("closed", _l("Closed")),
]
KINDS = [
    SelectChoice("general", _l("General")),
    SelectChoice("session", _l("1:1 session")),
    SelectChoice("workshop", _l("Workshop")),
    SelectChoice("course", _l("Course")),
    SelectChoice("lesson", _l("Lesson")),
    SelectChoice("article", _l("Help article")),
]


class FeedbackForm(Form):
    category = SelectField(_l("What is it about?"), choices=CATEGORIES)
    message = TextAreaField(_l("Your feedback"), validators=[DataRequired(), Length(max=5000)])
    rating = RadioField(
        _l("How would you rate it? (optional)"), choices=RATINGS, validators=[Optional()]
    )
    email = EmailField(
        _l("Your email address"),
        validators=[Optional(), Email(), Length(max=254)],
        description=_l("So that we can answer you."),
    )


class TriageForm(Form):
    status = SelectField(_l("Status"), choices=STATUSES)
    assignee = SelectField(_l("Assignee"), validate_choice=False)
    answer = TextAreaField(
        _l("Answer to the client"),
        validators=[Optional(), Length(max=5000)],
        description=_l("Sent by email and shown in their feedback list."),
    )


class NoteForm(Form):
    body = TextAreaField(_l("Internal note"), validators=[DataRequired(), Length(max=5000)])
