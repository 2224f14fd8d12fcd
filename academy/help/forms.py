from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from academy.core.forms import Form
from academy.core.params import coerce_int

STATUSES = [
    SelectChoice("draft", _l("Draft")),
    SelectChoice("published", _l("Published")),
    SelectChoice("archived", _l("Archived")),
]


class ArticleForm(Form):
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    slug = StringField(
        _l("Address"),
        validators=[Optional(), Length(max=100)],
        description=_l("The last part of the URL. Left empty, it is made from the title."),
    )
    section_id = SelectField(_l("Section"), coerce=coerce_int, validate_choice=False)
    summary = TextAreaField(_l("Summary"), validators=[Optional(), Length(max=500)])
    body = TextAreaField(
        _l("Text"),
        validators=[DataRequired(), Length(max=100_000)],
        description=_l("Markdown: # headings, **bold**, lists, links, tables."),
    )
    tags = StringField(
        _l("Tags"),
        validators=[Optional(), Length(max=300)],
        description=_l("Separated by commas."),
    )
    plans = SelectMultipleField(
        _l("Available on"),
        validate_choice=False,
        option_widget=CheckboxInput(),
        widget=ListWidget(prefix_label=False),
        description=_l("The plans this article applies to; none means every plan."),
    )
    status = SelectField(_l("State"), choices=STATUSES)


class WhyForm(Form):
    reason = TextAreaField(
        _l("What was missing or unclear? (optional)"),
        validators=[Optional(), Length(max=2000)],
    )


class CategoryForm(Form):
    name = StringField(_l("Name (English)"), validators=[DataRequired(), Length(max=120)])
    name_ro = StringField(_l("Name (Romanian)"), validators=[Optional(), Length(max=120)])
    description = StringField(_l("Description (English)"), validators=[Optional(), Length(max=300)])
    description_ro = StringField(
        _l("Description (Romanian)"), validators=[Optional(), Length(max=300)]
    )


class SectionForm(Form):
    category_id = SelectField(_l("Category"), coerce=coerce_int, validate_choice=False)
    name = StringField(_l("Name (English)"), validators=[DataRequired(), Length(max=120)])
    name_ro = StringField(_l("Name (Romanian)"), validators=[Optional(), Length(max=120)])
