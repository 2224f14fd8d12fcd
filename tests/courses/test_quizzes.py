"""Taking a quiz through the pages: server-side scoring, saving as you go, attempts, waits,
the deadline, pools, review modes, and the certificate when the course is complete."""

import re
from datetime import timedelta

import sqlalchemy as sa

from academy.courses import services
from academy.courses.models import Answer, Attempt, Certificate, ExtraAttempt
from tests.courses.conftest import right_answers


def _start(client, quiz) -> int:
    r = client.post(f"/academy/quizzes/{quiz.id}/start")
    assert r.status_code == 302, r.data
    return int(re.search(r"/attempts/(\d+)", r.headers["Location"]).group(1))


def _only_quiz(course):
    from academy.courses.models import Quiz
    from academy.extensions import db

    quiz_id = db.session.scalar(sa.select(Quiz.id).where(Quiz.course_id == course.id))
    return services.load_quiz(quiz_id)


def _wrong(quiz, how_many):
    """Right answers except the first `how_many` questions, left empty."""
    form = right_answers(quiz)
    for q in quiz.questions[:how_many]:
        form[f"q{q.id}"] = [""]
    return form


def test_the_correct_answers_never_reach_the_browser(client, login, make_user, make_course, clock):
    login(make_user())
    quiz = _only_quiz(make_course())
    attempt_id = _start(client, quiz)
    html = client.get(f"/academy/attempts/{attempt_id}").get_data(as_text=True)
    for q in quiz.questions:
        assert q.prompt in html
    assert "Client portal" not in html and "2.5" not in html
    assert "correct" not in html.lower()
    # Each choice is rendered the same way, right or wrong: take away its id and its text and
    # every answer of a question is the same markup (no data- attribute, class, hidden field
    # or text marks the right one).
    for q in quiz.questions:
        if q.kind not in ("single", "multiple"):
            continue
        shapes = set()
        for c in q.choices:
            label = re.search(
                rf'<label class="answer">\s*<input [^>]*value="{c.id}"[^>]*>\s*<span>[^<]*</span>'
                rf"\s*</label>",
                html,
            )
            assert label, (q.prompt, c.text)
            markup = label.group(0)
            assert "data-" not in markup and "hidden" not in markup and "*" not in markup
            assert f"<span>{c.text}</span>" in markup
            shapes.add(markup.replace(f'value="{c.id}"', "").replace(c.text, ""))
        assert len(shapes) == 1, shapes
    # The only hidden fields are the CSRF token and each question's "nothing chosen" value.
    form = html[html.index('class="quiz-form"') :].split("</form>")[0]
    hidden = re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', form)
    assert {name for name, value in hidden if value} <= {"csrf_token"}


def test_answers_are_saved_and_survive_a_reload(client, login, make_user, make_course, clock, db):
    login(make_user())
    quiz = _only_quiz(make_course())
    attempt_id = _start(client, quiz)
    single = quiz.questions[0]
    choice_b = next(c for c in single.choices if c.correct)
    r = client.post(
        f"/academy/attempts/{attempt_id}/save",
        data={f"q{single.id}": ["", str(choice_b.id)]},
        headers={"X-Requested-With": "fetch"},
    )
    assert r.status_code == 200 and r.json["saved"] is True
    # Without JavaScript: the Save button posts the form and comes back to the page.
    text_q = quiz.questions[3]
    r = client.post(f"/academy/attempts/{attempt_id}/save", data={f"q{text_q.id}": "portal"})
    assert r.status_code == 302
    html = client.get(f"/academy/attempts/{attempt_id}").get_data(as_text=True)
    assert f'value="{choice_b.id}" checked' in html
    assert 'value="portal"' in html
    # Starting again continues the same attempt.
    assert _start(client, quiz) == attempt_id


def test_passing_scores_on_the_server_and_issues_the_certificate(
    client, login, make_user, make_course, clock, db
):
    user = login(make_user(name="Ștefan Țăranu"))
    course = make_course()
    quiz = _only_quiz(course)
    attempt_id = _start(client, quiz)
    r = client.post(f"/academy/attempts/{attempt_id}/submit", data=right_answers(quiz))
    assert r.status_code == 302
    attempt = db.session.get(Attempt, attempt_id)
    assert attempt.score == 100 and attempt.passed
    html = client.get(f"/academy/attempts/{attempt_id}/result").get_data(as_text=True)
    assert "You passed" in html and "View your certificate" in html
    cert = db.session.scalar(sa.select(Certificate).where(Certificate.user_id == user.id))
    assert cert.name == "Ștefan Țăranu" and cert.score == 100
    # Submitting twice changes nothing.
    client.post(f"/academy/attempts/{attempt_id}/submit", data={})
    assert db.session.scalar(sa.select(sa.func.count(Certificate.id))) == 1


