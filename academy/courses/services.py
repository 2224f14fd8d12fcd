"""What people do in the Academy: author courses, complete lessons, take quizzes, earn
certificates. Each function is one thing a person would name, in one transaction."""

from __future__ import annotations

import random
import re
import secrets
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, NamedTuple
from urllib.parse import parse_qs, urlsplit

from flask_babel import gettext as _
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from academy.accounts.models import User
from academy.core.clock import now
from academy.core.errors import DomainError
from academy.core.sql import insert_unless_exists
from academy.core.text import slugify
from academy.core.timezones import localtime
from academy.courses import kinds, scoring
from academy.courses.models import (
    Answer,
    Attachment,
    Attempt,
    Certificate,
    Choice,
    Course,
    ExtraAttempt,
    Lesson,
    LessonCompletion,
    Module,
    Question,
    Quiz,
    drawn_ids,
)
from academy.extensions import db

# --- Video embeds -------------------------------------------------------------------------------

VIDEO_HOSTS = ("YouTube", "Vimeo", "Wistia")
FRAME_SOURCES = (
    "https://www.youtube-nocookie.com",
    "https://player.vimeo.com",
    "https://fast.wistia.net",
)
_YOUTUBE_ID = re.compile(r"^[A-Za-z0-9_-]{6,20}$")
_NUMERIC_ID = re.compile(r"^\d{3,15}$")
_WISTIA_ID = re.compile(r"^[a-z0-9]{6,20}$")


def embed_url(url: str) -> str | None:
    """The player address for a video page on an allowed host, or None."""
    parts = urlsplit((url or "").strip())
    if parts.scheme != "https" or not parts.hostname:
        return None
    host = parts.hostname.lower().removeprefix("www.").removeprefix("m.")
    path = [p for p in parts.path.split("/") if p]
    video = ""
    if host in {"youtube.com", "youtube-nocookie.com"}:
        if path[:1] == ["watch"]:
            video = parse_qs(parts.query).get("v", [""])[0]
        elif len(path) == 2 and path[0] in {"embed", "shorts", "live"}:
            video = path[1]
        return f"{FRAME_SOURCES[0]}/embed/{video}" if _YOUTUBE_ID.match(video) else None
    if host == "youtu.be":
        video = path[0] if len(path) == 1 else ""
        return f"{FRAME_SOURCES[0]}/embed/{video}" if _YOUTUBE_ID.match(video) else None
    if host in {"vimeo.com", "player.vimeo.com"}:
        video = path[-1] if path else ""
        return f"{FRAME_SOURCES[1]}/video/{video}" if _NUMERIC_ID.match(video) else None
    if host == "fast.wistia.net" or host.endswith(".wistia.com") or host == "wistia.com":
        if len(path) >= 2 and path[-2] in {"medias", "iframe"}:
            video = path[-1]
        return f"{FRAME_SOURCES[2]}/embed/iframe/{video}" if _WISTIA_ID.match(video) else None
    return None


def check_video(url: str) -> str:
    url = (url or "").strip()
    if url and embed_url(url) is None:
        raise DomainError(
            _(
                "Use a video page on YouTube, Vimeo or Wistia (an https:// address); "
                "other sites cannot be embedded."
            ),
            field="video_url",
        )
    return url


def parse_attachments(text: str) -> list[tuple[str, str]]:
    """Attachments as staff type them: one per line, "Title | https://address"."""
    found = []
    for line in (text or "").splitlines():
        if not line.strip():
            continue
        title, sep, url = line.rpartition("|")
        title, url = title.strip(), url.strip()
        if not sep or not title or urlsplit(url).scheme not in {"https", "http"}:
            raise DomainError(
                _("Write each attachment as “Title | https://address”: %(line)s", line=line[:80]),
                field="attachments",
            )
        found.append((title[:200], url[:500]))
    return found


# --- Authoring ----------------------------------------------------------------------------------


def _commit_outline() -> None:
    """Commit an authoring change and forget what was loaded (the session keeps objects
    after a commit): the next page loads the outline as it now is."""
    db.session.commit()
    db.session.expire_all()


