"""Forms of conduct incidents (POLICY R4-R6)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional

from academy.core.forms import DateField, Form

CATEGORIES = [
    SelectChoice("offensive_language", _l("Offensive language")),
    SelectChoice("personal_attack", _l("Personal attack")),
    SelectChoice("harassment", _l("Harassment")),
    SelectChoice("other", _l("Other inappropriate behaviour")),
]
MEASURES = [
    SelectChoice("no_action", _l("No action")),
    SelectChoice("temporary", _l("Restrict access to support until a date")),
    SelectChoice("permanent", _l("Restrict access to support permanently")),
    SelectChoice("end_subscription", _l("End the firm's subscription (no refund)")),
]


class IncidentForm(Form):
    category = SelectField(_l("What happened"), choices=CATEGORIES)
    description = TextAreaField(
        _l("Description"),
        validators=[DataRequired(), Length(max=5000)],
        description=_l("When, where (session, email, chat) and what was said or done."),
    )
    evidence_text = TextAreaField(
        _l("Evidence (quoted messages, transcript)"), validators=[Optional(), Length(max=20000)]
    )
    evidence = FileField(
        _l("Evidence file (optional)"),
        description=_l(
            "A PNG or JPEG image, a PDF or a text file, at most 5 MB. Only staff can open it."
        ),
    )


class ReviewForm(Form):
    measure = SelectField(_l("Decision"), choices=MEASURES)
    until = DateField(
        _l("Restricted until"),
        validators=[Optional()],
        description=_l("For a temporary restriction: the day it ends."),
    )
    reason = TextAreaField(_l("Why"), validators=[DataRequired(), Length(max=5000)])


class LiftForm(Form):
    reason = StringField(_l("Why lift it early?"), validators=[DataRequired(), Length(max=500)])
