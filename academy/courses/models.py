"""Academy: courses of modules and lessons, quizzes, attempts, progress and certificates."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from academy.accounts.models import User
from academy.core.clock import now
from academy.core.types import UTCDateTime
from academy.courses.scoring import DEFAULT_PASS_MARK, ReviewMode
from academy.extensions import db


class Level(StrEnum):
    BEGINNER = "beginner"
    INTERMEDIATE = "intermediate"
    ADVANCED = "advanced"


class Course(db.Model):
    __tablename__ = "courses"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(120), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    summary: Mapped[str] = mapped_column(Text, default="")
    level: Mapped[Level] = mapped_column(String(20), default=Level.BEGINNER)
    product_area: Mapped[str] = mapped_column(String(60), default="", index=True)
    cover_image: Mapped[str] = mapped_column(String(500), default="")
    estimated_minutes: Mapped[int] = mapped_column(Integer, default=30)
    published: Mapped[bool] = mapped_column(Boolean, default=False, index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)

    modules: Mapped[list[Module]] = relationship(
        back_populates="course", lazy="raise", order_by="Module.position, Module.id"
    )
    quizzes: Mapped[list[Quiz]] = relationship(
        back_populates="course", lazy="raise", order_by="Quiz.id"
    )


class Module(db.Model):
    __tablename__ = "course_modules"

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    position: Mapped[int] = mapped_column(default=0)

    course: Mapped[Course] = relationship(back_populates="modules", lazy="raise")
    lessons: Mapped[list[Lesson]] = relationship(
        back_populates="module", lazy="raise", order_by="Lesson.position, Lesson.id"
    )


class Lesson(db.Model):
    __tablename__ = "lessons"
    __table_args__ = (Index("ix_lessons_course_position", "course_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # The course too, so progress counts need no join through modules.
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"))
    module_id: Mapped[int] = mapped_column(
        ForeignKey("course_modules.id", ondelete="CASCADE"), index=True
    )
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text, default="")
    video_url: Mapped[str] = mapped_column(String(500), default="")
    position: Mapped[int] = mapped_column(default=0)

    module: Mapped[Module] = relationship(back_populates="lessons", lazy="raise")
    attachments: Mapped[list[Attachment]] = relationship(
        back_populates="lesson",
        lazy="raise",
        order_by="Attachment.position",
        cascade="all, delete-orphan",
    )


class Attachment(db.Model):
    """A file a lesson links to (a PDF checklist, a template), by title and address."""

    __tablename__ = "lesson_attachments"

    id: Mapped[int] = mapped_column(primary_key=True)
    lesson_id: Mapped[int] = mapped_column(ForeignKey("lessons.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    url: Mapped[str] = mapped_column(String(500))
    position: Mapped[int] = mapped_column(default=0)

    lesson: Mapped[Lesson] = relationship(back_populates="attachments", lazy="raise")


class Quiz(db.Model):
    __tablename__ = "quizzes"
    __table_args__ = (
        CheckConstraint("pass_mark BETWEEN 0 AND 100", name="pass_mark_range"),
        CheckConstraint("attempts_allowed >= 0", name="attempts_allowed_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"), index=True)
    # A module's quiz, or the course's final quiz (None).
    module_id: Mapped[int | None] = mapped_column(
        ForeignKey("course_modules.id", ondelete="SET NULL")
    )
    title: Mapped[str] = mapped_column(String(200))
    required: Mapped[bool] = mapped_column(Boolean, default=True)
    pass_mark: Mapped[int] = mapped_column(default=DEFAULT_PASS_MARK)
    attempts_allowed: Mapped[int] = mapped_column(default=3)  # 0: unlimited
    wait_minutes: Mapped[int] = mapped_column(default=0)
    time_limit_minutes: Mapped[int | None]
    draw_count: Mapped[int | None]  # draw N from the pool; None: every question
    shuffle_questions: Mapped[bool] = mapped_column(Boolean, default=False)
    shuffle_answers: Mapped[bool] = mapped_column(Boolean, default=False)
    review_mode: Mapped[ReviewMode] = mapped_column(String(20), default=ReviewMode.AFTER_SUBMIT)

    course: Mapped[Course] = relationship(back_populates="quizzes", lazy="raise")
    module: Mapped[Module | None] = relationship(lazy="raise")
    questions: Mapped[list[Question]] = relationship(
        back_populates="quiz", lazy="raise", order_by="Question.position, Question.id"
    )


class Question(db.Model):
    __tablename__ = "quiz_questions"

    id: Mapped[int] = mapped_column(primary_key=True)
    quiz_id: Mapped[int] = mapped_column(ForeignKey("quizzes.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(20))  # a name in academy.courses.kinds.REGISTRY
    prompt: Mapped[str] = mapped_column(Text)
    position: Mapped[int] = mapped_column(default=0)
    # Short text: accepted answers, one per line; true/false: "true" or "false".
    accepted: Mapped[str] = mapped_column(Text, default="")
    number: Mapped[float | None] = mapped_column(Float)
    tolerance: Mapped[float] = mapped_column(Float, default=0.0)

    quiz: Mapped[Quiz] = relationship(back_populates="questions", lazy="raise")
    choices: Mapped[list[Choice]] = relationship(
        back_populates="question",
        lazy="raise",
        order_by="Choice.position, Choice.id",
        cascade="all, delete-orphan",
    )


class Choice(db.Model):
    __tablename__ = "quiz_choices"

    id: Mapped[int] = mapped_column(primary_key=True)
    question_id: Mapped[int] = mapped_column(
        ForeignKey("quiz_questions.id", ondelete="CASCADE"), index=True
    )
    text: Mapped[str] = mapped_column(String(500))
    correct: Mapped[bool] = mapped_column(Boolean, default=False)
    position: Mapped[int] = mapped_column(default=0)

    question: Mapped[Question] = relationship(back_populates="choices", lazy="raise")


class Attempt(db.Model):
    __tablename__ = "quiz_attempts"
    # Two tabs starting "the next attempt" at once: the database keeps only one.
    __table_args__ = (
        UniqueConstraint("quiz_id", "user_id", "number", name="uq_attempt_number"),
        Index("ix_quiz_attempts_user_quiz", "user_id", "quiz_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    quiz_id: Mapped[int] = mapped_column(ForeignKey("quizzes.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    number: Mapped[int]
    seed: Mapped[int]
    question_ids: Mapped[str] = mapped_column(Text, default="")  # the draw, in order: "4,1,7"
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    deadline: Mapped[datetime | None] = mapped_column(UTCDateTime)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    score: Mapped[int | None]
    passed: Mapped[bool] = mapped_column(Boolean, default=False)

    quiz: Mapped[Quiz] = relationship(lazy="raise")
    user: Mapped[User] = relationship(lazy="raise")
    answers: Mapped[list[Answer]] = relationship(back_populates="attempt", lazy="raise")

    @property
    def drawn(self) -> list[int]:
        return drawn_ids(self.question_ids)


def drawn_ids(question_ids: str) -> list[int]:
    """An attempt's draw, in order, from its `question_ids` column ("4,1,7")."""
    return [int(i) for i in question_ids.split(",") if i]


