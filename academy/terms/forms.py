"""Publishing a new version of the support terms (POLICY R18)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from academy.core.forms import Form


class PublishTermsForm(Form):
    label = StringField(
        _l("Version name"),
        validators=[DataRequired(), Length(max=40)],
        description=_l("Usually the date, e.g. 2027-01-01."),
    )
    summary = TextAreaField(_l("What changed"), validators=[Optional(), Length(max=2000)])
