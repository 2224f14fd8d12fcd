"""Catalogue, course and lesson pages, progress, feedback, staff authoring, bad input."""

import sqlalchemy as sa

from academy.courses.models import Course, Lesson, LessonCompletion, Module
from academy.courses.services import embed_url
from academy.feedback.models import FeedbackItem, FeedbackKind


def test_catalogue_lists_published_courses_with_search_filters_and_pages(client, make_course, db):
    make_course(quiz=False)
    draft = make_course(quiz=False, published=False)
    for n in range(14):
        db.session.add(
            Course(
                slug=f"bulk-{n}",
                title=f"Invoicing {n:02d}",
                summary="Billing",
                level="advanced",
                product_area="billing",
                published=True,
            )
        )
    db.session.commit()
    html = client.get("/academy").get_data(as_text=True)
    assert "Course 1" in html and draft.title not in html
    assert "Page 1" in html and 'rel="next"' in html
    assert client.get("/academy?page=2").status_code == 200
    assert client.get("/academy?page=3").status_code == 404
    html = client.get("/academy?q=course").get_data(as_text=True)
    assert "Course 1" in html and "Invoicing" not in html
    html = client.get("/academy?q=summary+of").get_data(as_text=True)  # the summary counts too
    assert "Course 1" in html
    html = client.get("/academy?level=advanced&area=billing").get_data(as_text=True)
    assert "Invoicing 00" in html and "Course 1" not in html
    html = client.get("/academy?q=%25").get_data(as_text=True)  # % is a character, not a wildcard
    assert "No courses match." in html


def test_progress_mark_complete_and_continue(client, login, make_user, make_course, db):
    user = login(make_user())
    course = make_course(lessons=4, quiz=False)
    lessons = db.session.scalars(sa.select(Lesson).order_by(Lesson.position)).all()
    html = client.get(f"/academy/{course.slug}").get_data(as_text=True)
    assert "Start the course" in html and "0 of 4 lessons" in html
    # Viewing a lesson changes nothing (GET never changes state).
    client.get(f"/academy/{course.slug}/lessons/{lessons[0].id}")
    assert db.session.scalar(sa.select(sa.func.count(LessonCompletion.id))) == 0
    r = client.post(f"/academy/{course.slug}/lessons/{lessons[0].id}/complete")
    assert r.headers["Location"].endswith(f"/lessons/{lessons[1].id}")
    client.post(f"/academy/{course.slug}/lessons/{lessons[0].id}/complete")  # twice is once
    client.post(f"/academy/{course.slug}/lessons/{lessons[1].id}/complete")
    assert db.session.scalar(sa.select(sa.func.count(LessonCompletion.id))) == 2
    html = client.get(f"/academy/{course.slug}").get_data(as_text=True)
    assert "2 of 4 lessons · 50%" in html and "Continue" in html and "Lesson 3" in html
    html = client.get("/academy").get_data(as_text=True)
    assert "Continue where you left off" in html and "2 of 4 lessons" in html
    done = db.session.scalars(
        sa.select(LessonCompletion.lesson_id).where(LessonCompletion.user_id == user.id)
    ).all()
    assert sorted(done) == sorted([lessons[0].id, lessons[1].id])


def test_lesson_markdown_is_sanitised(client, login, make_user, make_course, db):
    login(make_user())
    course = make_course(lessons=1, quiz=False)
    lesson = db.session.scalar(sa.select(Lesson))
    lesson.body = (
        "# Title\n\n<script>alert(1)</script>\n\n<img src=x onerror=alert(2)>\n\n"
        "[link](javascript:alert(3)) **bold**"
    )
    db.session.commit()
    html = client.get(f"/academy/{course.slug}/lessons/{lesson.id}").get_data(as_text=True)
    body = html.split('class="prose"')[1].split("</div>")[0]
    assert "<script" not in body and "onerror" not in body and 'href="javascript' not in body
    assert "<strong>bold</strong>" in body