def save_course(course: Course | None, values: Mapping[str, object]) -> Course:
    if course is None:
        course = Course()
        base = slugify(str(values["title"])) or "course"
        if base == "certificates":  # /academy/certificates is the list of one's certificates
            base = "certificates-course"
        taken = set(
            db.session.scalars(
                select(Course.slug).where(Course.slug.like(f"{base}%"))  # slugs: [a-z0-9-]
            )
        )
        slug, n = base, 2
        while slug in taken:
            slug, n = f"{base}-{n}", n + 1
        course.slug = slug
        db.session.add(course)
    for name, value in values.items():
        setattr(course, name, value)
    _commit_outline()
    return course


def add_module(course: Course, title: str) -> Module:
    last = db.session.scalar(select(func.max(Module.position)).where(Module.course_id == course.id))
    module = Module(course_id=course.id, title=title, position=(last or 0) + 1)
    db.session.add(module)
    _commit_outline()
    return module


def save_lesson(
    lesson: Lesson | None,
    course: Course,
    *,
    module_id: int,
    title: str,
    body: str,
    video_url: str,
    attachments: str,
) -> Lesson:
    """Save a lesson of `course` (its outline loaded) in one of its modules."""
    module = next((m for m in course.modules if m.id == module_id), None)
    if module is None:
        raise DomainError(_("Choose a module of this course."), field="module_id")
    video_url = check_video(video_url)
    files = parse_attachments(attachments)
    if lesson is None:
        last = db.session.scalar(
            select(func.max(Lesson.position)).where(Lesson.module_id == module.id)
        )
        lesson = Lesson(module_id=module.id, course_id=module.course_id, position=(last or 0) + 1)
        lesson.attachments = []
        db.session.add(lesson)
    lesson.module_id, lesson.course_id = module.id, module.course_id
    lesson.title, lesson.body, lesson.video_url = title, body, video_url
    lesson.attachments = [
        Attachment(title=t, url=u, position=i) for i, (t, u) in enumerate(files, start=1)
    ]
    _commit_outline()
    return lesson


def move_lesson(lesson: Lesson, offset: int) -> None:
    """Swap a lesson with its neighbour in the module (offset -1: up, +1: down)."""
    siblings = list(
        db.session.scalars(
            select(Lesson)
            .where(Lesson.module_id == lesson.module_id)
            .order_by(Lesson.position, Lesson.id)
        )
    )
    i = siblings.index(lesson)
    j = i + (1 if offset > 0 else -1)
    if 0 <= j < len(siblings):
        siblings[i], siblings[j] = siblings[j], siblings[i]
    for position, item in enumerate(siblings, start=1):
        item.position = position
    _commit_outline()


def save_quiz(quiz: Quiz | None, course: Course, values: Mapping[str, object]) -> Quiz:
    module_id = values.get("module_id")
    if module_id is not None and module_id not in {
        m for (m,) in db.session.execute(select(Module.id).where(Module.course_id == course.id))
    }:
        raise DomainError(_("Choose a module of this course."), field="module_id")
    required_before = None if quiz is None else quiz.required
    if quiz is None:
        quiz = Quiz(course_id=course.id)
        db.session.add(quiz)
    for name, value in values.items():
        setattr(quiz, name, value)
    _commit_outline()
    if required_before is not None and values.get("required", required_before) != required_before:
        # A quiz made optional may complete the course for clients who passed the others.
        issue_due_certificates(course.id)
    return quiz


