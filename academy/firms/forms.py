from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, Regexp
from wtforms.widgets import CheckboxInput, ListWidget

from academy.accounts.forms import _password_field, _ZoneAndLanguage
from academy.core.forms import DateField, Form, IntegerField
from academy.core.params import coerce_int


class InviteForm(Form):
    emails = TextAreaField(
        _l("Email addresses"),
        validators=[DataRequired(), Length(max=5000)],
        description=_l("One or more, separated by commas, spaces or new lines."),
    )


class JoinSignupForm(_ZoneAndLanguage, Form):
    """A newcomer through an invitation: the address is the invitation's."""

    name = StringField(_l("Full name"), validators=[DataRequired(), Length(max=120)])
    password = _password_field(_l("Choose a password"))


class AssignForm(Form):
    course = SelectField(_l("Course"), coerce=coerce_int, validators=[InputRequired()])
    members = SelectMultipleField(
        _l("Members"),
        coerce=coerce_int,
        option_widget=CheckboxInput(),
        widget=ListWidget(prefix_label=False),
        validators=[DataRequired(message=_l("Choose at least one member."))],
    )
    due = DateField(_l("Due date"), validators=[InputRequired()])


class DomainForm(Form):
    domain = StringField(
        _l("Email domain"),
        validators=[
            Optional(),
            Length(max=253),
            Regexp(
                r"^@?[a-z0-9-]+(\.[a-z0-9-]+)+$",
                message=_l("A domain like example.ro, without the name before @."),
            ),
        ],
        filters=[lambda v: (v or "").strip().lower()],
        description=_l("Colleagues who sign up with this domain can ask to join; you approve."),
    )


class VerifyForm(Form):
    plan = SelectField(_l("Plan"), coerce=coerce_int)
    seats = IntegerField(
        _l("Users (seats)"), validators=[InputRequired(), NumberRange(min=1, max=100000)]
    )


class OwnerForm(Form):
    user = SelectField(_l("Member"), coerce=coerce_int)
    role = SelectField(
        _l("Role"),
        choices=[SelectChoice("owner", _l("Owner")), SelectChoice("member", _l("Member"))],
    )
