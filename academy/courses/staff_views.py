"""Academy authoring, for staff: courses, modules, lessons, quizzes, questions and extra
attempts. Each form page is academy.core.forms.form_page: validate, call the service, show a
DomainError beside its field, or flash and redirect."""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from academy.core.errors import DomainError
from academy.core.forms import form_page, show_error
from academy.core.pagination import paginate
from academy.core.params import id_arg
from academy.core.security import staff_required
from academy.courses import queries, services
from academy.courses.blueprint import bp
from academy.courses.forms import (
    CourseForm,
    ExtraAttemptForm,
    LessonForm,
    ModuleForm,
    QuestionForm,
    QuizForm,
)
from academy.courses.models import Course, Lesson, Question, Quiz


def _outline(course_id: int | None) -> Course:
    """A course with its outline (modules, lessons, quizzes), drafts too."""
    course = queries.course_outline(course_id) if course_id else None
    return course or abort(404)


def _module_choices(course: Course) -> list[tuple[int, str]]:
    return [(m.id, m.title) for m in course.modules]


# --- Courses and modules -----------------------------------------------------------------------


@bp.get("/staff/academy")
@staff_required
def staff_courses() -> str:
    return render_template("courses/staff_courses.html", page=paginate(queries.all_courses()))


@bp.route("/staff/academy/new", methods=["GET", "POST"])
@staff_required
def new_course() -> Any:
    form = CourseForm()
    return form_page(
        form,
        "courses/course_form.html",
        save=lambda: services.save_course(None, form.values()),
        then=lambda saved: url_for(".edit_course", course_id=saved.id),
        saved=_("Course created. Add modules and lessons below."),
        course=None,
    )


@bp.route("/staff/academy/<int:course_id>", methods=["GET", "POST"])
@staff_required
def edit_course(course_id: int) -> Any:
    item = _outline(course_id)
    form = CourseForm(obj=item)
    return form_page(
        form,
        "courses/course_form.html",
        save=lambda: services.save_course(item, form.values()),
        then=url_for(".edit_course", course_id=item.id),
        saved=_("Course saved."),
        course=item,
        module_form=ModuleForm(formdata=None),
    )


@bp.post("/staff/academy/<int:course_id>/modules")
@staff_required
def add_module(course_id: int) -> Any:
    item = _outline(course_id)
    form = ModuleForm()
    if form.validate():
        services.add_module(item, form.title.data.strip())
        flash(_("Module added."), "success")
    else:
        flash(_("Give the module a title."), "error")
    return redirect(url_for(".edit_course", course_id=item.id))


# --- Lessons -----------------------------------------------------------------------------------


def _lesson_page(course: Course, lesson: Lesson | None, form: LessonForm) -> Any:
    return form_page(
        form,
        "courses/lesson_form.html",
        save=lambda: services.save_lesson(lesson, course, **form.values()),
        then=lambda saved: url_for(".edit_lesson", lesson_id=saved.id),
        saved=_("Lesson saved."),
        course=course,
        lesson=lesson,
    )


@bp.route("/staff/academy/<int:course_id>/lessons/new", methods=["GET", "POST"])
@staff_required
def new_lesson(course_id: int) -> Any:
    item = _outline(course_id)
    if not item.modules:
        flash(_("Add a module first."), "error")
        return redirect(url_for(".edit_course", course_id=item.id))
    form = LessonForm()
    form.module_id.choices = _module_choices(item)
    if request.method == "GET":
        form.module_id.data = id_arg("module")
    return _lesson_page(item, None, form)


@bp.route("/staff/academy/lessons/<int:lesson_id>", methods=["GET", "POST"])
@staff_required
def edit_lesson(lesson_id: int) -> Any:
    item = _outline(queries.lesson_course_id(lesson_id))
    found = queries.lesson_with_attachments(lesson_id) or abort(404)
    form = LessonForm(obj=found)
    form.module_id.choices = _module_choices(item)
    if request.method == "GET":
        form.attachments.data = "\n".join(f"{a.title} | {a.url}" for a in found.attachments)
    return _lesson_page(item, found, form)


@bp.post("/staff/academy/lessons/<int:lesson_id>/move")
@staff_required
def move_lesson(lesson_id: int) -> Any:
    found = queries.lesson(lesson_id) or abort(404)
    services.move_lesson(found, -1 if request.form.get("direction") == "up" else 1)
    return redirect(url_for(".edit_course", course_id=found.course_id) + f"#lesson-{found.id}")


# --- Quizzes and extra attempts ----------------------------------------------------------------


