"""Factories for Academy tests: a published course with lessons and a quiz of every kind."""

from __future__ import annotations

from typing import Any

import pytest

from academy.courses import services
from academy.courses.kinds import QuestionKind
from academy.courses.models import Course, Lesson, Module


@pytest.fixture
def make_course(db: Any):
    counter = iter(range(1, 1_000_000))

    def make(
        *, lessons: int = 3, published: bool = True, quiz: bool = True, **quiz_values: Any
    ) -> Course:
        n = next(counter)
        course = Course(
            slug=f"course-{n}",
            title=f"Course {n}",
            summary=f"Summary of course {n}",
            level="beginner",
            product_area="basics",
            estimated_minutes=30,
            published=published,
        )
        db.session.add(course)
        db.session.flush()
        module = Module(course_id=course.id, title="Module one", position=1)
        db.session.add(module)
        db.session.flush()
        for i in range(1, lessons + 1):
            db.session.add(
                Lesson(
                    course_id=course.id,
                    module_id=module.id,
                    title=f"Lesson {i}",
                    body=f"Body of **lesson {i}**",
                    position=i,
                )
            )
        db.session.commit()
        if quiz:
            make_quiz(course, **quiz_values)
        return course

    return make


def make_quiz(course: Course, **values: Any):
    quiz = services.save_quiz(None, course, {"title": f"Quiz of {course.title}", **values})
    services.save_question(
        None, quiz, kind=QuestionKind.SINGLE, prompt="Pick B", choices="A\n* B\nC"
    )
    services.save_question(
        None,
        quiz,
        kind=QuestionKind.MULTIPLE,
        prompt="Pick A and C",
        choices="* Alpha\nBeta\n* Gamma",
    )
    services.save_question(
        None, quiz, kind=QuestionKind.TRUE_FALSE, prompt="Sky is blue", accepted="true"
    )
    services.save_question(
        None,
        quiz,
        kind=QuestionKind.SHORT_TEXT,
        prompt="Name of the portal",
        accepted="Client portal\nportal",
    )
    services.save_question(
        None, quiz, kind=QuestionKind.NUMERIC, prompt="Half of 5", number=2.5, tolerance=0.1
    )
    return services.load_quiz(quiz.id)


def right_answers(quiz) -> dict[str, list[str]]:
    """The form a client who knows every answer would send."""
    form = {}
    for q in quiz.questions:
        if q.kind in ("single", "multiple"):
            form[f"q{q.id}"] = [str(c.id) for c in q.choices if c.correct]
        elif q.kind == "numeric":
            form[f"q{q.id}"] = [str(q.number)]
        else:
            form[f"q{q.id}"] = [q.accepted.splitlines()[0]]
    return form
