"""Two tabs starting "the next attempt" at once: the database keeps one (ARCHITECTURE 5)."""

import sqlalchemy as sa

from academy.courses import services
from academy.courses.models import Attempt, LessonCompletion, Quiz


def _stale_once(monkeypatch, value):
    """past_attempts answers `value` once (what the other tab read before the first attempt
    was written), then the truth. A sentinel, not `or`: an empty list is a stale answer too."""
    real = services.past_attempts
    unset = object()
    stale = iter([value])
    calls = []

    def fake(user_id, quiz_id):
        answer = next(stale, unset)
        calls.append(answer is unset)
        return real(user_id, quiz_id) if answer is unset else answer

    monkeypatch.setattr(services, "past_attempts", fake)
    return calls


def test_a_second_start_at_the_same_moment_gets_the_same_attempt(
    db, make_user, make_course, clock, monkeypatch
):
    user = make_user()
    make_course()
    quiz = services.load_quiz(db.session.scalar(sa.select(Quiz.id)))
    first = services.start_attempt(user, quiz)
    calls = _stale_once(monkeypatch, [])
    second = services.start_attempt(user, quiz)
    # The stale read was used (attempt number 1 again), the insert hit the unique constraint,
    # and the fallback read the truth: the first attempt.
    assert calls == [False, True]
    assert second.id == first.id
    assert db.session.scalar(sa.select(sa.func.count(Attempt.id))) == 1


def test_a_second_start_after_the_other_tab_submitted_shows_that_attempt(
    db, make_user, make_course, clock, monkeypatch
):
    user = make_user()
    make_course()
    quiz = services.load_quiz(db.session.scalar(sa.select(Quiz.id)))
    first = services.start_attempt(user, quiz)
    services.submit_attempt(first, quiz)
    calls = _stale_once(monkeypatch, [])
    second = services.start_attempt(user, quiz)  # no StopIteration: no open attempt is left
    assert calls == [False, True]
    assert second.id == first.id and second.submitted_at is not None
    assert db.session.scalar(sa.select(sa.func.count(Attempt.id))) == 1


def test_completing_a_lesson_twice_at_once_keeps_one_row(db, make_user, make_course):
    from academy.courses.models import Lesson

    user = make_user()
    make_course(quiz=False)
    lesson = db.session.scalar(sa.select(Lesson))
    services.complete_lesson(user, lesson)
    services.complete_lesson(user, lesson)
    assert db.session.scalar(sa.select(sa.func.count(LessonCompletion.id))) == 1
