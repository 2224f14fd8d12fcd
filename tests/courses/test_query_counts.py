"""Academy pages run a constant number of SQL statements from 10 to 2,000 courses, lessons
and attempts."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from academy.courses.models import Attempt, Course, Lesson, LessonCompletion, Module, Quiz
from tests.core.test_query_counts import count_statements


def _grow(db, user, course, quiz, n: int, at) -> None:
    """n more courses, n more lessons in `course`, n attempts (of other quizzes' owners)."""
    first = (db.session.scalar(sa.select(sa.func.max(Course.id))) or 0) + 1
    db.session.execute(
        sa.insert(Course),
        [
            {
                "id": first + i,
                "slug": f"bulk-{first + i}",
                "title": f"Bulk course {i:05d}",
                "summary": "Bulk",
                "level": "beginner",
                "product_area": "basics",
                "cover_image": "",
                "estimated_minutes": 10,
                "published": True,
                "created_at": at,
            }
            for i in range(n)
        ],
    )
    module_id = db.session.scalar(sa.select(Module.id).where(Module.course_id == course.id))
    last = db.session.scalar(sa.select(sa.func.max(Lesson.id)))
    db.session.execute(
        sa.insert(Lesson),
        [
            {
                "course_id": course.id,
                "module_id": module_id,
                "title": f"Bulk lesson {i}",
                "body": "Text",
                "video_url": "",
                "position": 100 + i,
            }
            for i in range(n)
        ],
    )
    db.session.execute(
        sa.insert(LessonCompletion),
        [
            {
                "user_id": user.id,
                "course_id": course.id,
                "lesson_id": last + 1 + i,
                "completed_at": at,
            }
            for i in range(0, n, 2)
        ],
    )
    base = (db.session.scalar(sa.select(sa.func.max(Attempt.number))) or 0) + 1
    db.session.execute(
        sa.insert(Attempt),
        [
            {
                "quiz_id": quiz.id,
                "user_id": user.id,
                "number": base + i,
                "seed": i,
                "question_ids": "",
                "started_at": at - timedelta(days=30),
                "submitted_at": at - timedelta(days=30),
                "score": 10,
                "passed": False,
            }
            for i in range(n)
        ],
    )
    db.session.commit()


# The pages that read plain rows (issue 15): the user, the page's own statements (the cards and
# the last course; the lesson with its outline, and its attachments; the attempt, and its
# questions), the access facts or the firm's assignments. One more is a query come back.
STATEMENTS = {"catalogue": 4, "lesson": 4, "attempt": 4}


@pytest.mark.parametrize("page", ["catalogue", "course", "lesson", "quiz", "attempt", "result"])
def test_statements_do_not_grow_with_data(
    client, db, login, make_user, make_course, clock, queries, page
):
    user = login(make_user())
    course = make_course(lessons=3, attempts_allowed=0)
    quiz = db.session.scalar(sa.select(Quiz).where(Quiz.course_id == course.id))
    lesson = db.session.scalar(sa.select(Lesson).order_by(Lesson.id))
    r = client.post(f"/academy/quizzes/{quiz.id}/start")
    attempt_id = int(r.headers["Location"].rsplit("/", 1)[1])
    if page == "result":
        client.post(f"/academy/attempts/{attempt_id}/submit")
    urls = {
        "catalogue": "/academy",
        "course": f"/academy/{course.slug}",
        "lesson": f"/academy/{course.slug}/lessons/{lesson.id}",
        "quiz": f"/academy/quizzes/{quiz.id}",
        "attempt": f"/academy/attempts/{attempt_id}",
        "result": f"/academy/attempts/{attempt_id}/result",
    }
    url = urls[page]
    _grow(db, user, course, quiz, 10, clock.now())
    small = count_statements(client, queries, url)
    _grow(db, user, course, quiz, 1990, clock.now())
    large = count_statements(client, queries, url)
    print(f"{page}: {small} statements at 10, {large} at 2,000")
    assert small == large, f"{url}: {small} statements at 10, {large} at 2,000"
    if page in STATEMENTS:
        assert small == STATEMENTS[page], f"{url}: {small} statements, {STATEMENTS[page]} expected"
