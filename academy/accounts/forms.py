from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import (
    EmailField,
    PasswordField,
    SelectField,
    StringField,
    TelField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import (
    DataRequired,
    Email,
    EqualTo,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    Regexp,
    ValidationError,
)

from academy.accounts.models import Plan
from academy.accounts.passwords import weakness
from academy.core.forms import Form, IntegerField
from academy.core.params import coerce_int
from academy.core.timezones import is_valid_timezone, timezone_choices
from academy.scheduling.policy import PLAN_SETTINGS, Channel, reminder_offsets

LANGUAGE_CHOICES = [SelectChoice("en", "English"), SelectChoice("ro", "Română")]
PASSWORD_MIN = 10
PASSWORD_MAX = 200


def _password_length() -> Length:
    return Length(
        min=PASSWORD_MIN,
        max=PASSWORD_MAX,
        message=_l("Use at least %(min)d characters (at most %(max)d)."),
    )


def _strong_password(form: Form, field: PasswordField) -> None:
    """ASVS 2.1.7: not a common or easily guessed password (academy.accounts.passwords)."""
    value = field.data or ""
    if not PASSWORD_MIN <= len(value) <= PASSWORD_MAX:
        return  # the length rule has said so already
    inputs = [*getattr(form, "user_inputs", ())]
    for name in ("name", "email", "firm"):
        if name in form and form[name].data:
            inputs.append(str(form[name].data))
    if reason := weakness(value, inputs):
        raise ValidationError(reason)


def _password_field(label: str) -> PasswordField:
    return PasswordField(
        label,
        validators=[DataRequired(), _password_length(), _strong_password],
        description=_l(
            "At least %(n)d characters. A few unrelated words are easy to remember and hard "
            "to guess.",
            n=PASSWORD_MIN,
        ),
    )


def _valid_timezone(form: Form, field: SelectField) -> None:
    if not is_valid_timezone(field.data or ""):
        raise ValidationError(_l("Choose a time zone from the list."))


class _ZoneAndLanguage:
    timezone = SelectField(
        _l("Time zone"),
        choices=timezone_choices,
        validators=[DataRequired(), _valid_timezone],
        validate_choice=False,
        description=_l("Session times are shown and emailed in this zone."),
    )
    language = SelectField(_l("Language"), choices=LANGUAGE_CHOICES)


class SignupForm(_ZoneAndLanguage, Form):
    """Step one of signing up: who and where. The password is chosen from the emailed link
    (FinishSignupForm), so that this step answers the same whether the email has an account."""

    name = StringField(_l("Full name"), validators=[DataRequired(), Length(max=120)])
    email = EmailField(
        _l("Work email"),
        validators=[DataRequired(), Email(check_deliverability=False), Length(max=254)],
    )
    firm = StringField(
        _l("Firm name"),
        validators=[DataRequired(), Length(max=200)],
        description=_l("The accounting firm whose TaxDome subscription you use."),
    )


class FinishSignupForm(Form):
    """Step two, from the emailed link: the password. `user_inputs` (name, email, firm) are
    set by the view for the strength check."""

    password = _password_field(_l("Choose a password"))


class LoginForm(Form):
    email = EmailField(_l("Email"), validators=[DataRequired(), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=200)])


class ForgotPasswordForm(Form):
    email = EmailField(
        _l("Email"), validators=[DataRequired(), Email(check_deliverability=False), Length(max=254)]
    )


class ResetPasswordForm(Form):
    password = _password_field(_l("New password"))
    confirm = PasswordField(
        _l("Repeat the new password"),
        validators=[DataRequired(), EqualTo("password", message=_l("The passwords differ."))],
    )


class ProfileForm(_ZoneAndLanguage, Form):
    name = StringField(_l("Full name"), validators=[DataRequired(), Length(max=120)])
    phone = TelField(
        _l("Mobile phone"),
        validators=[
            Optional(),
            Regexp(
                r"^\+[1-9][0-9 ]{6,18}$",
                message=_l("Use the international format, e.g. +40 721 234 567."),
            ),
        ],
        description=_l(
            "Optional. For SMS reminders %(minutes)d minutes before a session.",
            minutes=int(reminder_offsets("sms")[0].total_seconds() // 60),  # R8
        ),
    )


class ChangePasswordForm(Form):
    current_password = PasswordField(_l("Current password"), validators=[DataRequired()])
    password = _password_field(_l("New password"))


class RoleForm(Form):
    role = SelectField(
        _l("Role"),
        choices=[
            SelectChoice("client", _l("Client")),
            SelectChoice("staff", _l("Staff")),
            SelectChoice("admin", _l("Admin")),
        ],
    )


class FirmForm(Form):
    plan = SelectField(_l("Plan"), coerce=coerce_int)
    seats = IntegerField(
        _l("Users (seats)"),
        validators=[InputRequired(), NumberRange(min=1, max=100000)],
    )


def plan_table_form(plans: list[Plan], data: dict[str, object]) -> Form:
    """A form with one box per plan and channel: the least number of users that gets it.

    Field names are `g_<plan id>_<channel>`; an empty box means the plan lacks the channel.
    Per plan also one field per figure of the terms a plan may set (`t_<plan id>_<key>`,
    declared in scheduling.policy.PLAN_SETTINGS, with their bounds).
    """

    class PlanTableForm(Form):
        pass

    for plan in plans:
        for channel in Channel:
            setattr(
                PlanTableForm,
                grant_field(plan.id, channel),
                IntegerField(
                    f"{plan.name}: {channel.value}",
                    validators=[Optional(), NumberRange(min=1, max=100000)],
                ),
            )
        for setting in PLAN_SETTINGS:
            name = setting_field(plan.id, setting.key)
            if setting.choices:
                field = SelectField(
                    f"{plan.name}: {setting.key}",
                    choices=[SelectChoice(v, _l(label)) for v, label in setting.choices],
                )
            else:
                field = IntegerField(
                    f"{plan.name}: {setting.key}",
                    validators=[
                        InputRequired(),
                        NumberRange(min=setting.minimum, max=setting.maximum),
                    ],
                )
            setattr(PlanTableForm, name, field)
    return PlanTableForm(data=data)


def setting_field(plan_id: int, key: str) -> str:
    return f"t_{plan_id}_{key}"


def grant_field(plan_id: int, channel: Channel) -> str:
    return f"g_{plan_id}_{channel.value}"