def save_question(
    question: Question | None,
    quiz: Quiz,
    *,
    kind: str,
    prompt: str,
    choices: str = "",
    accepted: str = "",
    number: float | None = None,
    tolerance: float | None = None,
) -> Question:
    """Save a question as staff typed it; its kind says what the set-up must be."""
    draft = kinds.Draft(choices=choices, accepted=accepted, number=number, tolerance=tolerance)
    try:
        setup = kinds.kind_of(kind).set_up(draft)
    except kinds.SetupError as error:
        raise DomainError(_(error.reason), field=error.field) from None
    parsed = list(setup.choices)
    kept, removed = _match_choices(list(question.choices) if question else [], parsed)
    _refuse_removing_chosen(question, removed)
    if question is None:
        last = db.session.scalar(
            select(func.max(Question.position)).where(Question.quiz_id == quiz.id)
        )
        question = Question(quiz_id=quiz.id, position=(last or 0) + 1)
        question.choices = []
        db.session.add(question)
    question.kind, question.prompt = kind, prompt
    question.accepted, question.number = setup.accepted, setup.number
    question.tolerance = setup.tolerance
    # In place: answers saved in open attempts and past reviews point at these ids, so an
    # edit keeps them and adds or removes only the difference.
    for choice in removed:
        question.choices.remove(choice)  # delete-orphan: gone, and no answer chose it
    for position, (choice, (text, ok)) in enumerate(zip(kept, parsed, strict=True), start=1):
        if choice is None:
            question.choices.append(Choice(text=text, correct=ok, position=position))
        else:
            choice.text, choice.correct, choice.position = text, ok, position
    _commit_outline()
    return question


def _match_choices(
    existing: list[Choice], parsed: list[tuple[str, bool]]
) -> tuple[list[Choice | None], list[Choice]]:
    """Which stored choice each typed line keeps: the one with the same text, else the next
    unmatched one in order (a reworded answer); None is a new choice. And those left over."""
    free = list(existing)
    kept: list[Choice | None] = []
    for text, _ok in parsed:
        same = next((c for c in free if c.text == text), None)
        if same is not None:
            free.remove(same)
        kept.append(same)
    unmatched = [i for i, c in enumerate(kept) if c is None]
    for i, choice in zip(unmatched, list(free), strict=False):
        kept[i] = choice
        free.remove(choice)
    return kept, free


def _refuse_removing_chosen(question: Question | None, removed: list[Choice]) -> None:
    """Answers are kept as choice ids: a choice some client chose cannot be deleted."""
    if question is None or not removed:
        return
    chosen: set[int] = set()
    for value in db.session.scalars(
        select(Answer.value).where(Answer.question_id == question.id, Answer.value != "").distinct()
    ):
        chosen.update(kinds.parse_choice_ids(value))
    kept = [c.text for c in removed if c.id in chosen]
    if kept:
        raise DomainError(
            _(
                "Clients have already chosen these answers, so they cannot be removed: "
                "%(answers)s. Keep them (you may change their text), then add new ones below.",
                answers="; ".join(t[:80] for t in kept),
            ),
            field="choices",
        )


def grant_extra_attempt(staff: User, quiz: Quiz, email: str, reason: str) -> ExtraAttempt:
    client = db.session.scalar(select(User).where(func.lower(User.email) == email.strip().lower()))
    if client is None:
        raise DomainError(_("No user has this email address."), field="email")
    grant = ExtraAttempt(
        quiz_id=quiz.id, user_id=client.id, granted_by_id=staff.id, reason=reason.strip()
    )
    db.session.add(grant)
    db.session.commit()
    return grant


# --- Progress ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Progress:
    done: int
    total: int

    @property
    def percent(self) -> int:
        return 0 if not self.total else round(100 * self.done / self.total)


def complete_lesson(user: User, lesson: Lesson) -> None:
    """Mark a lesson done; twice (two tabs) is the same as once: the database keeps one row
    (a conflicting insert does nothing, so the page that follows still has what it loaded)."""
    insert_unless_exists(
        LessonCompletion, user_id=user.id, course_id=lesson.course_id, lesson_id=lesson.id
    )
    db.session.commit()


# --- Quizzes -----------------------------------------------------------------------------------


def load_quiz(quiz_id: int) -> Quiz | None:
    return db.session.scalar(
        select(Quiz)
        .where(Quiz.id == quiz_id)
        .options(
            selectinload(Quiz.course),
            selectinload(Quiz.questions).selectinload(Question.choices),
        )
    )


