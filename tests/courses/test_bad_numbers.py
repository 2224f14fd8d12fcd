"""Numbers staff type into a question: nothing they type is a 500."""

import pytest
import sqlalchemy as sa

from academy.courses.models import Quiz


@pytest.mark.parametrize(
    "value", ["NaN", "nan", "sNaN", "inf", "-Infinity", "1e999", "abc", "1.2.3"]
)
def test_odd_numbers_are_shown_as_errors(client, login, make_user, make_course, db, value):
    login(make_user("staff"))
    course = make_course()
    quiz_id = db.session.scalar(sa.select(Quiz.id).where(Quiz.course_id == course.id))
    url = f"/staff/academy/quizzes/{quiz_id}/questions/new"
    for field in ("number", "tolerance"):
        data = {"kind": "numeric", "prompt": "N?", "number": "2", "tolerance": "0"}
        data[field] = value
        r = client.post(url, data=data)
        assert r.status_code == 200, (field, value, r.status_code)
        assert f'id="{field}-error"' in r.get_data(as_text=True), (field, value)
