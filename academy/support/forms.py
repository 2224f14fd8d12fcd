"""Forms of the support inbox (POLICY R3)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import MultipleFileField
from wtforms import SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional

from academy.core.forms import Form

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
