"""Certificates: the page, the PDF (with Romanian diacritics), public verification, the list."""

import io
import re

import sqlalchemy as sa
from pypdf import PdfReader

from academy.courses import services
from academy.courses.models import Certificate, Quiz
from tests.courses.conftest import right_answers


def _pass(client, db, course):
    quiz_id = db.session.scalar(
        sa.select(Quiz.id).where(Quiz.course_id == course.id).order_by(Quiz.id)
    )
    quiz = services.load_quiz(quiz_id)
    r = client.post(f"/academy/quizzes/{quiz.id}/start")
    attempt = int(re.search(r"/attempts/(\d+)", r.headers["Location"]).group(1))
    client.post(f"/academy/attempts/{attempt}/submit", data=right_answers(quiz))
    return db.session.scalar(sa.select(Certificate).where(Certificate.course_id == course.id))


def test_certificate_page_pdf_and_public_verification(
    client, login, make_user, make_course, clock, db
):
    login(make_user(name="Ioana Știrbu-Țăndărescu Âîă"))
    course = make_course()
    cert = _pass(client, db, course)
    assert re.fullmatch(r"TDA-[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}", cert.code)

    html = client.get("/academy/certificates").get_data(as_text=True)
    assert course.title in html and cert.code in html

    client.post("/logout")
    with client.session_transaction() as session:
        session.clear()
    r = client.get(f"/certificates/{cert.code}")  # anyone with the code
    html = r.get_data(as_text=True)
    assert r.status_code == 200 and "Verified" in html
    assert "Ioana Știrbu-Țăndărescu Âîă" in html and course.title in html and "100%" in html
    assert "November 25, 2026" in html
    assert client.get(f"/certificates/{cert.code.lower()}").status_code == 200
    assert client.get("/certificates/TDA-AAAA-BBBB-CCCC").status_code == 404
    assert client.get("/certificates/TDA-AAAA-BBBB-CCCC/pdf").status_code == 404

    r = client.get(f"/certificates/{cert.code}/pdf")
    assert r.status_code == 200 and r.mimetype == "application/pdf"
    assert r.data.startswith(b"%PDF")
    text = PdfReader(io.BytesIO(r.data)).pages[0].extract_text()
    assert "Ioana Știrbu-Țăndărescu Âîă" in text
    assert cert.code in text and course.title in text


def _second_quiz(course, *, questions=1):
    quiz = services.save_quiz(None, course, {"title": "Second quiz"})
    for _n in range(questions):
        services.save_question(None, quiz, kind="true_false", prompt="Yes?", accepted="true")
    return quiz.id


def test_the_certificate_needs_every_required_quiz_until_one_is_made_optional(
    client, login, make_user, make_course, clock, db
):
    user = login(make_user())
    course = make_course()
    second_id = _second_quiz(course)
    assert _pass(client, db, course) is None  # only the first quiz passed
    html = client.get(f"/academy/{course.slug}").get_data(as_text=True)
    assert "Get my certificate" not in html
    # Staff make the second quiz optional: the clients it held back get their certificate.
    services.save_quiz(services.load_quiz(second_id), course, {"required": False})
    cert = db.session.scalar(sa.select(Certificate).where(Certificate.course_id == course.id))
    assert cert is not None and cert.user_id == user.id and cert.score == 100


def test_a_required_quiz_without_questions_blocks_no_one(
    client, login, make_user, make_course, clock, db
):
    user = login(make_user())
    course = make_course()
    _second_quiz(course, questions=0)
    cert = _pass(client, db, course)
    assert cert is not None and cert.user_id == user.id


def test_get_my_certificate_when_every_required_quiz_is_passed(
    client, login, make_user, make_course, clock, db
):
    course = make_course()
    second_id = _second_quiz(course)
    login(make_user())
    assert _pass(client, db, course) is None
    # Made optional behind the service's back (data from before it re-checked): no
    # certificate yet, so the course page offers one.
    db.session.execute(sa.update(Quiz).where(Quiz.id == second_id).values(required=False))
    db.session.commit()
    html = client.get(f"/academy/{course.slug}").get_data(as_text=True)
    assert "Get my certificate" in html
    r = client.post(f"/academy/{course.slug}/certificate")
    cert = db.session.scalar(sa.select(Certificate))
    assert r.headers["Location"].endswith(f"/certificates/{cert.code}")
    r = client.post(f"/academy/{course.slug}/certificate")  # twice is once
    assert r.headers["Location"].endswith(f"/certificates/{cert.code}")
    assert "View your certificate" in client.get(f"/academy/{course.slug}").get_data(as_text=True)
    # Someone who has not passed gets a message, not a certificate.
    login(make_user())
    r = client.post(f"/academy/{course.slug}/certificate", follow_redirects=True)
    assert "Pass every required quiz" in r.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count(Certificate.id))) == 1


def test_certificates_due_are_issued_in_bounded_batches(db, make_user, make_course, clock):
    course = make_course()
    quiz = services.load_quiz(
        db.session.scalar(sa.select(Quiz.id).where(Quiz.course_id == course.id))
    )
    second_id = _second_quiz(course)
    for _n in range(3):
        attempt = services.start_attempt(make_user(), quiz)
        services.save_answers(attempt, quiz, right_answers(quiz))
        services.submit_attempt(attempt, quiz)
    assert db.session.scalar(sa.select(sa.func.count(Certificate.id))) == 0
    db.session.execute(sa.update(Quiz).where(Quiz.id == second_id).values(required=False))
    db.session.commit()
    assert services.issue_due_certificates(course.id, limit=2) == 2
    assert services.issue_due_certificates(course.id, limit=2) == 1
    assert services.issue_due_certificates(course.id, limit=2) == 0
    assert db.session.scalar(sa.select(sa.func.count(Certificate.id))) == 3


def test_a_wrong_code_says_certificate_not_found(client):
    for url in ("/certificates/TDA-AAAA-BBBB-CCCC", "/certificates/%00", "/certificates/x/pdf"):
        r = client.get(url)
        assert r.status_code == 404, url
        assert "Certificate not found" in r.get_data(as_text=True), url