def test_video_embeds_only_from_allowed_hosts(client, login, make_user, make_course, db):
    assert embed_url("https://www.youtube.com/watch?v=dQw4w9WgXcQ").endswith("/embed/dQw4w9WgXcQ")
    assert embed_url("https://youtu.be/dQw4w9WgXcQ").startswith("https://www.youtube-nocookie.com")
    assert embed_url("https://vimeo.com/76979871") == "https://player.vimeo.com/video/76979871"
    assert embed_url("https://acme.wistia.com/medias/abc123def4").endswith("/iframe/abc123def4")
    for bad in ("https://evil.example/watch?v=x", "http://youtu.be/dQw4w9WgXcQ", "javascript:1"):
        assert embed_url(bad) is None
    login(make_user("staff"))
    course = make_course(lessons=1, quiz=False)
    lesson = db.session.scalar(sa.select(Lesson))
    form = {
        "module_id": str(lesson.module_id),
        "title": "Typed title",
        "body": "Typed body",
        "video_url": "https://evil.example/v/1",
        "attachments": "",
    }
    r = client.post(f"/staff/academy/lessons/{lesson.id}", data=form)
    html = r.get_data(as_text=True)
    assert r.status_code == 200
    assert "other sites cannot be embedded" in html and 'id="video_url-error"' in html
    assert 'value="Typed title"' in html and "https://evil.example/v/1" in html
    form["video_url"] = "https://vimeo.com/76979871"
    form["attachments"] = "Checklist | https://example.com/checklist.pdf"
    assert client.post(f"/staff/academy/lessons/{lesson.id}", data=form).status_code == 302
    r = client.get(f"/academy/{course.slug}/lessons/{lesson.id}")
    assert "https://player.vimeo.com/video/76979871" in r.get_data(as_text=True)
    assert "frame-src https://www.youtube-nocookie.com" in r.headers["Content-Security-Policy"]
    assert "Checklist" in r.get_data(as_text=True)


def test_staff_author_a_course_reorder_lessons_and_preview_a_draft(client, login, make_user, db):
    login(make_user("staff"))
    r = client.post("/staff/academy/new", data={"title": "", "level": "beginner"})
    assert "This field is required." in r.get_data(as_text=True)
    r = client.post(
        "/staff/academy/new",
        data={
            "title": "Payroll basics",
            "summary": "S",
            "level": "beginner",
            "product_area": "billing",
            "estimated_minutes": "20",
        },
    )
    course = db.session.scalar(sa.select(Course))
    assert r.headers["Location"].endswith(f"/staff/academy/{course.id}")
    assert course.slug == "payroll-basics" and not course.published
    client.post(f"/staff/academy/{course.id}/modules", data={"title": "Intro"})
    module_id = db.session.scalar(sa.select(Module.id).where(Module.course_id == course.id))
    for title in ("First", "Second"):
        r = client.post(
            f"/staff/academy/{course.id}/lessons/new",
            data={"module_id": module_id, "title": title, "body": "x"},
        )
        assert r.status_code == 302, r.get_data(as_text=True)
    first, second = db.session.scalars(sa.select(Lesson).order_by(Lesson.id)).all()
    client.post(f"/staff/academy/lessons/{second.id}/move", data={"direction": "up"})
    db.session.expire_all()
    assert second.position < first.position
    # A draft: staff preview it as a client would; clients get a 404.
    html = client.get("/academy/payroll-basics").get_data(as_text=True)
    assert "Preview" in html and html.index("Second") < html.index("First")
    client.post("/logout")
    login(make_user())
    assert client.get("/academy/payroll-basics").status_code == 404
    assert client.get(f"/academy/payroll-basics/lessons/{first.id}").status_code == 404


