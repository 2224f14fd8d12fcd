"""What the Academy's pages read. Each function is one query (with the loads it names), so a
page's statement count does not grow with the data (ARCHITECTURE 4)."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from typing import Any, NamedTuple

from sqlalchemy import (
    Integer,
    Row,
    Select,
    and_,
    bindparam,
    case,
    exists,
    func,
    or_,
    select,
)
from sqlalchemy.orm import selectinload

from academy.core.pagination import pageable
from academy.core.sql import rows
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
)
from academy.extensions import db

# A course's outline names its lessons: their bodies are loaded only for the lesson shown
# (lesson_with_attachments), not for every lesson of the course on every page.
_OUTLINE = (
    selectinload(Course.modules).selectinload(Module.lessons).defer(Lesson.body, raiseload=True),
    selectinload(Course.quizzes),
)


# --- Courses and lessons -------------------------------------------------------------------------


def course_by_slug(slug: str) -> Course | None:
    """A course, published or not, with its outline (modules, lessons, quizzes)."""
    return db.session.scalar(select(Course).where(Course.slug == slug).options(*_OUTLINE))


def course_outline(course_id: int) -> Course | None:
    return db.session.scalar(select(Course).where(Course.id == course_id).options(*_OUTLINE))


# A catalogue card: what it shows of a course, and the viewer's progress in it (lessons,
# lessons done, a certificate held), for a page of courses in one statement. A visitor's
# viewer id is NULL: nothing done, nothing held.
_VIEWER = bindparam("viewer", type_=Integer)
_CARDS = pageable(
    select(
        Course.id,
        Course.slug,
        Course.title,
        Course.summary,
        Course.level,
        Course.product_area,
        Course.cover_image,
        Course.estimated_minutes,
        select(func.count(Lesson.id))
        .where(Lesson.course_id == Course.id)
        .scalar_subquery()
        .label("lessons"),
        select(func.count(LessonCompletion.id))
        .where(LessonCompletion.user_id == _VIEWER, LessonCompletion.course_id == Course.id)
        .scalar_subquery()
        .label("done"),
        exists()
        .where(Certificate.user_id == _VIEWER, Certificate.course_id == Course.id)
        .label("completed"),
    )
    .where(Course.published)
    .order_by(Course.title, Course.id)
)


def catalogue(text: str, level: str | None, area: str | None) -> Select[Any]:
    """The cards of published courses whose title or summary contains `text`, by title
    (params: viewer, the viewer's id or None; pageable)."""
    query = _CARDS
    if text:
        escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        like = f"%{escaped}%"
        query = query.where(
            or_(Course.title.ilike(like, escape="\\"), Course.summary.ilike(like, escape="\\"))
        )
    if level:
        query = query.where(Course.level == level)
    if area:
        query = query.where(Course.product_area == area)
    return query


def all_courses() -> Select:
    """Every course, drafts too (the staff list)."""
    return select(Course).order_by(Course.title, Course.id)


_LAST_COURSE = (
    select(Course.slug, Course.title)
    .join(LessonCompletion, LessonCompletion.course_id == Course.id)
    .where(LessonCompletion.user_id == bindparam("user_id"), Course.published)
    .order_by(LessonCompletion.completed_at.desc(), LessonCompletion.id.desc())
    .limit(1)
)


def last_course(user_id: int) -> Row[Any] | None:
    """The published course (slug, title) the user last completed a lesson of ("continue
    where you left off")."""
    return rows(_LAST_COURSE, {"user_id": user_id}).first()


def done_lessons(user_id: int, course_id: int) -> set[int]:
    return set(
        db.session.scalars(
            select(LessonCompletion.lesson_id).where(
                LessonCompletion.user_id == user_id, LessonCompletion.course_id == course_id
            )
        )
    )


def lesson(lesson_id: int) -> Lesson | None:
    return db.session.get(Lesson, lesson_id)


def lesson_with_attachments(lesson_id: int) -> Lesson | None:
    return db.session.scalar(
        select(Lesson).where(Lesson.id == lesson_id).options(selectinload(Lesson.attachments))
    )


class CourseHead(NamedTuple):
    id: int
    slug: str
    title: str
    published: bool


class LessonLink(NamedTuple):
    id: int
    title: str


class LessonShown(NamedTuple):
    id: int
    title: str
    body: str
    video_url: str


@dataclass(frozen=True)
class LessonPage:
    """A lesson's page: its course, the course's outline (lessons in order), which of them
    the viewer completed, and the lesson itself."""

    course: CourseHead
    lessons: list[LessonLink]
    done: set[int]
    lesson: LessonShown


# The course, its lessons in the outline's order (modules, then lessons, by position) with
# the viewer's completions, and the body of the one lesson shown: one row per lesson.
_LESSON_PAGE = (
    select(
        Course.id.label("course_id"),
        Course.slug,
        Course.title.label("course_title"),
        Course.published,
        Lesson.id,
        Lesson.title,
        LessonCompletion.id.is_not(None).label("done"),
        case((Lesson.id == bindparam("lesson_id"), Lesson.body), else_="").label("body"),
        Lesson.video_url,
    )
    .join(Module, Module.course_id == Course.id)
    .join(Lesson, Lesson.module_id == Module.id)
    .outerjoin(
        LessonCompletion,
        and_(
            LessonCompletion.lesson_id == Lesson.id,
            LessonCompletion.user_id == bindparam("user_id"),
        ),
    )
    .where(Course.slug == bindparam("slug"))
    .order_by(Module.position, Module.id, Lesson.position, Lesson.id)
)
_ATTACHMENTS = (
    select(Attachment.title, Attachment.url)
    .where(Attachment.lesson_id == bindparam("lesson_id"))
    .order_by(Attachment.position)
)


def lesson_page(slug: str, lesson_id: int, user_id: int) -> LessonPage | None:
    """The page of lesson `lesson_id` of the course `slug` (published or not) for `user_id`,
    or None if the course has no such lesson."""
    course = None
    lessons: list[LessonLink] = []
    done: set[int] = set()
    shown = None
    params = {"slug": slug, "lesson_id": lesson_id, "user_id": user_id}
    for cid, cslug, ctitle, published, lid, title, completed, body, video in rows(
        _LESSON_PAGE, params
    ):
        course = course or CourseHead(cid, cslug, ctitle, published)
        lessons.append(LessonLink(lid, title))
        if completed:
            done.add(lid)
        if lid == lesson_id:
            shown = LessonShown(lid, title, body, video)
    if course is None or shown is None:
        return None
    return LessonPage(course, lessons, done, shown)


def attachments(lesson_id: int) -> list[Row[Any]]:
    """A lesson's attachments in order (title, url)."""
    return list(rows(_ATTACHMENTS, {"lesson_id": lesson_id}))


def lesson_course_id(lesson_id: int) -> int | None:
    return db.session.scalar(select(Lesson.course_id).where(Lesson.id == lesson_id))


# --- Quizzes -----------------------------------------------------------------------------------


def quiz_course_id(quiz_id: int) -> int | None:
    return db.session.scalar(select(Quiz.course_id).where(Quiz.id == quiz_id))


def passed_quizzes(user_id: int, quiz_ids: Collection[int]) -> set[int]:
    if not quiz_ids:
        return set()
    return set(
        db.session.scalars(
            select(Attempt.quiz_id).where(
                Attempt.user_id == user_id, Attempt.quiz_id.in_(quiz_ids), Attempt.passed
            )
        )
    )


def attempt(attempt_id: int) -> Attempt | None:
    return db.session.get(Attempt, attempt_id)


# The quiz page of an open attempt reads two sets of rows, not the quiz's whole object graph.
_SHEET = (
    select(
        Attempt.id,
        Attempt.quiz_id,
        Attempt.number,
        Attempt.seed,
        Attempt.question_ids,
        Attempt.deadline,
        Attempt.submitted_at,
        Quiz.title.label("quiz_title"),
        Quiz.pass_mark,
        Quiz.shuffle_answers,
        Course.slug.label("course_slug"),
        Course.title.label("course_title"),
        Course.published.label("course_published"),
    )
    .join(Quiz, Quiz.id == Attempt.quiz_id)
    .join(Course, Course.id == Quiz.course_id)
    .where(Attempt.id == bindparam("attempt_id"), Attempt.user_id == bindparam("user_id"))
)
# Every question of the quiz with its choices in order and the answer saved for it; never
# whether a choice is right (the page must not know).
_SHEET_QUESTIONS = (
    select(
        Question.id,
        Question.kind,
        Question.prompt,
        Choice.id.label("choice_id"),
        Choice.text.label("choice_text"),
        Answer.value.label("answer"),
    )
    .outerjoin(Choice, Choice.question_id == Question.id)
    .outerjoin(
        Answer,
        and_(Answer.question_id == Question.id, Answer.attempt_id == bindparam("attempt_id")),
    )
    .where(Question.quiz_id == bindparam("quiz_id"))
    .order_by(Question.position, Question.id, Choice.position, Choice.id)
)


def attempt_sheet(attempt_id: int, user_id: int) -> Row[Any] | None:
    """`user_id`'s attempt with what its page shows of the quiz and the course, or None
    (someone else's attempt is not found either)."""
    return rows(_SHEET, {"attempt_id": attempt_id, "user_id": user_id}).first()


def sheet_questions(attempt_id: int, quiz_id: int) -> list[Row[Any]]:
    """One row per choice (one for a question without choices), in the quiz's order."""
    return list(rows(_SHEET_QUESTIONS, {"attempt_id": attempt_id, "quiz_id": quiz_id}))


def question_with_choices(question_id: int) -> Question | None:
    return db.session.scalar(
        select(Question).where(Question.id == question_id).options(selectinload(Question.choices))
    )


def extra_grants(quiz_id: int) -> list[ExtraAttempt]:
    """The extra attempts staff granted at a quiz, newest first, with who and by whom."""
    return list(
        db.session.scalars(
            select(ExtraAttempt)
            .where(ExtraAttempt.quiz_id == quiz_id)
            .options(selectinload(ExtraAttempt.user), selectinload(ExtraAttempt.granted_by))
            .order_by(ExtraAttempt.created_at.desc())
        )
    )


# --- Certificates ------------------------------------------------------------------------------


def certificate_of(user_id: int, course_id: int) -> Certificate | None:
    return db.session.scalar(
        select(Certificate).where(
            Certificate.user_id == user_id, Certificate.course_id == course_id
        )
    )


def certificates_of(user_id: int) -> list[Certificate]:
    return list(
        db.session.scalars(
            select(Certificate)
            .where(Certificate.user_id == user_id)
            .order_by(Certificate.issued_at.desc())
        )
    )


def certificate_by_code(code: str) -> Certificate | None:
    return db.session.scalar(select(Certificate).where(Certificate.code == code))
