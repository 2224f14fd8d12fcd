"""Two tabs starting "the next attempt" at once: the database keeps one (ARCHITECTURE 5)."""

import threading
import time

import pytest
import sqlalchemy as sa

from academy.accounts.models import User
from academy.core.errors import DomainError
from academy.courses import services
from academy.courses.models import Answer, Attempt, LessonCompletion, Quiz
from tests.courses.conftest import right_answers


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


def _open_attempt(db, make_user, make_course):
    user = make_user()
    make_course()
    quiz = services.load_quiz(db.session.scalar(sa.select(Quiz.id)))
    return services.start_attempt(user, quiz), quiz


def test_an_answer_inserted_meanwhile_is_overwritten_on_the_retry(
    db, make_user, make_course, clock, monkeypatch
):
    attempt, quiz = _open_attempt(db, make_user, make_course)
    single = quiz.questions[0]
    a, b = (c.id for c in single.choices[:2])
    assert services.save_answers(attempt, quiz, {f"q{single.id}": [str(a)]})
    # This save read the answers before the other one's row was committed: its insert hits
    # the unique constraint; the retry reads again and updates.
    real = services._saved_answers
    unset = object()
    stale = iter([{}])
    reads = []

    def fake(attempt_id):
        answer = next(stale, unset)
        reads.append(answer is unset)
        return real(attempt_id) if answer is unset else answer

    monkeypatch.setattr(services, "_saved_answers", fake)
    assert services.save_answers(attempt, quiz, {f"q{single.id}": [str(b)]}) is True
    assert reads == [False, True]  # the stale read, the conflict, then the retry
    values = db.session.scalars(sa.select(Answer.value)).all()
    assert values == [str(b)]


def test_a_save_that_cannot_be_written_says_so(
    client, login, db, make_user, make_course, clock, monkeypatch
):
    attempt, quiz = _open_attempt(db, make_user, make_course)
    single = quiz.questions[0]
    a, b = (c.id for c in single.choices[:2])
    services.save_answers(attempt, quiz, {f"q{single.id}": [str(a)]})
    monkeypatch.setattr(services, "_saved_answers", lambda attempt_id: {})  # always stale
    login(db.session.get(User, attempt.user_id))
    r = client.post(
        f"/academy/attempts/{attempt.id}/save",
        data={f"q{single.id}": str(b)},
        headers={"X-Requested-With": "fetch"},
    )
    assert r.status_code == 409 and r.json["saved"] is False
    assert "could not be saved" in r.json["message"]
    r = client.post(f"/academy/attempts/{attempt.id}/submit", data={f"q{single.id}": str(b)})
    assert r.headers["Location"].endswith(f"/academy/attempts/{attempt.id}")
    assert db.session.get(Attempt, attempt.id).submitted_at is None  # not scored without them
    assert db.session.scalars(sa.select(Answer.value)).all() == [str(a)]


def test_a_save_arriving_after_submit_changes_nothing(db, make_user, make_course, clock):
    attempt, quiz = _open_attempt(db, make_user, make_course)
    single = quiz.questions[0]
    right = next(c for c in single.choices if c.correct)
    # The autosave request loaded the attempt while it was open ...
    db.session.expunge(attempt)
    # ... and Submit, in another request, scored it before the save wrote anything.
    scored = services.submit_attempt(db.session.get(Attempt, attempt.id), quiz)
    assert scored.score == 0
    with pytest.raises(DomainError):
        services.save_answers(attempt, quiz, {f"q{single.id}": [str(right.id)]})
    assert db.session.scalar(sa.select(sa.func.count(Answer.id))) == 0


def test_submit_waits_for_an_autosave_in_progress_and_scores_its_answers(
    app, db, make_user, make_course, clock
):
    """Really concurrent, on SQLite and PostgreSQL: the autosave holds the attempt's row, so
    Submit's claim waits for its commit and scores what it saved (never the reverse)."""
    attempt, quiz = _open_attempt(db, make_user, make_course)
    attempt_id = attempt.id
    form = right_answers(quiz)
    values = {q.id: services.clean_response(q, form[f"q{q.id}"]) for q in quiz.questions}
    holding = threading.Event()

    def autosave() -> None:
        with app.app_context():
            services._write_answers(attempt_id, values, clock.now())
            holding.set()
            time.sleep(1.0)  # Submit arrives meanwhile
            db.session.commit()

    thread = threading.Thread(target=autosave)
    thread.start()
    assert holding.wait(10)
    started = time.monotonic()
    scored = services.submit_attempt(db.session.get(Attempt, attempt_id), quiz)
    waited = time.monotonic() - started
    thread.join(10)
    assert waited > 0.5, waited
    assert scored.score == 100 and scored.passed