def test_forged_answers_of_other_questions_are_ignored(
    client, login, make_user, make_course, clock, db
):
    login(make_user())
    quiz = _only_quiz(make_course())
    other = _only_quiz(make_course())
    attempt_id = _start(client, quiz)
    foreign_choice = other.questions[0].choices[1].id
    client.post(
        f"/academy/attempts/{attempt_id}/submit",
        data={f"q{quiz.questions[0].id}": str(foreign_choice), f"q{other.questions[0].id}": "1"},
    )
    answers = db.session.scalars(sa.select(Answer).where(Answer.attempt_id == attempt_id)).all()
    assert [(a.question_id, a.value) for a in answers] == [(quiz.questions[0].id, "")]
    assert db.session.get(Attempt, attempt_id).score == 0


def test_attempts_and_the_wait_are_enforced_with_the_time_in_the_viewers_zone(
    client, login, make_user, make_course, clock, db
):
    login(make_user(timezone="Europe/Bucharest"))
    quiz = _only_quiz(make_course(attempts_allowed=2, wait_minutes=60))
    first = _start(client, quiz)
    client.post(f"/academy/attempts/{first}/submit", data=_wrong(quiz, 3))
    assert not db.session.get(Attempt, first).passed
    r = client.post(f"/academy/quizzes/{quiz.id}/start", follow_redirects=True)
    html = r.get_data(as_text=True)
    # Submitted at 10:00 UTC, the wait is an hour: 13:00 in Bucharest (UTC+2).
    assert "Your next attempt opens on" in html and "1:00" in html and "Bucharest" in html
    clock.advance(timedelta(minutes=61))
    second = _start(client, quiz)
    assert second != first
    client.post(f"/academy/attempts/{second}/submit", data=_wrong(quiz, 3))
    clock.advance(timedelta(hours=2))
    html = client.post(f"/academy/quizzes/{quiz.id}/start", follow_redirects=True).get_data(
        as_text=True
    )
    assert "You have used all 2 attempts" in html
    assert db.session.scalar(sa.select(sa.func.count(Attempt.id))) == 2


def test_staff_grant_an_extra_attempt_with_a_reason(
    client, login, make_user, make_course, clock, db
):
    member = make_user(email="member@example.com")
    staff = make_user("staff")
    quiz = _only_quiz(make_course(attempts_allowed=1))
    login(member)
    first = _start(client, quiz)
    client.post(f"/academy/attempts/{first}/submit", data={})
    assert "You have used all 1 attempts" in client.get(f"/academy/quizzes/{quiz.id}").get_data(
        as_text=True
    )
    login(staff)
    r = client.post(
        f"/staff/academy/quizzes/{quiz.id}/extra", data={"email": "nobody@x.com", "reason": "r"}
    )
    assert "No user has this email address." in r.get_data(as_text=True)
    assert 'value="nobody@x.com"' in r.get_data(as_text=True)  # what was typed is kept
    r = client.post(
        f"/staff/academy/quizzes/{quiz.id}/extra",
        data={"email": "member@example.com", "reason": "Lost connection during the quiz"},
    )
    assert r.status_code == 302
    grant = db.session.scalar(sa.select(ExtraAttempt))
    assert grant.reason == "Lost connection during the quiz" and grant.granted_by_id == staff.id
    assert "Lost connection" in client.get(f"/staff/academy/quizzes/{quiz.id}").get_data(
        as_text=True
    )
    login(member)
    assert _start(client, quiz) != first


def test_the_deadline_is_enforced_by_the_server(client, login, make_user, make_course, clock, db):
    login(make_user())
    quiz = _only_quiz(make_course(time_limit_minutes=10))
    attempt_id = _start(client, quiz)
    html = client.get(f"/academy/attempts/{attempt_id}").get_data(as_text=True)
    assert 'data-countdown="600"' in html
    form = right_answers(quiz)
    first_two = {k: form[k] for k in list(form)[:2]}
    clock.advance(timedelta(minutes=9))
    client.post(f"/academy/attempts/{attempt_id}/save", data=first_two)
    # Just inside the grace: still saved.
    clock.advance(timedelta(minutes=1, seconds=20))
    third = dict(list(form.items())[2:3])
    assert client.post(
        f"/academy/attempts/{attempt_id}/save", data=third, headers={"X-Requested-With": "fetch"}
    ).json["saved"]
    # Past the grace: refused, and the rest does not count even when sent with Submit.
    clock.advance(timedelta(seconds=30))
    r = client.post(
        f"/academy/attempts/{attempt_id}/save", data=form, headers={"X-Requested-With": "fetch"}
    )
    assert r.status_code == 409 and not r.json["saved"]
    page = client.get(f"/academy/attempts/{attempt_id}").get_data(as_text=True)
    assert "The time limit has passed" in page
    client.post(f"/academy/attempts/{attempt_id}/submit", data=form)
    attempt = db.session.get(Attempt, attempt_id)
    assert attempt.score == 60 and attempt.passed is False  # 3 of 5 saved in time
    assert attempt.submitted_at == attempt.deadline


def test_an_expired_open_attempt_is_scored_when_a_new_one_is_asked_for(
    client, login, make_user, make_course, clock, db
):
    login(make_user())
    quiz = _only_quiz(make_course(time_limit_minutes=5))
    attempt_id = _start(client, quiz)
    client.post(f"/academy/attempts/{attempt_id}/save", data=right_answers(quiz))
    clock.advance(timedelta(hours=1))
    client.post(f"/academy/quizzes/{quiz.id}/start")
    attempt = db.session.get(Attempt, attempt_id)
    assert attempt.passed and attempt.submitted_at == attempt.deadline


