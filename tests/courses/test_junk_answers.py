"""What a client's browser sends as a choice is never trusted: junk is ignored, never a 500."""

import re

import pytest
import sqlalchemy as sa

from academy.courses import services
from academy.courses.models import Answer, Quiz


def _quiz(db, course):
    return services.load_quiz(
        db.session.scalar(sa.select(Quiz.id).where(Quiz.course_id == course.id))
    )


def _start(client, quiz) -> int:
    r = client.post(f"/academy/quizzes/{quiz.id}/start")
    return int(re.search(r"/attempts/(\d+)", r.headers["Location"]).group(1))


@pytest.mark.parametrize("junk", ["²", "٣", "9" * 5000, "1" * 10, "-1", " 1", "1e3"])
def test_junk_choice_values_are_ignored(client, login, make_user, make_course, clock, db, junk):
    login(make_user())
    quiz = _quiz(db, make_course())
    attempt_id = _start(client, quiz)
    single, multiple = quiz.questions[0], quiz.questions[1]
    right = next(c for c in multiple.choices if c.correct)
    r = client.post(
        f"/academy/attempts/{attempt_id}/save",
        data={f"q{single.id}": junk, f"q{multiple.id}": [junk, str(right.id)]},
        headers={"X-Requested-With": "fetch"},
    )
    assert r.status_code == 200, r.status_code
    values = dict(
        db.session.execute(
            sa.select(Answer.question_id, Answer.value).where(Answer.attempt_id == attempt_id)
        ).all()
    )
    assert values == {single.id: "", multiple.id: str(right.id)}
    r = client.post(f"/academy/attempts/{attempt_id}/submit", data={f"q{single.id}": junk})
    assert r.status_code == 302
