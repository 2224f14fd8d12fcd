"""Two tabs starting "the next attempt" at once: the database keeps one (ARCHITECTURE 5)."""

import sqlalchemy as sa

from academy.courses import services
from academy.courses.models import Attempt, LessonCompletion, Quiz


def test_a_second_start_at_the_same_moment_gets_the_same_attempt(
    db, make_user, make_course, clock, monkeypatch
):
    user = make_user()
    course = make_course()
    quiz = services.load_quiz(db.session.scalar(sa.select(Quiz.id)))
    first = services.start_attempt(user, quiz)
    # The other tab read the attempts before the first one was written.
    real = services.past_attempts
    calls = iter([[]])
    monkeypatch.setattr(services, "past_attempts", lambda u, q: next(calls, None) or real(u, q))
    second = services.start_attempt(user, quiz)
    assert second.id == first.id
    assert db.session.scalar(sa.select(sa.func.count(Attempt.id))) == 1
    assert course.id


def test_completing_a_lesson_twice_at_once_keeps_one_row(db, make_user, make_course):
    from academy.courses.models import Lesson

    user = make_user()
    make_course(quiz=False)
    lesson = db.session.scalar(sa.select(Lesson))
    services.complete_lesson(user, lesson)
    services.complete_lesson(user, lesson)
    assert db.session.scalar(sa.select(sa.func.count(LessonCompletion.id))) == 1
