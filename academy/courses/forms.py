"""The Academy's forms; each staff form gives its values as the service takes them."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import (
    DataRequired,
    Email,
    Length,
    NumberRange,
    Optional,
    ValidationError,
)

from academy.core.forms import Form, IntegerField
from academy.core.params import coerce_int
from academy.courses.kinds import all_kinds, parse_number
from academy.courses.models import Level
from academy.courses.scoring import ReviewMode

LEVELS = [
    SelectChoice(Level.BEGINNER, _l("Beginner")),
    SelectChoice(Level.INTERMEDIATE, _l("Intermediate")),
    SelectChoice(Level.ADVANCED, _l("Advanced")),
]
LEVEL_NAMES = {c.value: c.label for c in LEVELS}
PRODUCT_AREAS = [
    SelectChoice("basics", _l("Basics and set-up")),
    SelectChoice("client_portal", _l("Client portal")),
    SelectChoice("billing", _l("Billing and invoices")),
    SelectChoice("documents", _l("Documents and e-signatures")),
    SelectChoice("workflow", _l("Workflow and pipelines")),
]
AREA_NAMES = {c.value: c.label for c in PRODUCT_AREAS}
REVIEW_MODES = [
    SelectChoice(ReviewMode.NONE, _l("Never show the right answers")),
    SelectChoice(ReviewMode.AFTER_SUBMIT, _l("After each submitted attempt")),
    SelectChoice(ReviewMode.AFTER_PASSING, _l("After passing")),
    SelectChoice(ReviewMode.AFTER_LAST_ATTEMPT, _l("After passing or the last attempt")),
]


def kind_choices() -> list[SelectChoice]:
    """The registered question kinds (read when a form is made: a kind may be added later)."""
    return [SelectChoice(kind.name, _l(kind.label)) for kind in all_kinds()]


class CourseForm(Form):
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    summary = TextAreaField(_l("Summary"), validators=[Optional(), Length(max=2000)])
    level = SelectField(_l("Level"), choices=LEVELS)
    product_area = SelectField(_l("Product area"), choices=PRODUCT_AREAS)
    cover_image = StringField(
        _l("Cover image address (optional)"),
        validators=[Optional(), Length(max=500)],
        description=_l("An image on this site, e.g. /static/img/courses/portal.svg"),
    )
    estimated_minutes = IntegerField(
        _l("Estimated time (minutes)"), validators=[DataRequired(), NumberRange(1, 6000)]
    )
    published = BooleanField(_l("Published (clients see it in the catalogue)"))

    def values(self) -> dict[str, Any]:
        return {
            "title": self.title.data.strip(),
            "summary": (self.summary.data or "").strip(),
            "level": self.level.data,
            "product_area": self.product_area.data,
            "cover_image": (self.cover_image.data or "").strip(),
            "estimated_minutes": self.estimated_minutes.data,
            "published": bool(self.published.data),
        }


class ModuleForm(Form):
    title = StringField(_l("Module title"), validators=[DataRequired(), Length(max=200)])


class LessonForm(Form):
    module_id = SelectField(_l("Module"), coerce=coerce_int, choices=[])
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    body = TextAreaField(
        _l("Lesson (Markdown)"),
        validators=[Optional(), Length(max=100_000)],
        render_kw={"rows": 16},
    )
    video_url = StringField(
        _l("Video (optional)"),
        validators=[Optional(), Length(max=500)],
        description=_l("A YouTube, Vimeo or Wistia page address."),
    )
    attachments = TextAreaField(
        _l("Attachments (optional)"),
        validators=[Optional(), Length(max=5000)],
        description=_l("One per line: Title | https://address"),
    )

    def values(self) -> dict[str, Any]:
        return {
            "module_id": self.module_id.data,
            "title": self.title.data.strip(),
            "body": self.body.data or "",
            "video_url": self.video_url.data or "",
            "attachments": self.attachments.data or "",
        }


class QuizForm(Form):
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    module_id = SelectField(_l("Attached to"), coerce=coerce_int, choices=[])
    required = BooleanField(_l("Required for the certificate"), default=True)
    pass_mark = IntegerField(
        _l("Pass mark (%)"), default=70, validators=[DataRequired(), NumberRange(1, 100)]
    )
    attempts_allowed = IntegerField(
        _l("Attempts allowed"),
        default=3,
        validators=[Optional(), NumberRange(0, 100)],
        description=_l("0 for unlimited."),
    )
    wait_minutes = IntegerField(
        _l("Wait between attempts (minutes)"),
        default=0,
        validators=[Optional(), NumberRange(0, 60 * 24 * 30)],
    )
    time_limit_minutes = IntegerField(
        _l("Time limit (minutes, optional)"), validators=[Optional(), NumberRange(1, 600)]
    )
    draw_count = IntegerField(
        _l("Draw this many questions at random (optional)"),
        validators=[Optional(), NumberRange(1, 500)],
        description=_l("Leave empty to ask every question."),
    )
    shuffle_questions = BooleanField(_l("Shuffle questions"))
    shuffle_answers = BooleanField(_l("Shuffle answers"))
    review_mode = SelectField(_l("Show the right answers"), choices=REVIEW_MODES)

    def values(self) -> dict[str, Any]:
        return {
            "title": self.title.data.strip(),
            "module_id": self.module_id.data or None,  # 0: the course's final quiz
            "required": bool(self.required.data),
            "pass_mark": self.pass_mark.data,
            "attempts_allowed": self.attempts_allowed.data or 0,
            "wait_minutes": self.wait_minutes.data or 0,
            "time_limit_minutes": self.time_limit_minutes.data,
            "draw_count": self.draw_count.data,
            "shuffle_questions": bool(self.shuffle_questions.data),
            "shuffle_answers": bool(self.shuffle_answers.data),
            "review_mode": self.review_mode.data,
        }


def _finite(form: Form, field: StringField) -> None:
    """A number as clients may type it ("2.5" or "2,5"), finite (no NaN, no infinity)."""
    if field.data and parse_number(field.data) is None:
        raise ValidationError(_l("Give a finite number."))


class QuestionForm(Form):
    kind = SelectField(_l("Type"), choices=kind_choices)
    prompt = TextAreaField(_l("Question"), validators=[DataRequired(), Length(max=2000)])
    choices = TextAreaField(
        _l("Answers (single or multiple choice)"),
        validators=[Optional(), Length(max=5000)],
        description=_l("One per line; start the correct ones with *"),
    )
    accepted = TextAreaField(
        _l("Accepted answers (short text) or true / false"),
        validators=[Optional(), Length(max=2000)],
        description=_l(
            "Short text: one accepted answer per line (case and accents are ignored). "
            "True or false: write true or false."
        ),
    )
    number = StringField(_l("Correct number"), validators=[Optional(), _finite])
    tolerance = StringField(_l("Tolerance (±)"), validators=[Optional(), _finite])

    def values(self) -> dict[str, Any]:
        """As typed: the question's kind checks the set-up (academy.courses.kinds)."""
        return {
            "kind": self.kind.data,
            "prompt": self.prompt.data.strip(),
            "choices": self.choices.data or "",
            "accepted": self.accepted.data or "",
            "number": parse_number(self.number.data or ""),
            "tolerance": parse_number(self.tolerance.data or ""),
        }


class ExtraAttemptForm(Form):
    email = StringField(_l("Client's email"), validators=[DataRequired(), Email(), Length(max=254)])
    reason = StringField(_l("Reason"), validators=[DataRequired(), Length(max=500)])


class FeedbackForm(Form):
    rating = SelectField(
        _l("Rating"),
        choices=[SelectChoice("", _l("Choose…"))]
        + [SelectChoice(str(n), str(n)) for n in range(5, 0, -1)],
        validators=[DataRequired()],
    )
    message = TextAreaField(_l("Comment (optional)"), validators=[Optional(), Length(max=5000)])
