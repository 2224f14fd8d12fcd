"""Academy pages: the catalogue, courses, lessons, quizzes and certificates, and the staff
authoring pages. Views parse, call academy.courses.services, and render."""

from __future__ import annotations

import math
import re
from typing import Any

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required
from flask_wtf.csrf import generate_csrf
from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload

from academy.core.clock import now
from academy.core.errors import DomainError
from academy.core.forms import query_text, show_error
from academy.core.i18n import explain
from academy.core.pagination import paginate
from academy.core.params import id_arg
from academy.core.security import CSP, not_activity, staff_required
from academy.courses import kinds, scoring, services
from academy.courses.forms import (
    AREA_NAMES,
    LEVEL_NAMES,
    LEVELS,
    PRODUCT_AREAS,
    CourseForm,
    ExtraAttemptForm,
    FeedbackForm,
    LessonForm,
    ModuleForm,
    QuestionForm,
    QuizForm,
)
from academy.courses.models import (
    Attempt,
    Certificate,
    Course,
    ExtraAttempt,
    Lesson,
    LessonCompletion,
    Module,
    Question,
    Quiz,
)
from academy.extensions import db, limiter
from academy.feedback.models import FeedbackKind
from academy.feedback.services import leave_feedback
from academy.scheduling.access import can_use
from academy.scheduling.policy import Channel

bp = Blueprint("courses", __name__)
# Templates show each question through its kind: {% import question_kind(q.kind).template %}
bp.add_app_template_global(kinds.kind_of, "question_kind")


@bp.app_context_processor
def _names() -> dict[str, Any]:
    return {"level_names": LEVEL_NAMES, "area_names": AREA_NAMES}


# --- Helpers -----------------------------------------------------------------------------------


_SLUG = re.compile(r"^[a-z0-9-]{1,120}$")
_CODE = re.compile(r"^[A-Za-z0-9-]{1,32}$")


def _course(slug: str) -> Course:
    """A published course, with its outline; staff also see drafts (the preview)."""
    if not _SLUG.match(slug):  # junk (a NUL byte would upset PostgreSQL): not found
        abort(404)
    course = db.session.scalar(
        select(Course)
        .where(Course.slug == slug)
        .options(
            selectinload(Course.modules).selectinload(Module.lessons),
            selectinload(Course.quizzes),
        )
    )
    if course is None or not (course.published or _is_staff()):
        abort(404)
    return course


def _is_staff() -> bool:
    return bool(current_user.is_authenticated and current_user.is_staff)


def _access() -> Any:
    """POLICY R1/R2: the Academy is a support channel of the client's plan (staff bypass)."""
    return can_use(current_user, Channel.ACADEMY)


def _refused(decision: Any) -> Any:
    if _wants_json():  # the quiz page's autosave: a message it can show
        return jsonify(saved=False, message=explain(decision)), 403
    return render_template("courses/refused.html", decision=decision), 403


def _wants_json() -> bool:
    return request.headers.get("X-Requested-With") == "fetch"


def _lessons(course: Course) -> list[Lesson]:
    return [lesson for module in course.modules for lesson in module.lessons]


def _done_lessons(course_id: int) -> set[int]:
    if not current_user.is_authenticated:
        return set()
    return set(
        db.session.scalars(
            select(LessonCompletion.lesson_id).where(
                LessonCompletion.user_id == current_user.id,
                LessonCompletion.course_id == course_id,
            )
        )
    )


def _passed_quizzes(quiz_ids: list[int]) -> set[int]:
    if not current_user.is_authenticated or not quiz_ids:
        return set()
    return set(
        db.session.scalars(
            select(Attempt.quiz_id).where(
                Attempt.user_id == current_user.id, Attempt.quiz_id.in_(quiz_ids), Attempt.passed
            )
        )
    )


def _certificate(course_id: int) -> Certificate | None:
    if not current_user.is_authenticated:
        return None
    return db.session.scalar(
        select(Certificate).where(
            Certificate.user_id == current_user.id, Certificate.course_id == course_id
        )
    )


