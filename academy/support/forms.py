from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, MultipleFileField
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


class PublishTermsForm(Form):
    label = StringField(
        _l("Version name"),
        validators=[DataRequired(), Length(max=40)],
        description=_l("Usually the date, e.g. 2027-01-01."),
    )
    summary = TextAreaField(_l("What changed"), validators=[Optional(), Length(max=2000)])


# --- The support inbox (POLICY R3) ---------------------------------------------------------------

REQUEST_STATUSES = [
    SelectChoice("open", _l("Open")),
    SelectChoice("pending", _l("Waiting for the client")),
    SelectChoice("solved", _l("Solved")),
    SelectChoice("closed", _l("Closed")),
]
ATTACHMENT_HELP = _l("Up to 5 files: PNG or JPEG images, PDFs or text files, at most 5 MB each.")


class RequestForm(Form):
    subject = StringField(_l("Subject"), validators=[DataRequired(), Length(max=200)])
    body = TextAreaField(_l("Message"), validators=[DataRequired(), Length(max=20000)])
    attachments = MultipleFileField(_l("Attachments (optional)"), description=ATTACHMENT_HELP)


class ReplyForm(Form):
    body = TextAreaField(_l("Your reply"), validators=[DataRequired(), Length(max=20000)])
    attachments = MultipleFileField(_l("Attachments (optional)"), description=ATTACHMENT_HELP)


class StaffReplyForm(Form):
    body = TextAreaField(_l("Reply to the client"), validators=[DataRequired(), Length(max=20000)])
    attachments = MultipleFileField(_l("Attachments (optional)"), description=ATTACHMENT_HELP)
    status = SelectField(_l("Then set the status to"), choices=REQUEST_STATUSES, default="pending")


class RequestSettingsForm(Form):
    status = SelectField(_l("Status"), choices=REQUEST_STATUSES)
    assignee = SelectField(_l("Assignee"), validate_choice=False)
    client_email = StringField(
        _l("Client (email address)"),
        validators=[Optional(), Length(max=254)],
        description=_l("Match an unknown sender to a client account."),
    )