def key_for(question: Question) -> kinds.Key:
    return kinds.Key(
        kind=question.kind,
        correct_choices=frozenset(c.id for c in question.choices if c.correct),
        accepted=tuple(question.accepted.splitlines()),
        number=question.number,
        tolerance=question.tolerance,
    )


def past_attempts(user_id: int, quiz_id: int) -> list[Attempt]:
    return list(
        db.session.scalars(
            select(Attempt)
            .where(Attempt.user_id == user_id, Attempt.quiz_id == quiz_id)
            .order_by(Attempt.number)
        )
    )


def extra_attempts(user_id: int, quiz_id: int) -> int:
    return (
        db.session.scalar(
            select(func.count(ExtraAttempt.id)).where(
                ExtraAttempt.user_id == user_id, ExtraAttempt.quiz_id == quiz_id
            )
        )
        or 0
    )


def start_decision(
    user: User, quiz: Quiz, attempts: list[Attempt], extra: int | None = None
) -> scoring.AttemptDecision:
    """May `user` start a new attempt, after `attempts`? (`extra`: the attempts staff granted,
    when the caller has counted them already.)"""
    past = [
        scoring.PastAttempt(a.started_at, a.submitted_at, a.passed)
        for a in attempts
        if a.submitted_at is not None
    ]
    return scoring.may_start(
        past,
        allowed=quiz.attempts_allowed,
        extra=extra_attempts(user.id, quiz.id) if extra is None else extra,
        wait=timedelta(minutes=quiz.wait_minutes),
        at=now(),
    )


@dataclass(frozen=True)
class Standing:
    """A client's attempts at a quiz, whether a new one may start, and how many are left."""

    attempts: list[Attempt]
    rule: scoring.AttemptDecision
    left: int | None  # None: unlimited

    @property
    def open_attempt(self) -> Attempt | None:
        return next((a for a in self.attempts if a.submitted_at is None), None)


def standing(user: User, quiz: Quiz) -> Standing:
    attempts = past_attempts(user.id, quiz.id)
    extra = extra_attempts(user.id, quiz.id)
    used = sum(1 for a in attempts if a.submitted_at is not None)
    return Standing(
        attempts,
        start_decision(user, quiz, attempts, extra),
        scoring.attempts_left(used, quiz.attempts_allowed, extra),
    )


def explain_attempt(decision: scoring.AttemptDecision) -> str:
    """A refusal in the viewer's language, an instant as local time naming the zone."""
    params = {
        k: localtime(v, "full") if isinstance(v, datetime) else v
        for k, v in decision.params.items()
    }
    return _(decision.reason, **params) if decision.reason else ""


def start_attempt(user: User, quiz: Quiz) -> Attempt:
    """The open attempt, or a new one if the rules allow it (attempts, wait).

    An open attempt whose time ran out is scored and returned, submitted: "Continue" on it
    shows its result rather than starting another timed attempt."""
    attempts = past_attempts(user.id, quiz.id)
    for attempt in attempts:
        if attempt.submitted_at is None:
            if scoring.accepts_answers(attempt.deadline, now()):
                return attempt
            return submit_attempt(attempt, quiz)
    decision = start_decision(user, quiz, attempts)
    if not decision:
        raise DomainError(explain_attempt(decision))
    if not quiz.questions:
        raise DomainError(_("This quiz has no questions yet."))
    seed = random.SystemRandom().randrange(1, 2**31)
    started = now()
    limit = timedelta(minutes=quiz.time_limit_minutes) if quiz.time_limit_minutes else None
    drawn = scoring.draw_questions(
        [q.id for q in quiz.questions], seed, quiz.draw_count, quiz.shuffle_questions
    )
    attempt = Attempt(
        quiz_id=quiz.id,
        user_id=user.id,
        number=len(attempts) + 1,
        seed=seed,
        question_ids=",".join(map(str, drawn)),
        started_at=started,
        deadline=scoring.deadline(started, limit),
    )
    db.session.add(attempt)
    try:
        db.session.commit()
    except IntegrityError:  # another tab started it a moment ago: use that one
        db.session.rollback()
        latest = past_attempts(user.id, quiz.id)
        # ... even if that tab has already submitted it (then its result is shown).
        attempt = next((a for a in latest if a.submitted_at is None), None) or latest[-1]
    return attempt