def _staff_quiz(quiz_id: int) -> tuple[Quiz, Course]:
    """A quiz with its questions, and its course's outline (the course first: loading it
    again refreshes its quizzes, which would forget the questions loaded before)."""
    course = _outline(queries.quiz_course_id(quiz_id))
    return services.load_quiz(quiz_id), course


def _quiz_form(course: Course, quiz: Quiz | None, *, as_stored: bool = False) -> QuizForm:
    """The quiz's settings form; `as_stored`: the quiz as stored, whatever was posted (the
    page shown again for the extra-attempt form beside it)."""
    form = QuizForm(obj=quiz, formdata=None) if as_stored else QuizForm(obj=quiz)
    form.module_id.choices = [(0, _("Final quiz of the course")), *_module_choices(course)]
    if quiz is not None and (as_stored or request.method == "GET"):
        form.module_id.data = quiz.module_id or 0  # 0: the course's final quiz
    return form


@bp.route("/staff/academy/<int:course_id>/quizzes/new", methods=["GET", "POST"])
@staff_required
def new_quiz(course_id: int) -> Any:
    item = _outline(course_id)
    form = _quiz_form(item, None)
    return form_page(
        form,
        "courses/quiz_form.html",
        save=lambda: services.save_quiz(None, item, form.values()),
        then=lambda saved: url_for(".edit_quiz", quiz_id=saved.id),
        saved=_("Quiz created. Add its questions."),
        course=item,
        quiz=None,
    )


def _quiz_context(quiz: Quiz, course: Course, extra: ExtraAttemptForm) -> dict[str, Any]:
    return {"course": course, "quiz": quiz, "extra": extra, "grants": queries.extra_grants(quiz.id)}


@bp.route("/staff/academy/quizzes/<int:quiz_id>", methods=["GET", "POST"])
@staff_required
def edit_quiz(quiz_id: int) -> Any:
    found, item = _staff_quiz(quiz_id)
    form = _quiz_form(item, found)
    return form_page(
        form,
        "courses/quiz_form.html",
        save=lambda: services.save_quiz(found, item, form.values()),
        then=url_for(".edit_quiz", quiz_id=found.id),
        saved=_("Quiz saved."),
        **_quiz_context(found, item, ExtraAttemptForm(formdata=None)),
    )


@bp.post("/staff/academy/quizzes/<int:quiz_id>/extra")
@staff_required
def grant_extra(quiz_id: int) -> Any:
    """On the quiz's page, beside its settings: that page again, with this form's errors."""
    found, item = _staff_quiz(quiz_id)
    extra = ExtraAttemptForm()
    if extra.validate():
        try:
            grant = services.grant_extra_attempt(
                current_user, found, extra.email.data, extra.reason.data
            )
        except DomainError as error:
            show_error(extra, error)
        else:
            flash(_("One more attempt granted to %(email)s.", email=extra.email.data), "success")
            return redirect(url_for(".edit_quiz", quiz_id=found.id) + f"#grant-{grant.id}")
    return render_template(
        "courses/quiz_form.html",
        form=_quiz_form(item, found, as_stored=True),
        **_quiz_context(found, item, extra),
    )


# --- Questions ---------------------------------------------------------------------------------


def _question_page(quiz: Quiz, question: Question | None, form: QuestionForm) -> Any:
    return form_page(
        form,
        "courses/question_form.html",
        save=lambda: services.save_question(question, quiz, **form.values()),
        then=url_for(".edit_quiz", quiz_id=quiz.id),
        saved=_("Question saved."),
        quiz=quiz,
        question=question,
    )


@bp.route("/staff/academy/quizzes/<int:quiz_id>/questions/new", methods=["GET", "POST"])
@staff_required
def new_question(quiz_id: int) -> Any:
    found = services.load_quiz(quiz_id) or abort(404)
    return _question_page(found, None, QuestionForm())


@bp.route("/staff/academy/questions/<int:question_id>", methods=["GET", "POST"])
@staff_required
def edit_question(question_id: int) -> Any:
    found = queries.question_with_choices(question_id) or abort(404)
    quiz = services.load_quiz(found.quiz_id)
    form = QuestionForm(obj=found)
    if request.method == "GET":
        form.number.data = "" if found.number is None else f"{found.number:g}"
        form.tolerance.data = f"{found.tolerance:g}" if found.tolerance else ""
        form.choices.data = "\n".join(("* " if c.correct else "") + c.text for c in found.choices)
    return _question_page(quiz, found, form)
