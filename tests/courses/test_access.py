"""POLICY R1/R2 on every page that uses the Academy, not only on start; the public PDF is
rate-limited."""

import re

import pytest
import sqlalchemy as sa

from academy.courses import services
from academy.courses.models import Answer, Attempt, Quiz
from academy.feedback.models import FeedbackItem
from tests.courses.conftest import right_answers


def test_a_client_who_lost_the_channel_cannot_take_save_or_submit(
    client, login, make_user, make_course, clock, db
):
    user = login(make_user())
    course = make_course()
    quiz = services.load_quiz(
        db.session.scalar(sa.select(Quiz.id).where(Quiz.course_id == course.id))
    )
    r = client.post(f"/academy/quizzes/{quiz.id}/start")
    attempt_id = int(re.search(r"/attempts/(\d+)", r.headers["Location"]).group(1))
    user.firm_id = None  # POLICY R2: no longer linked to a firm's subscription
    db.session.commit()

    r = client.get(f"/academy/attempts/{attempt_id}")
    assert r.status_code == 403 and "not linked to a firm" in r.get_data(as_text=True)
    r = client.post(
        f"/academy/attempts/{attempt_id}/save",
        data=right_answers(quiz),
        headers={"X-Requested-With": "fetch"},
    )
    assert r.status_code == 403 and r.json["saved"] is False
    assert "not linked to a firm" in r.json["message"]
    r = client.post(f"/academy/attempts/{attempt_id}/save", data=right_answers(quiz))
    assert r.status_code == 403
    r = client.post(f"/academy/attempts/{attempt_id}/submit", data=right_answers(quiz))
    assert r.status_code == 403
    assert db.session.scalar(sa.select(sa.func.count(Answer.id))) == 0
    assert db.session.get(Attempt, attempt_id).submitted_at is None
    r = client.post(f"/academy/{course.slug}/feedback", data={"rating": "5", "message": "x"})
    assert r.status_code == 403
    assert db.session.scalar(sa.select(sa.func.count(FeedbackItem.id))) == 0


@pytest.mark.app_config(RATELIMIT_ENABLED=True)
def test_the_public_certificate_pdf_is_rate_limited(client):
    codes = [client.get("/certificates/TDA-AAAA-BBBB-CCCC/pdf").status_code for _ in range(11)]
    assert codes[:10] == [404] * 10 and codes[10] == 429