class Answer(db.Model):
    """What a client chose for one question of one attempt, saved as they go."""

    __tablename__ = "quiz_answers"
    __table_args__ = (UniqueConstraint("attempt_id", "question_id", name="uq_answer_question"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    attempt_id: Mapped[int] = mapped_column(ForeignKey("quiz_attempts.id", ondelete="CASCADE"))
    question_id: Mapped[int] = mapped_column(ForeignKey("quiz_questions.id", ondelete="CASCADE"))
    value: Mapped[str] = mapped_column(Text, default="")
    saved_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    correct: Mapped[bool | None]

    attempt: Mapped[Attempt] = relationship(back_populates="answers", lazy="raise")


class ExtraAttempt(db.Model):
    """Staff granted a client one more attempt at a quiz, and said why."""

    __tablename__ = "quiz_extra_attempts"

    id: Mapped[int] = mapped_column(primary_key=True)
    quiz_id: Mapped[int] = mapped_column(ForeignKey("quizzes.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    granted_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    reason: Mapped[str] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)

    user: Mapped[User] = relationship(lazy="raise", foreign_keys=[user_id])
    granted_by: Mapped[User] = relationship(lazy="raise", foreign_keys=[granted_by_id])


class LessonCompletion(db.Model):
    __tablename__ = "lesson_completions"
    __table_args__ = (
        UniqueConstraint("user_id", "lesson_id", name="uq_completion_lesson"),
        Index("ix_lesson_completions_user_course", "user_id", "course_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"))
    lesson_id: Mapped[int] = mapped_column(ForeignKey("lessons.id", ondelete="CASCADE"))
    completed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)


class Certificate(db.Model):
    __tablename__ = "certificates"
    __table_args__ = (UniqueConstraint("user_id", "course_id", name="uq_certificate_course"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id"))
    # As they were on the day: a later rename changes neither the page nor the PDF.
    name: Mapped[str] = mapped_column(String(120))
    course_title: Mapped[str] = mapped_column(String(200))
    score: Mapped[int]
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)

    course: Mapped[Course] = relationship(lazy="raise")
