"""What the benchmark needs beyond `flask demo seed`: a quiz of 20 questions with the demo
client's attempt open on it, and the demo client's calendar feed token.

Made through the app's own services (academy.courses.services, academy.scheduling.feed), in
the benchmark's database, so that the pages measured are the ones a client would see. Run after
`flask db upgrade` and `flask demo seed`, with the environment the academy will be served with
(DATABASE_URL above all); it prints one JSON line, the values run.py puts into the paths of
PAGES:

    .venv/bin/python bench/fixtures.py   ->   {"attempt": 4, "feed_token": "...", ...}

Safe to run again: the quiz is found by its title, the open attempt is the one start_attempt()
returns, and the feed token is kept when the client already has one.
"""

from __future__ import annotations

import json
import sys
from typing import Any

from sqlalchemy import select

from academy import create_app
from academy.accounts.services import find_user_by_email
from academy.courses import services
from academy.courses.kinds import QuestionKind
from academy.courses.models import Course, Module, Quiz
from academy.extensions import db
from academy.scheduling.feed import new_feed_token

QUIZ_TITLE = "Invoices and payments: practice test"
COURSE_SLUG = "client-portal-and-invoicing"  # the second demo course (academy/courses/demo.py)
CLIENT = "client@example.com"
QUESTIONS = 20
ANSWERED = 8  # answers the client has saved so far: the page shows them filled in

# One of each kind in turn, so that every kind's template is on the page.
_KINDS = [
    QuestionKind.SINGLE,
    QuestionKind.MULTIPLE,
    QuestionKind.TRUE_FALSE,
    QuestionKind.SHORT_TEXT,
    QuestionKind.NUMERIC,
]


def prompt(n: int) -> str:
    """The prompt of question n (1-based): run.py checks the page shows the first and last."""
    return f"Practice question {n} of {QUESTIONS}: which setting bills retainer clients?"


def _question_kw(kind: QuestionKind, n: int) -> dict[str, Any]:
    if kind == QuestionKind.SINGLE:
        return {"choices": "* Recurring invoices\nOne-off invoice\nProposals\nTime entries"}
    if kind == QuestionKind.MULTIPLE:
        return {"choices": "* Card\n* Bank transfer\nCheque by post\n* Saved card (auto-pay)"}
    if kind == QuestionKind.TRUE_FALSE:
        return {"accepted": "true" if n % 2 else "false"}
    if kind == QuestionKind.SHORT_TEXT:
        return {"accepted": "auto-pay\nautopay\nauto pay"}
    return {"number": 25 + n, "tolerance": 0.5}


def practice_quiz() -> Quiz:
    """The quiz of QUESTIONS questions on the second demo course's last module."""
    course = db.session.scalar(select(Course).where(Course.slug == COURSE_SLUG))
    if course is None:
        raise SystemExit(f"no course {COURSE_SLUG!r}: run `flask demo seed` first")
    quiz = db.session.scalar(select(Quiz).where(Quiz.title == QUIZ_TITLE))
    if quiz is None:
        module = db.session.scalar(
            select(Module).where(Module.course_id == course.id).order_by(Module.position.desc())
        )
        quiz = services.save_quiz(
            None,
            course,
            {
                "title": QUIZ_TITLE,
                "module_id": module.id if module else None,
                "pass_mark": 70,
                "attempts_allowed": 0,  # unlimited: the attempt below is always allowed
                "shuffle_answers": True,
            },
        )
        for n in range(1, QUESTIONS + 1):
            kind = _KINDS[(n - 1) % len(_KINDS)]
            services.save_question(None, quiz, kind=kind, prompt=prompt(n), **_question_kw(kind, n))
    loaded = services.load_quiz(quiz.id)
    assert loaded is not None
    return loaded


def open_attempt(quiz: Quiz) -> int:
    """The demo client's attempt on the quiz, open, with ANSWERED answers saved."""
    client = find_user_by_email(CLIENT)
    if client is None:
        raise SystemExit(f"no {CLIENT}: run `flask demo seed` first")
    attempt = services.start_attempt(client, quiz)
    if attempt.submitted_at is not None:
        raise SystemExit(f"the attempt on {QUIZ_TITLE!r} is already submitted")
    if not services.attempt_answers(attempt):
        answers: dict[str, list[str]] = {}
        for question, choices in services.attempt_questions(attempt, quiz)[:ANSWERED]:
            if choices:
                answers[f"q{question.id}"] = [str(choices[0].id)]
            elif question.kind == QuestionKind.NUMERIC:
                answers[f"q{question.id}"] = [str(question.number)]
            else:
                answers[f"q{question.id}"] = [question.accepted.splitlines()[0]]
        services.save_answers(attempt, quiz, answers)
    return attempt.id


def feed_token() -> str:
    client = find_user_by_email(CLIENT)
    assert client is not None
    return client.calendar_token or new_feed_token(client)


def prepare() -> dict[str, Any]:
    """Inside an app context: make what is missing, return the values for PAGES' paths."""
    quiz = practice_quiz()
    return {
        "quiz": quiz.id,
        "attempt": open_attempt(quiz),
        "feed_token": feed_token(),
        "first_prompt": prompt(1),
        "last_prompt": prompt(QUESTIONS),
    }


def main() -> int:
    app = create_app()
    with app.app_context():
        facts = prepare()
        db.session.remove()
        db.engine.dispose()
    print(json.dumps(facts))
    return 0


if __name__ == "__main__":
    sys.exit(main())
