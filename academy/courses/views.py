"""Academy pages for clients: the catalogue, courses, lessons and certificates (quizzes are in
quiz_views.py, authoring in staff_views.py). Views parse, call academy.courses.services or
read through academy.courses.queries, and render."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any, Protocol

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from academy.core.caching import fragment_key
from academy.core.errors import DomainError
from academy.core.forms import query_text, show_error
from academy.core.pagination import paginate_rows
from academy.core.security import CSP
from academy.core.urls import UrlPattern
from academy.courses import queries, services
from academy.courses.blueprint import access, bp, is_staff, refused
from academy.courses.forms import AREA_NAMES, LEVEL_NAMES, FeedbackForm
from academy.courses.models import Certificate, Course, Lesson
from academy.extensions import limiter
from academy.feedback.models import FeedbackKind
from academy.feedback.services import leave_feedback

_SLUG = re.compile(r"^[a-z0-9-]{1,120}$")
_CODE = re.compile(r"^[A-Za-z0-9-]{1,32}$")


def _course(slug: str) -> Course:
    """A published course, with its outline; staff also see drafts (the preview)."""
    if not _SLUG.match(slug):  # junk (a NUL byte would upset PostgreSQL): not found
        abort(404)
    course = queries.course_by_slug(slug)
    if course is None or not (course.published or is_staff()):
        abort(404)
    return course


def _lessons(course: Course) -> list[Lesson]:
    return [lesson for module in course.modules for lesson in module.lessons]


def _lesson_in(course: Course, lesson_id: int) -> Lesson:
    lesson = next((x for x in _lessons(course) if x.id == lesson_id), None)
    return lesson or abort(404)


def _done_lessons(course_id: int) -> set[int]:
    if not current_user.is_authenticated:
        return set()
    return queries.done_lessons(current_user.id, course_id)


def _progress(lessons: Sequence[Lesson | queries.LessonLink], done: set[int]) -> services.Progress:
    return services.Progress(len(done & {lesson.id for lesson in lessons}), len(lessons))


# --- Catalogue and course pages ----------------------------------------------------------------


CATALOGUE_PAGE = 12


@bp.get("/academy")
def catalogue() -> str:
    q = query_text()
    level = request.args.get("level", "")
    area = request.args.get("area", "")
    viewer = current_user.id if current_user.is_authenticated else None
    statement = queries.catalogue(
        q, level if level in LEVEL_NAMES else None, area if area in AREA_NAMES else None
    )
    page = paginate_rows(statement, {"viewer": viewer}, per_page=CATALOGUE_PAGE)
    return render_template(
        "courses/catalogue.html",
        page=page,
        # The cards show their rows (with the viewer's lessons done and certificate), whether
        # anyone is signed in, and which empty state applies.
        cards_key=fragment_key(page.items, viewer is not None, bool(q or level or area)),
        progress={c.id: services.Progress(c.done, c.lessons) for c in page.items},
        completed={c.id for c in page.items if c.completed},
        resume=queries.last_course(viewer) if viewer is not None else None,
        course_url=UrlPattern(".course", "slug"),  # no url_for on each card
        # The cards' phrases, translated once for the page: a translation in a template costs
        # about as much as the rest of a card.
        phrases={
            "minutes": _("%(minutes)d min"),
            "progress_in": _("Progress in %(course)s"),
            "lessons_done": _("%(done)d of %(total)d lessons"),
        },
        q=q,
        level=level,
        area=area,
    )


def _render_course(course: Course, feedback: FeedbackForm, status: int = 200) -> Any:
    lessons = _lessons(course)
    done = _done_lessons(course.id)
    quizzes = course.quizzes
    passed = (
        queries.passed_quizzes(current_user.id, [q.id for q in quizzes])
        if current_user.is_authenticated
        else set()
    )
    certificate = (
        queries.certificate_of(current_user.id, course.id)
        if current_user.is_authenticated
        else None
    )
    # Every required quiz passed but no certificate (a quiz made optional later): offer it.
    due = bool(
        certificate is None and passed and services.certificate_due(current_user.id, course.id)
    )
    return render_template(
        "courses/course.html",
        course=course,
        lessons=lessons,
        done=done,
        passed=passed,
        progress=_progress(lessons, done),
        next_lesson=next((lesson for lesson in lessons if lesson.id not in done), None),
        next_quiz=next((q for q in quizzes if q.id not in passed), None),
        certificate=certificate,
        certificate_due=due,
        decision=access() if current_user.is_authenticated else None,
        feedback=feedback,
    ), status


@bp.get("/academy/<slug>")
def course(slug: str) -> Any:
    return _render_course(_course(slug), FeedbackForm(formdata=None))


class _Titled(Protocol):
    """A course or a lesson, as feedback names it."""

    @property
    def id(self) -> int: ...

    @property
    def title(self) -> str: ...


def _feedback(form: FeedbackForm, course: _Titled, lesson: _Titled | None = None) -> bool:
    """Leave feedback on a course or one of its lessons from `form`; True when it was taken
    (else its errors are on the form)."""
    if not form.validate():
        return False
    subject: dict[str, Any] = {"kind": FeedbackKind.COURSE, "subject_title": course.title}
    if lesson is not None:
        subject = {
            "kind": FeedbackKind.LESSON,
            "subject_title": f"{course.title}: {lesson.title}",
            "lesson_id": lesson.id,
        }
    try:
        leave_feedback(
            user=current_user,
            rating=int(form.rating.data),
            message=form.message.data or "",
            course_id=course.id,
            **subject,
        )
    except DomainError as error:
        show_error(form, error)
        return False
    flash(_("Thank you for your feedback."), "success")
    return True


@bp.post("/academy/<slug>/feedback")
@login_required
def course_feedback(slug: str) -> Any:
    item = _course(slug)
    if not (decision := access()):
        return refused(decision)
    form = FeedbackForm()
    if _feedback(form, item):
        return redirect(url_for(".course", slug=slug))
    return _render_course(item, form, 400)


@bp.post("/academy/<slug>/certificate")
@login_required
def claim_certificate(slug: str) -> Any:
    item = _course(slug)
    if not (decision := access()):
        return refused(decision)
    try:
        found = services.claim_certificate(current_user, item)
    except DomainError as error:
        flash(error.message, "error")
        return redirect(url_for(".course", slug=slug))
    flash(_("You completed the course. Your certificate is ready."), "success")
    return redirect(url_for(".certificate", code=found.code))


# --- Lessons -----------------------------------------------------------------------------------


def _lesson_page(slug: str, lesson_id: int) -> queries.LessonPage:
    """A lesson of a published course with the course's outline (staff also see drafts)."""
    if not _SLUG.match(slug):
        abort(404)
    page = queries.lesson_page(slug, lesson_id, current_user.id)
    if page is None or not (page.course.published or is_staff()):
        abort(404)
    return page


