"""Taking a quiz: its page, an attempt (saved as the client goes), submitting, the result.
Scoring is the server's (academy.courses.services and scoring); these pages only show it."""

from __future__ import annotations

import math
from typing import Any

from flask import abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from flask_wtf.csrf import generate_csrf

from academy.core.clock import now
from academy.core.errors import DomainError
from academy.core.security import not_activity
from academy.courses import queries, scoring, services
from academy.courses.blueprint import access, bp, is_staff, refused, wants_json
from academy.courses.models import Attempt, Quiz


def _quiz(quiz_id: int) -> Quiz:
    quiz = services.load_quiz(quiz_id)
    if quiz is None or not (quiz.course.published or is_staff()):
        abort(404)
    return quiz


def _own_attempt(attempt_id: int) -> Attempt:
    """Someone else's attempt is a 404, as if it did not exist (ARCHITECTURE 8)."""
    attempt = queries.attempt(attempt_id)
    if attempt is None or attempt.user_id != current_user.id:
        abort(404)
    return attempt


@bp.get("/academy/quizzes/<int:quiz_id>")
@login_required
def quiz(quiz_id: int) -> Any:
    item = _quiz(quiz_id)
    if not (decision := access()):
        return refused(decision)
    standing = services.standing(current_user, item)
    open_attempt = standing.open_attempt
    return render_template(
        "courses/quiz.html",
        quiz=item,
        attempts=standing.attempts,
        open_attempt=open_attempt,
        open_expired=open_attempt is not None
        and not scoring.accepts_answers(open_attempt.deadline, now()),
        rule=standing.rule,
        why=services.explain_attempt(standing.rule),
        left=standing.left,
        count=min(item.draw_count or len(item.questions), len(item.questions)),
    )


@bp.post("/academy/quizzes/<int:quiz_id>/start")
@login_required
def start(quiz_id: int) -> Any:
    item = _quiz(quiz_id)
    if not (decision := access()):
        return refused(decision)
    try:
        attempt = services.start_attempt(current_user, item)
    except DomainError as error:
        flash(error.message, "error")
        return redirect(url_for(".quiz", quiz_id=quiz_id))
    if attempt.submitted_at is not None:  # its time had run out: scored, show the result
        return redirect(url_for(".result", attempt_id=attempt.id))
    return redirect(url_for(".attempt", attempt_id=attempt.id))


@bp.get("/academy/attempts/<int:attempt_id>")
@login_required
def attempt(attempt_id: int) -> Any:
    # The checks of _own_attempt and _quiz, in their order, on rows read for this page only.
    item = queries.attempt_sheet(attempt_id, current_user.id)
    if item is None:  # someone else's attempt is a 404, as if it did not exist
        abort(404)
    if not (decision := access()):
        return refused(decision)
    if item.submitted_at is not None:
        return redirect(url_for(".result", attempt_id=item.id))
    if not (item.course_published or is_staff()):
        abort(404)
    # Past the deadline: the page says so and offers only Submit (GET changes nothing).
    at = now()
    expired = not scoring.accepts_answers(item.deadline, at)
    questions, answers = services.attempt_sheet(
        item, queries.sheet_questions(item.id, item.quiz_id)
    )
    return render_template(
        "courses/attempt.html",
        attempt=item,
        questions=questions,
        answers=answers,
        expired=expired,
        remaining=(
            max(0, math.ceil((item.deadline - at).total_seconds())) if item.deadline else None
        ),
    )


def _save_reply(saved: bool, message: str, status: int = 200, retry: bool = False) -> Any:
    """The autosave's answer, with a fresh CSRF token: a token expires an hour after the page
    was loaded (WTF_CSRF_TIME_LIMIT), and an untimed quiz may take longer than that."""
    reply = jsonify(saved=saved, message=message, retry=retry, csrf_token=generate_csrf())
    reply.headers["Cache-Control"] = "no-store"
    return reply, status


@bp.get("/academy/attempts/<int:attempt_id>/token")
@not_activity  # asked every 20 minutes by the page: only answers keep a session alive
@login_required
def attempt_token(attempt_id: int) -> Any:
    """A fresh CSRF token for the quiz page's form (a long quiz outlives the page's one)."""
    _own_attempt(attempt_id)
    reply = jsonify(csrf_token=generate_csrf())
    reply.headers["Cache-Control"] = "no-store"
    return reply


@bp.post("/academy/attempts/<int:attempt_id>/save")
@login_required
def save(attempt_id: int) -> Any:
    item = _own_attempt(attempt_id)
    if not (decision := access()):
        return refused(decision)
    quiz = _quiz(item.quiz_id)
    try:
        accepted = services.save_answers(item, quiz, request.form.to_dict(flat=False))
    except DomainError as error:  # submitted meanwhile, or not saved: say so, honestly
        if wants_json():
            return _save_reply(False, error.message, 409, isinstance(error, services.NotSaved))
        flash(error.message, "error")
        return redirect(url_for(".attempt", attempt_id=item.id))  # the result, if submitted
    if not accepted:
        message = _("The time limit has passed; answers saved before it count.")
        if wants_json():
            return _save_reply(False, message, 409)
        flash(message, "error")
        return redirect(url_for(".attempt", attempt_id=item.id))
    if wants_json():
        return _save_reply(True, _("All answers saved."))
    flash(_("Your answers are saved."), "success")
    return redirect(url_for(".attempt", attempt_id=item.id))


@bp.post("/academy/attempts/<int:attempt_id>/submit")
@login_required
def submit(attempt_id: int) -> Any:
    item = _own_attempt(attempt_id)
    if not (decision := access()):
        return refused(decision)
    quiz = _quiz(item.quiz_id)
    try:
        # The submit button sends the form too: its answers count, if still in time.
        services.submit_with_answers(item, quiz, request.form.to_dict(flat=False))
    except DomainError as error:  # not saved: nothing is scored without them
        flash(error.message, "error")
        return redirect(url_for(".attempt", attempt_id=item.id))
    return redirect(url_for(".result", attempt_id=item.id))


@bp.get("/academy/attempts/<int:attempt_id>/result")
@login_required
def result(attempt_id: int) -> Any:
    item = _own_attempt(attempt_id)
    if item.submitted_at is None:
        return redirect(url_for(".attempt", attempt_id=item.id))
    quiz = _quiz(item.quiz_id)
    standing = services.standing(current_user, quiz)
    review = scoring.review_visible(
        quiz.review_mode, passed=item.passed, attempts_left=standing.left
    )
    certificate = queries.certificate_of(current_user.id, quiz.course_id) if item.passed else None
    return render_template(
        "courses/result.html",
        attempt=item,
        quiz=quiz,
        left=standing.left,
        rule=standing.rule,
        why=services.explain_attempt(standing.rule),
        review=review,
        answers=services.attempt_answers(item),
        certificate=certificate,
        questions=services.attempt_questions(item, quiz),
    )