def test_continuing_an_expired_attempt_shows_its_result_and_starts_nothing(
    client, login, make_user, make_course, clock, db
):
    login(make_user())
    quiz = _only_quiz(make_course(time_limit_minutes=5, attempts_allowed=3))
    attempt_id = _start(client, quiz)
    client.post(f"/academy/attempts/{attempt_id}/save", data=right_answers(quiz))
    clock.advance(timedelta(hours=1))
    html = client.get(f"/academy/quizzes/{quiz.id}").get_data(as_text=True)
    assert "Time is up \u2013 see your result" in html and "Continue your attempt" not in html
    r = client.post(f"/academy/quizzes/{quiz.id}/start")
    assert r.headers["Location"].endswith(f"/academy/attempts/{attempt_id}/result")
    assert db.session.scalar(sa.select(sa.func.count(Attempt.id))) == 1
    attempt = db.session.get(Attempt, attempt_id)
    assert attempt.passed and attempt.submitted_at == attempt.deadline


def test_pool_draws_n_and_a_reload_shows_the_same_draw(
    client, login, make_user, make_course, clock, db
):
    login(make_user())
    quiz = _only_quiz(make_course(draw_count=3, shuffle_questions=True, shuffle_answers=True))
    attempt_id = _start(client, quiz)
    attempt = db.session.get(Attempt, attempt_id)
    assert len(attempt.drawn) == 3
    first = client.get(f"/academy/attempts/{attempt_id}").get_data(as_text=True)
    again = client.get(f"/academy/attempts/{attempt_id}").get_data(as_text=True)
    order = re.findall(r'id="question-(\d+)"', first)
    assert order == re.findall(r'id="question-(\d+)"', again) == [str(i) for i in attempt.drawn]
    assert re.findall(r'value="(\d+)"', first) == re.findall(r'value="(\d+)"', again)
    # Scoring counts only the drawn questions.
    client.post(f"/academy/attempts/{attempt_id}/submit", data=right_answers(quiz))
    assert db.session.get(Attempt, attempt_id).score == 100


def _result(client, quiz, form):
    attempt_id = _start(client, quiz)
    client.post(f"/academy/attempts/{attempt_id}/submit", data=form)
    return client.get(f"/academy/attempts/{attempt_id}/result").get_data(as_text=True)


def test_review_after_submit_shows_the_right_answers(client, login, make_user, make_course, clock):
    login(make_user())
    quiz = _only_quiz(make_course(review_mode="after_submit"))
    html = _result(client, quiz, _wrong(quiz, 5))
    assert "Correct answer" in html and "Client portal / portal" in html


def test_review_none_never_shows_them(client, login, make_user, make_course, clock):
    login(make_user())
    quiz = _only_quiz(make_course(review_mode="none"))
    html = _result(client, quiz, right_answers(quiz))
    assert "Correct answer" not in html and "Client portal" not in html


def test_review_after_passing(client, login, make_user, make_course, clock):
    login(make_user())
    quiz = _only_quiz(make_course(review_mode="after_passing", attempts_allowed=0))
    assert "Client portal / portal" not in _result(client, quiz, _wrong(quiz, 5))
    assert "Client portal / portal" in _result(client, quiz, right_answers(quiz))


def test_review_after_the_last_attempt(client, login, make_user, make_course, clock):
    login(make_user())
    quiz = _only_quiz(make_course(review_mode="after_last", attempts_allowed=2))
    assert "Client portal / portal" not in _result(client, quiz, _wrong(quiz, 5))
    assert "Client portal / portal" in _result(client, quiz, _wrong(quiz, 5))


def test_another_users_attempt_is_404(client, login, make_user, make_course, clock):
    quiz = _only_quiz(make_course())
    login(make_user())
    attempt_id = _start(client, quiz)
    login(make_user())
    for url in ("", "/result"):
        assert client.get(f"/academy/attempts/{attempt_id}{url}").status_code == 404
    for url in ("/save", "/submit"):
        assert client.post(f"/academy/attempts/{attempt_id}{url}").status_code == 404
    assert client.get("/academy/attempts/99999").status_code == 404
    assert client.get("/academy/quizzes/99999").status_code == 404


def test_a_client_without_the_academy_channel_sees_why(
    client, login, make_user, make_course, clock, db
):
    user = make_user()
    user.firm_id = None  # POLICY R2: not linked to a firm's subscription
    db.session.commit()
    login(user)
    course = make_course()
    quiz = _only_quiz(course)
    r = client.post(f"/academy/quizzes/{quiz.id}/start")
    assert r.status_code == 403
    assert "not linked to a firm" in r.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count(Attempt.id))) == 0
    r = client.get(f"/academy/{course.slug}/lessons/1")
    assert r.status_code == 403 and "You cannot take Academy courses now." in r.get_data(
        as_text=True
    )