def attempt_questions(attempt: Attempt, quiz: Quiz) -> list[tuple[Question, list[Choice]]]:
    """The attempt's questions in the order drawn, each with its choices in the order shown
    (the same on every reload). A question deleted since the draw is left out."""
    questions = {q.id: (q, q.choices) for q in quiz.questions}
    return _in_order(attempt.drawn, questions, attempt.seed, quiz.shuffle_answers)


def _in_order(
    drawn: Sequence[int],
    questions: Mapping[int, tuple[Any, Sequence[Any]]],
    seed: int,
    shuffle: bool,
) -> list[tuple[Any, list[Any]]]:
    shown = []
    for qid in drawn:
        found = questions.get(qid)
        if found is None:
            continue
        question, choices = found
        by_id = {c.id: c for c in choices}
        order = scoring.choice_order(list(by_id), seed, qid, shuffle)
        shown.append((question, [by_id[i] for i in order]))
    return shown


class ShownQuestion(NamedTuple):
    id: int
    kind: str
    prompt: str


class ShownChoice(NamedTuple):
    id: int
    text: str


def attempt_sheet(
    attempt: Any, rows: Iterable[Any]
) -> tuple[list[tuple[ShownQuestion, list[ShownChoice]]], dict[int, str]]:
    """The quiz page of an open attempt (queries.attempt_sheet) from its questions' rows
    (queries.sheet_questions): the questions as attempt_questions() orders them, and the
    answers saved so far by question."""
    questions: dict[int, tuple[ShownQuestion, list[ShownChoice]]] = {}
    answers: dict[int, str] = {}
    for qid, kind, prompt, choice_id, choice_text, answer in rows:
        found = questions.get(qid)
        if found is None:
            found = questions[qid] = (ShownQuestion(qid, kind, prompt), [])
            if answer is not None:
                answers[qid] = answer
        if choice_id is not None:
            found[1].append(ShownChoice(choice_id, choice_text))
    drawn = drawn_ids(attempt.question_ids)
    return _in_order(drawn, questions, attempt.seed, attempt.shuffle_answers), answers


def attempt_answers(attempt: Attempt) -> dict[int, Answer]:
    return _saved_answers(attempt.id)


def _saved_answers(attempt_id: int) -> dict[int, Answer]:
    return {
        a.question_id: a
        for a in db.session.scalars(select(Answer).where(Answer.attempt_id == attempt_id))
    }


def clean_response(question: Question, raw: Sequence[str]) -> str:
    """A form's values for one question as stored; its kind says what it keeps."""
    return kinds.kind_of(question.kind).clean(raw, {c.id for c in question.choices})


class NotSaved(DomainError):
    """Nothing was saved, but trying again may work (unlike a submitted attempt)."""


def save_answers(attempt: Attempt, quiz: Quiz, form: Mapping[str, list[str]]) -> bool:
    """Save what the form holds for the attempt's questions (fields q<id>).

    Returns False, saving nothing, once the deadline (plus grace) has passed: what was saved
    by then is what gets scored. Raises DomainError if the attempt was submitted meanwhile or
    the answers could not be saved (then nothing was saved).
    """
    if attempt.submitted_at is not None:
        raise DomainError(_("This attempt has been submitted."))
    at = now()
    if not scoring.accepts_answers(attempt.deadline, at):
        return False
    # Cleaned before any write: a rollback expires the quiz, whose questions are lazy="raise".
    questions = {q.id: q for q in quiz.questions}
    values = {
        qid: clean_response(questions[qid], form[f"q{qid}"])
        for qid in attempt.drawn
        if f"q{qid}" in form and qid in questions
    }
    attempt_id = attempt.id
    for _try in range(2):
        try:
            _write_answers(attempt_id, values, at)
            db.session.commit()
            return True
        except IntegrityError:
            # Another save of this attempt inserted the same answer between our read and our
            # insert: read again and write over it, once.
            db.session.rollback()
    raise NotSaved(_("Your answers could not be saved just now. Please try again."))


