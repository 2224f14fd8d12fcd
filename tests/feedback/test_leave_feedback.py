"""Feedback lands in one table whatever it is about (POLICY R17)."""

from __future__ import annotations

import pytest

from academy.core.errors import DomainError
from academy.feedback.models import FeedbackItem, FeedbackKind, FeedbackStatus
from academy.feedback.services import leave_feedback


def test_a_rating_is_filed_as_new(app, db, make_user) -> None:
    client = make_user()
    item = leave_feedback(
        kind=FeedbackKind.GENERAL,
        user=client,
        rating=4,
        message=" Clear lessons ",
        category="product",
    )
    stored = db.session.get(FeedbackItem, item.id)
    assert (stored.rating, stored.message, stored.status) == (
        4,
        "Clear lessons",
        FeedbackStatus.NEW,
    )
    assert stored.email == client.email


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"rating": 6}, "rating"),
        ({"rating": None, "message": "  "}, "message"),
        ({"rating": None, "message": "x" * 5001}, "message"),
    ],
)
def test_bad_feedback_is_refused_beside_its_field(app, db, make_user, kwargs, field) -> None:
    with pytest.raises(DomainError) as caught:
        leave_feedback(kind=FeedbackKind.GENERAL, user=make_user(), **kwargs)
    assert caught.value.field == field
    assert db.session.query(FeedbackItem).count() == 0


def test_a_visitor_must_leave_an_email(app, db) -> None:
    with pytest.raises(DomainError) as caught:
        leave_feedback(kind=FeedbackKind.GENERAL, user=None, message="Hello")
    assert caught.value.field == "email"
    item = leave_feedback(kind=FeedbackKind.GENERAL, user=None, message="Hello", email="a@b.ro")
    assert item.user_id is None and item.email == "a@b.ro"