def _render_lesson(page: queries.LessonPage, feedback: FeedbackForm, status: int = 200):
    lesson, lessons = page.lesson, page.lessons
    index = next(i for i, x in enumerate(lessons) if x.id == lesson.id)
    embed = services.embed_url(lesson.video_url) if lesson.video_url else None
    html = render_template(
        "courses/lesson.html",
        course=page.course,
        lesson=lesson,
        attachments=queries.attachments(lesson.id),
        lessons=lessons,
        done=page.done,
        progress=_progress(lessons, page.done),
        previous=lessons[index - 1] if index > 0 else None,
        following=lessons[index + 1] if index + 1 < len(lessons) else None,
        embed=embed,
        feedback=feedback,
    )
    response = Response(html, status=status)
    if embed:  # the one page that frames a video player: allow exactly those players
        response.headers["Content-Security-Policy"] = (
            f"{CSP}; frame-src {' '.join(services.FRAME_SOURCES)}"
        )
    return response


@bp.get("/academy/<slug>/lessons/<int:lesson_id>")
@login_required
def lesson(slug: str, lesson_id: int) -> Any:
    page = _lesson_page(slug, lesson_id)
    if not (decision := access()):
        return refused(decision)
    return _render_lesson(page, FeedbackForm(formdata=None))


@bp.post("/academy/<slug>/lessons/<int:lesson_id>/complete")
@login_required
def complete(slug: str, lesson_id: int) -> Any:
    item = _course(slug)
    found = _lesson_in(item, lesson_id)
    if not (decision := access()):
        return refused(decision)
    services.complete_lesson(current_user, found)
    done = _done_lessons(item.id)
    following = next((x for x in _lessons(item) if x.id not in done), None)
    flash(_("Lesson marked complete."), "success")
    if following is not None:
        return redirect(url_for(".lesson", slug=slug, lesson_id=following.id))
    return redirect(url_for(".course", slug=slug))


@bp.post("/academy/<slug>/lessons/<int:lesson_id>/feedback")
@login_required
def lesson_feedback(slug: str, lesson_id: int) -> Any:
    page = _lesson_page(slug, lesson_id)
    if not (decision := access()):
        return refused(decision)
    form = FeedbackForm()
    if _feedback(form, page.course, page.lesson):
        return redirect(url_for(".lesson", slug=slug, lesson_id=lesson_id))
    return _render_lesson(page, form, 400)


# --- Certificates ------------------------------------------------------------------------------


@bp.get("/academy/certificates")
@login_required
def my_certificates() -> str:
    certificates = queries.certificates_of(current_user.id)
    return render_template("courses/my_certificates.html", certificates=certificates)


def _by_code(code: str) -> Certificate | None:
    code = code.strip()
    return queries.certificate_by_code(code.upper()) if _CODE.match(code) else None


def _not_found() -> tuple[str, int]:
    """A code that names no certificate: say exactly that to whoever is checking one."""
    return render_template("courses/certificate_missing.html"), 404


@bp.get("/certificates/<code>")
def certificate(code: str) -> Any:
    """Public: anyone with the code can check that the certificate is genuine."""
    found = _by_code(code)
    if found is None:
        return _not_found()
    return render_template("courses/certificate.html", certificate=found)


@bp.get("/certificates/<code>/pdf")
@limiter.limit("10/minute")  # public, and each PDF is rendered afresh: bound what one address asks
def certificate_pdf(code: str) -> Any:
    from academy.courses.pdf import certificate_pdf as render_pdf

    item = _by_code(code)
    if item is None:
        return _not_found()
    return Response(
        render_pdf(item),
        mimetype="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="certificate-{item.code}.pdf"'},
    )