def _write_answers(attempt_id: int, values: Mapping[int, str], at: datetime) -> None:
    # Save and submit are exclusive per attempt, settled by the database (ARCHITECTURE 5):
    # this conditional update locks the attempt's row (PostgreSQL) or the database (SQLite)
    # until the commit, and finds nothing once submitted. Submit claims the same row, so an
    # autosave can never change answers after they were scored.
    locked = db.session.execute(
        update(Attempt)
        .where(Attempt.id == attempt_id, Attempt.submitted_at.is_(None))
        .values(seed=Attempt.seed)
        .execution_options(synchronize_session=False)
    )
    if locked.rowcount == 0:
        db.session.rollback()
        raise DomainError(_("This attempt has been submitted."))
    saved = _saved_answers(attempt_id)
    for qid, value in values.items():
        if qid in saved:
            saved[qid].value, saved[qid].saved_at = value, at
        else:
            db.session.add(Answer(attempt_id=attempt_id, question_id=qid, value=value, saved_at=at))
    db.session.flush()


def submit_with_answers(attempt: Attempt, quiz: Quiz, form: Mapping[str, list[str]]) -> Attempt:
    """The Submit button: save the answers it sends (if still in time), then score.

    Raises DomainError, scoring nothing, when they could not be saved and the attempt is
    still open: nothing is scored without them. Submitted already (another tab): as it is."""
    if attempt.submitted_at is not None:
        return attempt
    try:
        save_answers(attempt, quiz, form)
    except DomainError:
        db.session.refresh(attempt)
        if attempt.submitted_at is None:
            raise
        return attempt
    return submit_attempt(attempt, quiz)


def submit_attempt(attempt: Attempt, quiz: Quiz) -> Attempt:
    """Score the attempt on the server with what was saved (by the deadline, if any)."""
    submitted = now()
    if attempt.deadline is not None and not scoring.accepts_answers(attempt.deadline, submitted):
        submitted = attempt.deadline
    # Settled by the database: only the first submission of two at once scores it.
    claimed = db.session.execute(
        update(Attempt)
        .where(Attempt.id == attempt.id, Attempt.submitted_at.is_(None))
        .values(submitted_at=submitted)
    )
    if claimed.rowcount == 0:
        db.session.rollback()
        db.session.refresh(attempt)
        return attempt
    questions = {q.id: q for q in quiz.questions}
    answers = attempt_answers(attempt)
    correct = 0
    drawn = [qid for qid in attempt.drawn if qid in questions]
    for qid in drawn:
        answer = answers.get(qid)
        ok = answer is not None and scoring.is_correct(key_for(questions[qid]), answer.value)
        if answer is not None:
            answer.correct = ok
        correct += ok
    attempt.score = scoring.percent(correct, len(drawn))
    attempt.passed = scoring.has_passed(attempt.score, quiz.pass_mark)
    db.session.commit()
    db.session.refresh(attempt)
    if attempt.passed:
        issue_certificate_if_complete(attempt.user_id, quiz.course_id)
    return attempt


# --- Certificates -------------------------------------------------------------------------------

_CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud, typed by hand


def new_code() -> str:
    raw = "".join(secrets.choice(_CODE_ALPHABET) for _ in range(12))
    return f"TDA-{raw[:4]}-{raw[4:8]}-{raw[8:]}"


def required_quiz_ids(course_id: int) -> list[int]:
    """The quizzes a certificate needs: required ones that have questions (a required quiz
    with none yet cannot be passed, so it must not block everyone)."""
    has_questions = select(Question.id).where(Question.quiz_id == Quiz.id).exists()
    return list(
        db.session.scalars(
            select(Quiz.id).where(Quiz.course_id == course_id, Quiz.required, has_questions)
        )
    )


