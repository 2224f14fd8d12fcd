"""`flask demo seed` adds the two demo courses once, with the demo client halfway through."""

import sqlalchemy as sa

from academy.courses.models import Attempt, Course, Lesson, LessonCompletion, Question
from academy.demo import seed


def _counts(db):
    return [
        db.session.scalar(sa.select(sa.func.count()).select_from(model))
        for model in (Course, Lesson, Question, Attempt, LessonCompletion)
    ]


def test_demo_courses_are_seeded_once(db, clock):
    seed()
    first = _counts(db)
    seed()
    assert _counts(db) == first
    courses = db.session.scalars(sa.select(Course).order_by(Course.title)).all()
    assert [c.title for c in courses] == [
        "Client portal and invoicing",
        "Getting started with TaxDome",
    ]
    kinds = set(db.session.scalars(sa.select(Question.kind)))
    assert kinds == {"single", "multiple", "true_false", "short_text", "numeric"}
    [attempt] = db.session.scalars(sa.select(Attempt)).all()
    assert attempt.passed and attempt.score == 100
    lessons = db.session.scalar(
        sa.select(sa.func.count(Lesson.id)).where(Lesson.course_id == courses[1].id)
    )
    assert first[4] * 2 == lessons  # halfway through "Getting started"
