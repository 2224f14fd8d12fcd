"""The base form (academy.core.forms.Form): every field drops NUL, once, however many forms a
worker builds."""

from __future__ import annotations

from werkzeug.datastructures import MultiDict
from wtforms import StringField

from academy.core.forms import Form


class _Search(Form):
    class Meta:
        csrf = False

    q = StringField("Search", filters=[str.strip])


def test_every_field_drops_nul_and_keeps_its_own_filters(app):
    with app.test_request_context():
        form = _Search(formdata=MultiDict({"q": "  in\x00voices "}))
    assert form.q.data == "invoices"


def test_building_forms_again_and_again_does_not_pile_up_filters(app):
    """The filters of a field are the same at the thousandth form as at the first (each form
    used to add one more NUL filter to the class's field, so a page got slower the longer its
    worker lived)."""
    with app.test_request_context():
        first = _Search(formdata=MultiDict({"q": "x"})).q.filters
        for _ in range(1000):
            last = _Search(formdata=MultiDict({"q": "x"})).q.filters
    assert len(first) == len(last) == 2