def certificate_due(user_id: int, course_id: int) -> bool:
    """Every required quiz passed (no certificate yet is the caller's check)."""
    required = required_quiz_ids(course_id)
    if not required:
        return False
    passed = db.session.scalar(
        select(func.count(func.distinct(Attempt.quiz_id))).where(
            Attempt.user_id == user_id, Attempt.quiz_id.in_(required), Attempt.passed
        )
    )
    return passed == len(required)


def claim_certificate(user: User, course: Course) -> Certificate:
    """ "Get my certificate": for a client who passed every required quiz and has none."""
    certificate = issue_certificate_if_complete(user.id, course.id)
    if certificate is None:
        raise DomainError(_("Pass every required quiz of the course to get its certificate."))
    return certificate


ISSUE_BATCH = 200


def issue_due_certificates(course_id: int, limit: int = ISSUE_BATCH) -> int:
    """Certificates for clients who now meet the course's requirements (staff made a quiz
    optional), at most `limit` at a time; the rest get theirs with "Get my certificate".

    A constant number of queries whatever the number of clients."""
    required = required_quiz_ids(course_id)
    if not required:
        return 0
    has_one = select(Certificate.user_id).where(Certificate.course_id == course_id)
    due = (
        select(Attempt.user_id)
        .where(Attempt.quiz_id.in_(required), Attempt.passed, Attempt.user_id.not_in(has_one))
        .group_by(Attempt.user_id)
        .having(func.count(func.distinct(Attempt.quiz_id)) == len(required))
        .order_by(Attempt.user_id)
        .limit(limit)
    )
    users = list(db.session.scalars(due))
    if not users:
        return 0
    best: dict[int, list[int]] = {}
    for user_id, _quiz_id, score in db.session.execute(
        select(Attempt.user_id, Attempt.quiz_id, func.max(Attempt.score))
        .where(Attempt.user_id.in_(users), Attempt.quiz_id.in_(required), Attempt.passed)
        .group_by(Attempt.user_id, Attempt.quiz_id)
    ):
        best.setdefault(user_id, []).append(score or 0)
    names = dict(db.session.execute(select(User.id, User.name).where(User.id.in_(users))).all())
    title = db.session.scalar(select(Course.title).where(Course.id == course_id))
    at = now()
    db.session.add_all(
        Certificate(
            code=new_code(),
            user_id=user_id,
            course_id=course_id,
            name=names[user_id],
            course_title=title,
            score=round(sum(best[user_id]) / len(best[user_id])),
            issued_at=at,
        )
        for user_id in users
    )
    try:
        db.session.commit()
    except IntegrityError:  # one of them got theirs a moment ago: one by one, each once
        db.session.rollback()
        for user_id in users:
            issue_certificate_if_complete(user_id, course_id)
    return len(users)


def issue_certificate_if_complete(user_id: int, course_id: int) -> Certificate | None:
    """Every required quiz of the course passed: a certificate, once (the database keeps one)."""
    required = required_quiz_ids(course_id)
    if not required:
        return None
    best = dict(
        db.session.execute(
            select(Attempt.quiz_id, func.max(Attempt.score))
            .where(Attempt.user_id == user_id, Attempt.quiz_id.in_(required), Attempt.passed)
            .group_by(Attempt.quiz_id)
        ).all()
    )
    if set(best) != set(required):
        return None
    existing = db.session.scalar(
        select(Certificate).where(
            Certificate.user_id == user_id, Certificate.course_id == course_id
        )
    )
    if existing is not None:
        return existing
    user = db.session.get(User, user_id)
    course = db.session.get(Course, course_id)
    certificate = Certificate(
        code=new_code(),
        user_id=user_id,
        course_id=course_id,
        name=user.name,
        course_title=course.title,
        score=round(sum(best.values()) / len(best)),
        issued_at=now(),
    )
    db.session.add(certificate)
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        return db.session.scalar(
            select(Certificate).where(
                Certificate.user_id == user_id, Certificate.course_id == course_id
            )
        )
    return certificate