# --- Catalogue and course pages ----------------------------------------------------------------


@bp.get("/academy")
def catalogue() -> str:
    q = query_text()
    level = request.args.get("level", "")
    area = request.args.get("area", "")
    query = select(Course).where(Course.published)
    if q:
        escaped = q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        like = f"%{escaped}%"
        query = query.where(
            or_(Course.title.ilike(like, escape="\\"), Course.summary.ilike(like, escape="\\"))
        )
    if level in LEVEL_NAMES:
        query = query.where(Course.level == level)
    if area in AREA_NAMES:
        query = query.where(Course.product_area == area)
    page = paginate(query.order_by(Course.title, Course.id), per_page=12)
    ids = [c.id for c in page.items]
    progress = services.progress_for(current_user, ids)
    completed: set[int] = set()
    resume = None
    if current_user.is_authenticated and ids:
        completed = set(
            db.session.scalars(
                select(Certificate.course_id).where(
                    Certificate.user_id == current_user.id, Certificate.course_id.in_(ids)
                )
            )
        )
    if current_user.is_authenticated:
        resume = db.session.scalar(
            select(Course)
            .join(LessonCompletion, LessonCompletion.course_id == Course.id)
            .where(LessonCompletion.user_id == current_user.id, Course.published)
            .order_by(LessonCompletion.completed_at.desc(), LessonCompletion.id.desc())
            .limit(1)
        )
    return render_template(
        "courses/catalogue.html",
        page=page,
        progress=progress,
        completed=completed,
        resume=resume,
        q=q,
        level=level,
        area=area,
        levels=LEVELS,
        areas=PRODUCT_AREAS,
    )


def _render_course(course: Course, feedback: FeedbackForm, status: int = 200) -> Any:
    lessons = _lessons(course)
    done = _done_lessons(course.id)
    quizzes = course.quizzes
    passed = _passed_quizzes([q.id for q in quizzes])
    next_lesson = next((lesson for lesson in lessons if lesson.id not in done), None)
    next_quiz = next((q for q in quizzes if q.id not in passed), None)
    decision = _access() if current_user.is_authenticated else None
    certificate = _certificate(course.id)
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
        progress=services.Progress(len(done & {lesson.id for lesson in lessons}), len(lessons)),
        next_lesson=next_lesson,
        next_quiz=next_quiz,
        certificate=certificate,
        certificate_due=due,
        decision=decision,
        feedback=feedback,
    ), status


@bp.get("/academy/<slug>")
def course(slug: str) -> Any:
    return _render_course(_course(slug), FeedbackForm(formdata=None))


@bp.post("/academy/<slug>/feedback")
@login_required
def course_feedback(slug: str) -> Any:
    item = _course(slug)
    if not (decision := _access()):
        return _refused(decision)
    form = FeedbackForm()
    if form.validate():
        try:
            leave_feedback(
                kind=FeedbackKind.COURSE,
                user=current_user,
                rating=int(form.rating.data),
                message=form.message.data or "",
                subject_title=item.title,
                course_id=item.id,
            )
        except DomainError as error:
            show_error(form, error)
        else:
            flash(_("Thank you for your feedback."), "success")
            return redirect(url_for(".course", slug=slug))
    return _render_course(item, form, 400)


@bp.post("/academy/<slug>/certificate")
@login_required
def claim_certificate(slug: str) -> Any:
    item = _course(slug)
    if not (decision := _access()):
        return _refused(decision)
    try:
        found = services.claim_certificate(current_user, item)
    except DomainError as error:
        flash(error.message, "error")
        return redirect(url_for(".course", slug=slug))
    flash(_("You completed the course. Your certificate is ready."), "success")
    return redirect(url_for(".certificate", code=found.code))