def test_staff_add_questions_with_errors_beside_the_field(
    client, login, make_user, make_course, db
):
    from academy.courses.models import Quiz

    login(make_user("staff"))
    course = make_course(quiz=False)
    r = client.post(
        f"/staff/academy/{course.id}/quizzes/new",
        data={"title": "Q", "module_id": "0", "pass_mark": "70", "review_mode": "after_submit"},
    )
    quiz = db.session.scalar(sa.select(Quiz))
    assert r.status_code == 302 and quiz.module_id is None and quiz.pass_mark == 70
    url = f"/staff/academy/quizzes/{quiz.id}/questions/new"
    r = client.post(url, data={"kind": "single", "prompt": "Typed?", "choices": "A\nB"})
    assert "Mark the correct answer" in r.get_data(as_text=True)
    assert "Typed?" in r.get_data(as_text=True)
    r = client.post(url, data={"kind": "numeric", "prompt": "N?", "number": "nan"})
    assert r.status_code == 200 and 'id="number-error"' in r.get_data(as_text=True)
    r = client.post(url, data={"kind": "true_false", "prompt": "T?", "accepted": "maybe"})
    assert "true or false" in r.get_data(as_text=True)
    r = client.post(url, data={"kind": "numeric", "prompt": "N?", "number": "2,5"})
    assert r.status_code == 302  # "2,5" is a number, as clients may type it
    assert (
        client.post(
            url, data={"kind": "numeric", "prompt": "N?", "number": "2.5", "tolerance": "0.1"}
        ).status_code
        == 302
    )
    assert client.get("/staff/academy/quizzes/98765").status_code == 404


def test_feedback_on_a_course_and_a_lesson(client, login, make_user, make_course, db):
    login(make_user())
    course = make_course(lessons=1, quiz=False)
    lesson = db.session.scalar(sa.select(Lesson))
    r = client.post(f"/academy/{course.slug}/feedback", data={"rating": "", "message": "typed"})
    assert r.status_code == 400 and "typed" in r.get_data(as_text=True)
    assert 'id="rating-error"' in r.get_data(as_text=True)
    client.post(f"/academy/{course.slug}/feedback", data={"rating": "5", "message": "Great"})
    client.post(
        f"/academy/{course.slug}/lessons/{lesson.id}/feedback", data={"rating": "3", "message": ""}
    )
    items = db.session.scalars(sa.select(FeedbackItem).order_by(FeedbackItem.id)).all()
    assert [(i.kind, i.rating, i.course_id, i.lesson_id) for i in items] == [
        (FeedbackKind.COURSE, 5, course.id, None),
        (FeedbackKind.LESSON, 3, course.id, lesson.id),
    ]
    assert items[0].subject_title == course.title


def test_wrong_ids_are_404(client, login, make_user, make_course, db):
    course = make_course(lessons=1)
    login(make_user())
    assert client.get("/academy/no-such-course").status_code == 404
    assert client.get(f"/academy/{course.slug}/lessons/98765").status_code == 404
    assert client.post(f"/academy/{course.slug}/lessons/98765/complete").status_code == 404
    other = make_course(lessons=1)
    # The other course's lesson, asked under this course.
    lesson_of_other = db.session.scalar(sa.select(Lesson.id).where(Lesson.course_id == other.id))
    assert client.get(f"/academy/{course.slug}/lessons/{lesson_of_other}").status_code == 404


def test_junk_in_slugs_and_codes_is_not_found(client, login, make_user):
    login(make_user())
    for url in (
        "/academy/a%00b",
        "/academy/%C3%A9",
        "/certificates/%00",
        "/certificates/" + "A" * 40,
    ):
        assert client.get(url).status_code == 404, url
    assert client.post("/academy/a%00b/feedback", data={"rating": "5"}).status_code == 404


def test_pages_in_romanian(client, login, make_user, make_course, clock, db):
    login(make_user(language="ro"))
    course = make_course(lessons=1)
    lesson = db.session.scalar(sa.select(Lesson))
    client.post(f"/academy/{course.slug}/lessons/{lesson.id}/complete")
    assert "Continuați de unde ați rămas" in client.get("/academy").get_data(as_text=True)
    html = client.get(f"/academy/{course.slug}").get_data(as_text=True)
    assert "Progresul dvs." in html and "1 din 1 lecții" in html
    html = client.get(f"/academy/{course.slug}/lessons/{lesson.id}").get_data(as_text=True)
    assert "V-a fost utilă această lecție?" in html
