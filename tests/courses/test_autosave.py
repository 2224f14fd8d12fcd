"""The quiz page's autosave: honest about failures, its words translatable, and still saving
after the page's CSRF token has expired (a long untimed quiz)."""

import re
import time
from pathlib import Path

import pytest
import sqlalchemy as sa

from academy.courses import services
from academy.courses.models import Answer, Quiz

JS = Path(__file__).resolve().parents[2] / "static" / "js" / "quiz.js"
FETCH = {"X-Requested-With": "fetch"}


def _quiz(db, course):
    return services.load_quiz(
        db.session.scalar(sa.select(Quiz.id).where(Quiz.course_id == course.id))
    )


def _token(html: str) -> str:
    form = html[html.index('class="quiz-form"') :]
    return re.search(r'name="csrf_token" value="([^"]+)"', form).group(1)


def test_the_page_gives_the_script_its_words_and_the_token_address(
    client, login, make_user, make_course, clock, db
):
    login(make_user())
    quiz = _quiz(db, make_course())
    r = client.post(f"/academy/quizzes/{quiz.id}/start")
    attempt_id = int(re.search(r"/attempts/(\d+)", r.headers["Location"]).group(1))
    html = client.get(f"/academy/attempts/{attempt_id}").get_data(as_text=True)
    assert 'data-retrying-text="Not saved — retrying…"' in html
    assert f'data-token-url="/academy/attempts/{attempt_id}/token"' in html
    for name in ("saving", "offline", "leave"):
        assert re.search(rf'data-{name}-text="[^"]+"', html), name
    # The script shows only those words (and the server's messages), retries, and warns.
    script = JS.read_text()
    for piece in ("retryingText", "offlineText", "leaveText", '"beforeunload"', '"online"'):
        assert piece in script, piece
    assert not re.search(r"textContent = \"[A-Za-z]", script)


@pytest.mark.app_config(WTF_CSRF_ENABLED=True, WTF_CSRF_TIME_LIMIT=1)
def test_an_expired_csrf_token_is_replaced_and_the_save_goes_through(
    client, login, make_user, make_course, clock, db
):
    login(make_user())
    quiz = _quiz(db, make_course())
    html = client.get(f"/academy/quizzes/{quiz.id}").get_data(as_text=True)
    start_token = re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)
    r = client.post(f"/academy/quizzes/{quiz.id}/start", data={"csrf_token": start_token})
    attempt_id = int(re.search(r"/attempts/(\d+)", r.headers["Location"]).group(1))
    page = client.get(f"/academy/attempts/{attempt_id}").get_data(as_text=True)
    single = quiz.questions[0]
    choice = str(single.choices[0].id)
    url = f"/academy/attempts/{attempt_id}/save"
    r = client.post(url, data={"csrf_token": _token(page), f"q{single.id}": choice}, headers=FETCH)
    assert r.status_code == 200 and r.json["saved"] and r.json["csrf_token"]
    time.sleep(2.1)  # the page's token is now older than WTF_CSRF_TIME_LIMIT
    r = client.post(url, data={"csrf_token": _token(page), f"q{single.id}": choice}, headers=FETCH)
    assert r.status_code == 400
    fresh = client.get(f"/academy/attempts/{attempt_id}/token")
    assert fresh.status_code == 200 and fresh.headers["Cache-Control"] == "no-store"
    r = client.post(
        url, data={"csrf_token": fresh.json["csrf_token"], f"q{single.id}": choice}, headers=FETCH
    )
    assert r.status_code == 200 and r.json["saved"] is True
    assert db.session.scalars(sa.select(Answer.value)).all() == [choice]


def test_a_failed_save_tells_the_script_to_retry_and_a_final_one_not(
    client, login, make_user, make_course, clock, db, monkeypatch
):
    login(make_user())
    quiz = _quiz(db, make_course())
    r = client.post(f"/academy/quizzes/{quiz.id}/start")
    attempt_id = int(re.search(r"/attempts/(\d+)", r.headers["Location"]).group(1))
    single = quiz.questions[0]
    data = {f"q{single.id}": str(single.choices[0].id)}
    url = f"/academy/attempts/{attempt_id}/save"
    client.post(url, data=data, headers=FETCH)
    with monkeypatch.context() as m:
        m.setattr(services, "_saved_answers", lambda attempt_id: {})  # every insert conflicts
        r = client.post(url, data=data, headers=FETCH)
    assert r.status_code == 409 and r.json["saved"] is False and r.json["retry"] is True
    client.post(f"/academy/attempts/{attempt_id}/submit", data=data)
    r = client.post(url, data=data, headers=FETCH)
    assert r.status_code == 409 and r.json["retry"] is False
    assert "submitted" in r.json["message"]


def test_the_scripts_words_and_the_new_pages_in_romanian(
    client, login, make_user, make_course, clock, db
):
    login(make_user(language="ro"))
    quiz = _quiz(db, make_course())
    r = client.post(f"/academy/quizzes/{quiz.id}/start")
    attempt_id = int(re.search(r"/attempts/(\d+)", r.headers["Location"]).group(1))
    html = client.get(f"/academy/attempts/{attempt_id}").get_data(as_text=True)
    assert 'data-retrying-text="Nesalvat — se reîncearcă…"' in html
    html = client.get("/certificates/TDA-AAAA-BBBB-CCCC").get_data(as_text=True)
    assert "Certificatul nu a fost găsit" in html