def _lesson_in(course: Course, lesson_id: int) -> Lesson:
    lesson = next((x for x in _lessons(course) if x.id == lesson_id), None)
    return lesson or abort(404)


def _render_lesson(course: Course, lesson: Lesson, feedback: FeedbackForm, status: int = 200):
    lessons = _lessons(course)
    index = lessons.index(lesson)
    attachments = db.session.scalars(
        select(Lesson).where(Lesson.id == lesson.id).options(selectinload(Lesson.attachments))
    ).one()
    done = _done_lessons(course.id)
    embed = services.embed_url(lesson.video_url) if lesson.video_url else None
    html = render_template(
        "courses/lesson.html",
        course=course,
        lesson=attachments,
        lessons=lessons,
        done=done,
        progress=services.Progress(len(done & {x.id for x in lessons}), len(lessons)),
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
    item = _course(slug)
    found = _lesson_in(item, lesson_id)
    if not (decision := _access()):
        return _refused(decision)
    return _render_lesson(item, found, FeedbackForm(formdata=None))


@bp.post("/academy/<slug>/lessons/<int:lesson_id>/complete")
@login_required
def complete(slug: str, lesson_id: int) -> Any:
    item = _course(slug)
    found = _lesson_in(item, lesson_id)
    if not (decision := _access()):
        return _refused(decision)
    services.complete_lesson(current_user, found)
    lessons = _lessons(item)
    done = _done_lessons(item.id)
    following = next((x for x in lessons if x.id not in done), None)
    flash(_("Lesson marked complete."), "success")
    if following is not None:
        return redirect(url_for(".lesson", slug=slug, lesson_id=following.id))
    return redirect(url_for(".course", slug=slug))


@bp.post("/academy/<slug>/lessons/<int:lesson_id>/feedback")
@login_required
def lesson_feedback(slug: str, lesson_id: int) -> Any:
    item = _course(slug)
    found = _lesson_in(item, lesson_id)
    if not (decision := _access()):
        return _refused(decision)
    form = FeedbackForm()
    if form.validate():
        try:
            leave_feedback(
                kind=FeedbackKind.LESSON,
                user=current_user,
                rating=int(form.rating.data),
                message=form.message.data or "",
                subject_title=f"{item.title}: {found.title}",
                course_id=item.id,
                lesson_id=found.id,
            )
        except DomainError as error:
            show_error(form, error)
        else:
            flash(_("Thank you for your feedback."), "success")
            return redirect(url_for(".lesson", slug=slug, lesson_id=lesson_id))
    return _render_lesson(item, found, form, 400)


# --- Quizzes -----------------------------------------------------------------------------------


def _quiz(quiz_id: int) -> Quiz:
    quiz = services.load_quiz(quiz_id)
    if quiz is None or not (quiz.course.published or _is_staff()):
        abort(404)
    return quiz


def _own_attempt(attempt_id: int) -> Attempt:
    """Someone else's attempt is a 404, as if it did not exist (ARCHITECTURE 8)."""
    attempt = db.session.get(Attempt, attempt_id)
    if attempt is None or attempt.user_id != current_user.id:
        abort(404)
    return attempt


@bp.get("/academy/quizzes/<int:quiz_id>")
@login_required
def quiz(quiz_id: int) -> Any:
    item = _quiz(quiz_id)
    if not (decision := _access()):
        return _refused(decision)
    attempts = services.past_attempts(current_user.id, item.id)
    open_attempt = next((a for a in attempts if a.submitted_at is None), None)
    rule = services.start_decision(current_user, item, attempts)
    used = sum(1 for a in attempts if a.submitted_at is not None)
    return render_template(
        "courses/quiz.html",
        quiz=item,
        attempts=attempts,
        open_attempt=open_attempt,
        open_expired=open_attempt is not None
        and not scoring.accepts_answers(open_attempt.deadline, now()),
        rule=rule,
        why=services.explain_attempt(rule),
        left=scoring.attempts_left(
            used, item.attempts_allowed, services.extra_attempts(current_user.id, item.id)
        ),
        count=len(item.questions)
        if not item.draw_count
        else min(item.draw_count, len(item.questions)),
    )


@bp.post("/academy/quizzes/<int:quiz_id>/start")
@login_required
def start(quiz_id: int) -> Any:
    item = _quiz(quiz_id)
    if not (decision := _access()):
        return _refused(decision)
    try:
        attempt = services.start_attempt(current_user, item)
    except DomainError as error:
        flash(error.message, "error")
        return redirect(url_for(".quiz", quiz_id=quiz_id))
    if attempt.submitted_at is not None:  # its time had run out: scored, show the result
        return redirect(url_for(".result", attempt_id=attempt.id))
    return redirect(url_for(".attempt", attempt_id=attempt.id))


def _take_context(attempt: Attempt, quiz: Quiz) -> dict[str, Any]:
    by_id = {q.id: q for q in quiz.questions}
    questions = []
    for qid in attempt.drawn:
        question = by_id.get(qid)
        if question is None:
            continue
        order = scoring.choice_order(
            [c.id for c in question.choices], attempt.seed, qid, quiz.shuffle_answers
        )
        choices = {c.id: c for c in question.choices}
        questions.append((question, [choices[i] for i in order]))
    return {"questions": questions}


@bp.get("/academy/attempts/<int:attempt_id>")
@login_required
def attempt(attempt_id: int) -> Any:
    item = _own_attempt(attempt_id)
    if not (decision := _access()):
        return _refused(decision)
    if item.submitted_at is not None:
        return redirect(url_for(".result", attempt_id=item.id))
    quiz = _quiz(item.quiz_id)
    # Past the deadline: the page says so and offers only Submit (GET changes nothing).
    expired = not scoring.accepts_answers(item.deadline, now())
    answers = services.attempt_answers(item)
    return render_template(
        "courses/attempt.html",
        attempt=item,
        quiz=quiz,
        answers={qid: a.value for qid, a in answers.items()},
        expired=expired,
        remaining=(
            max(0, math.ceil((item.deadline - now()).total_seconds())) if item.deadline else None
        ),
        **_take_context(item, quiz),
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
    if not (decision := _access()):
        return _refused(decision)
    quiz = _quiz(item.quiz_id)
    try:
        accepted = services.save_answers(item, quiz, request.form.to_dict(flat=False))
    except DomainError as error:  # submitted meanwhile, or not saved: say so, honestly
        if _wants_json():
            return _save_reply(False, error.message, 409, isinstance(error, services.NotSaved))
        flash(error.message, "error")
        return redirect(url_for(".attempt", attempt_id=item.id))  # the result, if submitted
    if not accepted:
        message = _("The time limit has passed; answers saved before it count.")
        if _wants_json():
            return _save_reply(False, message, 409)
        flash(message, "error")
        return redirect(url_for(".attempt", attempt_id=item.id))
    if _wants_json():
        return _save_reply(True, _("All answers saved."))
    flash(_("Your answers are saved."), "success")
    return redirect(url_for(".attempt", attempt_id=item.id))


@bp.post("/academy/attempts/<int:attempt_id>/submit")
@login_required
def submit(attempt_id: int) -> Any:
    item = _own_attempt(attempt_id)
    if not (decision := _access()):
        return _refused(decision)
    quiz = _quiz(item.quiz_id)
    if item.submitted_at is None:
        # The submit button sends the form too: keep its answers, if still in time.
        try:
            services.save_answers(item, quiz, request.form.to_dict(flat=False))
        except DomainError as error:
            db.session.refresh(item)
            if item.submitted_at is None:  # not saved: nothing is scored without them
                flash(error.message, "error")
                return redirect(url_for(".attempt", attempt_id=item.id))
        else:
            services.submit_attempt(item, quiz)
    return redirect(url_for(".result", attempt_id=item.id))


@bp.get("/academy/attempts/<int:attempt_id>/result")
@login_required
def result(attempt_id: int) -> Any:
    item = _own_attempt(attempt_id)
    if item.submitted_at is None:
        return redirect(url_for(".attempt", attempt_id=item.id))
    quiz = _quiz(item.quiz_id)
    attempts = services.past_attempts(current_user.id, quiz.id)
    used = sum(1 for a in attempts if a.submitted_at is not None)
    left = scoring.attempts_left(
        used, quiz.attempts_allowed, services.extra_attempts(current_user.id, quiz.id)
    )
    rule = services.start_decision(current_user, quiz, attempts)
    review = scoring.review_visible(quiz.review_mode, passed=item.passed, attempts_left=left)
    return render_template(
        "courses/result.html",
        attempt=item,
        quiz=quiz,
        left=left,
        rule=rule,
        why=services.explain_attempt(rule),
        review=review,
        answers=services.attempt_answers(item),
        certificate=_certificate(quiz.course_id) if item.passed else None,
        **_take_context(item, quiz),
    )


# --- Certificates ------------------------------------------------------------------------------


@bp.get("/academy/certificates")
@login_required
def my_certificates() -> str:
    certificates = db.session.scalars(
        select(Certificate)
        .where(Certificate.user_id == current_user.id)
        .order_by(Certificate.issued_at.desc())
    ).all()
    return render_template("courses/my_certificates.html", certificates=certificates)


def _by_code(code: str) -> Certificate | None:
    if not _CODE.match(code.strip()):
        return None
    return db.session.scalar(select(Certificate).where(Certificate.code == code.strip().upper()))


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


# --- Staff authoring ---------------------------------------------------------------------------


def _staff_course(course_id: int) -> Course:
    course = db.session.scalar(
        select(Course)
        .where(Course.id == course_id)
        .options(
            selectinload(Course.modules).selectinload(Module.lessons),
            selectinload(Course.quizzes),
        )
    )
    return course or abort(404)


def _course_values(form: CourseForm) -> dict[str, Any]:
    return {
        "title": form.title.data.strip(),
        "summary": (form.summary.data or "").strip(),
        "level": form.level.data,
        "product_area": form.product_area.data,
        "cover_image": (form.cover_image.data or "").strip(),
        "estimated_minutes": form.estimated_minutes.data,
        "published": bool(form.published.data),
    }


@bp.get("/staff/academy")
@staff_required
def staff_courses() -> str:
    page = paginate(select(Course).order_by(Course.title, Course.id))
    return render_template("courses/staff_courses.html", page=page)


@bp.route("/staff/academy/new", methods=["GET", "POST"])
@staff_required
def new_course() -> Any:
    form = CourseForm()
    if form.validate_on_submit():
        item = services.save_course(None, _course_values(form))
        flash(_("Course created. Add modules and lessons below."), "success")
        return redirect(url_for(".edit_course", course_id=item.id))
    return render_template("courses/course_form.html", form=form, course=None)


@bp.route("/staff/academy/<int:course_id>", methods=["GET", "POST"])
@staff_required
def edit_course(course_id: int) -> Any:
    item = _staff_course(course_id)
    form = CourseForm(obj=item)
    if form.validate_on_submit():
        services.save_course(item, _course_values(form))
        flash(_("Course saved."), "success")
        return redirect(url_for(".edit_course", course_id=item.id))
    return render_template(
        "courses/course_form.html", form=form, course=item, module_form=ModuleForm(formdata=None)
    )


@bp.post("/staff/academy/<int:course_id>/modules")
@staff_required
def add_module(course_id: int) -> Any:
    item = _staff_course(course_id)
    form = ModuleForm()
    if form.validate():
        services.add_module(item, form.title.data.strip())
        flash(_("Module added."), "success")
    else:
        flash(_("Give the module a title."), "error")
    return redirect(url_for(".edit_course", course_id=item.id))


def _module_choices(course: Course) -> list[tuple[int, str]]:
    return [(m.id, m.title) for m in course.modules]


def _lesson_form_page(course: Course, lesson: Lesson | None, form: LessonForm) -> Any:
    if form.validate_on_submit():
        module = next((m for m in course.modules if m.id == form.module_id.data), None)
        if module is None:
            abort(400)
        try:
            saved = services.save_lesson(
                lesson,
                module,
                title=form.title.data.strip(),
                body=form.body.data or "",
                video_url=form.video_url.data or "",
                attachments=form.attachments.data or "",
            )
        except DomainError as error:
            db.session.rollback()
            show_error(form, error)
        else:
            flash(_("Lesson saved."), "success")
            return redirect(url_for(".edit_lesson", lesson_id=saved.id))
    return render_template("courses/lesson_form.html", form=form, course=course, lesson=lesson)


@bp.route("/staff/academy/<int:course_id>/lessons/new", methods=["GET", "POST"])
@staff_required
def new_lesson(course_id: int) -> Any:
    item = _staff_course(course_id)
    if not item.modules:
        flash(_("Add a module first."), "error")
        return redirect(url_for(".edit_course", course_id=item.id))
    form = LessonForm()
    form.module_id.choices = _module_choices(item)
    if request.method == "GET":
        form.module_id.data = id_arg("module")
    return _lesson_form_page(item, None, form)


@bp.route("/staff/academy/lessons/<int:lesson_id>", methods=["GET", "POST"])
@staff_required
def edit_lesson(lesson_id: int) -> Any:
    course_id = db.session.scalar(select(Lesson.course_id).where(Lesson.id == lesson_id))
    item = _staff_course(course_id or abort(404))
    found = db.session.scalars(
        select(Lesson).where(Lesson.id == lesson_id).options(selectinload(Lesson.attachments))
    ).one()
    form = LessonForm(obj=found)
    form.module_id.choices = _module_choices(item)
    if request.method == "GET":
        form.attachments.data = "\n".join(f"{a.title} | {a.url}" for a in found.attachments)
    return _lesson_form_page(item, found, form)


@bp.post("/staff/academy/lessons/<int:lesson_id>/move")
@staff_required
def move_lesson(lesson_id: int) -> Any:
    found = db.session.get(Lesson, lesson_id) or abort(404)
    services.move_lesson(found, -1 if request.form.get("direction") == "up" else 1)
    return redirect(url_for(".edit_course", course_id=found.course_id) + f"#lesson-{found.id}")


def _staff_quiz(quiz_id: int) -> tuple[Quiz, Course]:
    """A quiz with its questions, and its course's outline (the course first: loading it
    again refreshes its quizzes, which would forget the questions loaded before)."""
    course_id = db.session.scalar(select(Quiz.course_id).where(Quiz.id == quiz_id))
    course = _staff_course(course_id or abort(404))
    return services.load_quiz(quiz_id), course


def _quiz_choices(course: Course) -> list[tuple[int, str]]:
    return [(0, _("Final quiz of the course")), *_module_choices(course)]


def _quiz_values(form: QuizForm) -> dict[str, Any]:
    return {
        "title": form.title.data.strip(),
        "module_id": form.module_id.data or None,
        "required": bool(form.required.data),
        "pass_mark": form.pass_mark.data,
        "attempts_allowed": form.attempts_allowed.data or 0,
        "wait_minutes": form.wait_minutes.data or 0,
        "time_limit_minutes": form.time_limit_minutes.data,
        "draw_count": form.draw_count.data,
        "shuffle_questions": bool(form.shuffle_questions.data),
        "shuffle_answers": bool(form.shuffle_answers.data),
        "review_mode": form.review_mode.data,
    }


@bp.route("/staff/academy/<int:course_id>/quizzes/new", methods=["GET", "POST"])
@staff_required
def new_quiz(course_id: int) -> Any:
    item = _staff_course(course_id)
    form = QuizForm()
    form.module_id.choices = _quiz_choices(item)
    if form.validate_on_submit():
        try:
            saved = services.save_quiz(None, item, _quiz_values(form))
        except DomainError as error:
            show_error(form, error)
        else:
            flash(_("Quiz created. Add its questions."), "success")
            return redirect(url_for(".edit_quiz", quiz_id=saved.id))
    return render_template("courses/quiz_form.html", form=form, course=item, quiz=None)


@bp.route("/staff/academy/quizzes/<int:quiz_id>", methods=["GET", "POST"])
@staff_required
def edit_quiz(quiz_id: int) -> Any:
    found, item = _staff_quiz(quiz_id)
    form = QuizForm(obj=found)
    form.module_id.choices = _quiz_choices(item)
    if request.method == "GET":
        form.module_id.data = found.module_id or 0
    if form.validate_on_submit():
        try:
            services.save_quiz(found, item, _quiz_values(form))
        except DomainError as error:
            show_error(form, error)
        else:
            flash(_("Quiz saved."), "success")
            return redirect(url_for(".edit_quiz", quiz_id=found.id))
    return _quiz_page(found, item, form, ExtraAttemptForm(formdata=None))


def _quiz_page(quiz: Quiz, course: Course, form: QuizForm, extra: ExtraAttemptForm) -> str:
    grants = db.session.scalars(
        select(ExtraAttempt)
        .where(ExtraAttempt.quiz_id == quiz.id)
        .options(selectinload(ExtraAttempt.user), selectinload(ExtraAttempt.granted_by))
        .order_by(ExtraAttempt.created_at.desc())
    ).all()
    return render_template(
        "courses/quiz_form.html",
        form=form,
        course=course,
        quiz=quiz,
        extra=extra,
        grants=grants,
    )


@bp.post("/staff/academy/quizzes/<int:quiz_id>/extra")
@staff_required
def grant_extra(quiz_id: int) -> Any:
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
    form = QuizForm(obj=found, formdata=None)
    form.module_id.choices = _quiz_choices(item)
    form.module_id.data = found.module_id or 0
    return _quiz_page(found, item, form, extra)


def _question_page(quiz: Quiz, question: Question | None, form: QuestionForm) -> Any:
    if form.validate_on_submit():
        number = kinds.parse_number(form.number.data or "")
        tolerance = kinds.parse_number(form.tolerance.data or "")
        try:
            services.save_question(
                question,
                quiz,
                kind=form.kind.data,
                prompt=form.prompt.data.strip(),
                choices=form.choices.data or "",
                accepted=form.accepted.data or "",
                number=number,
                tolerance=tolerance,
            )
        except DomainError as error:
            db.session.rollback()
            show_error(form, error)
        else:
            flash(_("Question saved."), "success")
            return redirect(url_for(".edit_quiz", quiz_id=quiz.id))
    return render_template("courses/question_form.html", form=form, quiz=quiz, question=question)


@bp.route("/staff/academy/quizzes/<int:quiz_id>/questions/new", methods=["GET", "POST"])
@staff_required
def new_question(quiz_id: int) -> Any:
    found = services.load_quiz(quiz_id) or abort(404)
    return _question_page(found, None, QuestionForm())


@bp.route("/staff/academy/questions/<int:question_id>", methods=["GET", "POST"])
@staff_required
def edit_question(question_id: int) -> Any:
    found = db.session.scalar(
        select(Question).where(Question.id == question_id).options(selectinload(Question.choices))
    ) or abort(404)
    quiz = services.load_quiz(found.quiz_id)
    form = QuestionForm(obj=found)
    if request.method == "GET":
        form.number.data = "" if found.number is None else f"{found.number:g}"
        form.tolerance.data = f"{found.tolerance:g}" if found.tolerance else ""
        form.choices.data = "\n".join(("* " if c.correct else "") + c.text for c in found.choices)
    return _question_page(quiz, found, form)
