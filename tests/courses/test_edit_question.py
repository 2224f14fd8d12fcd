"""Editing a question keeps its choices' ids: answers saved in open attempts and past reviews
still point at them; a choice someone chose cannot be removed."""

import re

import sqlalchemy as sa

from academy.courses import services
from academy.courses.models import Answer, Choice, Quiz


def _quiz(db, course):
    return services.load_quiz(
        db.session.scalar(sa.select(Quiz.id).where(Quiz.course_id == course.id))
    )


def _start(client, quiz) -> int:
    r = client.post(f"/academy/quizzes/{quiz.id}/start")
    return int(re.search(r"/attempts/(\d+)", r.headers["Location"]).group(1))


def _choice_ids(db, question_id):
    return db.session.scalars(
        sa.select(Choice.id).where(Choice.question_id == question_id).order_by(Choice.position)
    ).all()


def test_editing_a_question_keeps_the_chosen_answer(
    client, login, make_user, make_course, clock, db
):
    client_user, staff = make_user(), make_user("staff")
    quiz = _quiz(db, make_course(review_mode="after_submit"))
    single = quiz.questions[0]
    before = _choice_ids(db, single.id)
    b = before[1]  # "B", the right one
    login(client_user)
    attempt_id = _start(client, quiz)
    client.post(f"/academy/attempts/{attempt_id}/save", data={f"q{single.id}": str(b)})

    login(staff)
    r = client.post(
        f"/staff/academy/questions/{single.id}",
        data={"kind": "single", "prompt": "Pick B", "choices": "A\n* B, reworded\nC\nD"},
    )
    assert r.status_code == 302
    after = _choice_ids(db, single.id)
    assert after[:3] == before and len(after) == 4
    assert db.session.get(Choice, b).text == "B, reworded"

    login(client_user)
    html = client.get(f"/academy/attempts/{attempt_id}").get_data(as_text=True)
    assert f'value="{b}" checked' in html
    client.post(f"/academy/attempts/{attempt_id}/submit", data={})
    answer = db.session.scalar(sa.select(Answer).where(Answer.question_id == single.id))
    assert answer.value == str(b) and answer.correct
    html = client.get(f"/academy/attempts/{attempt_id}/result").get_data(as_text=True)
    assert "☑ B, reworded" in html

    # Removing an answer nobody chose is fine; removing the chosen one is refused, beside
    # the field, and changes nothing.
    login(staff)
    url = f"/staff/academy/questions/{single.id}"
    assert (
        client.post(
            url, data={"kind": "single", "prompt": "Pick B", "choices": "A\n* B, reworded\nC"}
        ).status_code
        == 302
    )
    assert _choice_ids(db, single.id) == before
    r = client.post(url, data={"kind": "single", "prompt": "Pick B", "choices": "* A"})
    html = r.get_data(as_text=True)
    assert r.status_code == 200 and 'id="choices-error"' in html
    r = client.post(url, data={"kind": "single", "prompt": "Pick B", "choices": "* A\nC"})
    html = r.get_data(as_text=True)
    assert r.status_code == 200 and 'id="choices-error"' in html
    assert "cannot be removed: C" not in html and "B, reworded" in html
    db.session.expire_all()
    assert _choice_ids(db, single.id) == before
