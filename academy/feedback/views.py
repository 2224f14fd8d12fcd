"""Feedback pages (POLICY R17): the general form, "My feedback", and staff triage."""

from __future__ import annotations

from datetime import datetime
from functools import lru_cache
from typing import Any, NamedTuple

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import Select, bindparam, or_, select
from sqlalchemy.orm import aliased, selectinload
from werkzeug.wrappers import Response as WerkzeugResponse

from academy.accounts.models import User
from academy.accounts.services import staff_choices
from academy.core.caching import fragment_key
from academy.core.errors import DomainError
from academy.core.forms import query_text, show_error
from academy.core.pagination import pageable, paginate, paginate_rows
from academy.core.params import to_id
from academy.core.security import staff_required
from academy.core.urls import UrlPattern
from academy.extensions import db, limiter
from academy.feedback import services
from academy.feedback.forms import FeedbackForm, NoteForm, TriageForm
from academy.feedback.models import FeedbackItem, FeedbackKind, FeedbackNote, FeedbackStatus

bp = Blueprint("feedback", __name__)

SORTS = {
    "new": FeedbackItem.created_at.desc(),
    "old": FeedbackItem.created_at.asc(),
    "rating": FeedbackItem.rating.asc().nulls_last(),
}
CSV_MAX_ROWS = 50_000


def _limit() -> str:
    return str(current_app.config["FEEDBACK_RATE_LIMIT"])


@bp.route("/feedback", methods=["GET", "POST"])
@limiter.limit(_limit, methods=["POST"])
def index() -> str | WerkzeugResponse:
    form = FeedbackForm()
    if current_user.is_authenticated:
        del form.email
    if form.validate_on_submit():
        try:
            services.leave_feedback(
                kind=FeedbackKind.GENERAL,
                user=current_user if current_user.is_authenticated else None,
                category=form.category.data,
                message=form.message.data,
                rating=int(form.rating.data) if form.rating.data else None,
                email=form.email.data if "email" in form else "",
            )
        except DomainError as error:
            show_error(form, error)
        else:
            flash(_("Thank you! Your feedback reaches the team today."), "success")
            if current_user.is_authenticated:
                return redirect(url_for(".mine"))
            return redirect(url_for(".index"))
    return render_template("feedback/form.html", form=form)


@bp.get("/feedback/mine")
@login_required
def mine() -> str:
    page = paginate(
        select(FeedbackItem)
        .where(FeedbackItem.user_id == current_user.id)
        .order_by(FeedbackItem.created_at.desc(), FeedbackItem.id.desc())
    )
    return render_template("feedback/mine.html", page=page)


# --- Staff triage --------------------------------------------------------------------------------


class TriageRow(NamedTuple):
    """One item of the triage list: only what the table shows."""

    id: int
    kind: str
    message: str
    subject_title: str
    category: str
    rating: int | None
    email: str
    status: str
    created_at: datetime
    user_id: int | None
    user_name: str | None
    assignee_name: str | None


_FROM = aliased(User, name="sender")
_ASSIGNEE = aliased(User, name="assignee")
# The triage list as rows of plain columns, the sender and assignee joined, built once:
# loading entities and each row's two users by selectinload was most of the page (issue 15).
_TRIAGE = (
    select(
        FeedbackItem.id,
        FeedbackItem.kind,
        FeedbackItem.message,
        FeedbackItem.subject_title,
        FeedbackItem.category,
        FeedbackItem.rating,
        FeedbackItem.email,
        FeedbackItem.status,
        FeedbackItem.created_at,
        FeedbackItem.user_id,
        _FROM.name,
        _ASSIGNEE.name,
    )
    .outerjoin(_FROM, _FROM.id == FeedbackItem.user_id)
    .outerjoin(_ASSIGNEE, _ASSIGNEE.id == FeedbackItem.assignee_id)
)
_EXPORT = select(FeedbackItem).options(
    selectinload(FeedbackItem.user), selectinload(FeedbackItem.assignee)
)


def _filters() -> tuple[tuple[str, str, str, bool, str], dict[str, object], dict[str, str]]:
    """The filters and order the request asks for: (the shape of `_filtered`'s statement, its
    params, the arguments as the form shows them)."""
    args = {k: request.args.get(k, "") for k in ("status", "kind", "assignee", "sort")}
    args["q"] = query_text()
    params: dict[str, object] = {"status": args["status"], "kind": args["kind"]}
    status = args["status"] if args["status"] in {"open", *FeedbackStatus} else ""
    kind = args["kind"] if args["kind"] in set(FeedbackKind) else ""
    assignee = args["assignee"] if args["assignee"] == "none" else ""
    if args["assignee"] == "me":
        assignee, params["assignee_id"] = "one", current_user.id
    elif (assignee_id := to_id(args["assignee"])) is not None:
        assignee, params["assignee_id"] = "one", assignee_id
    if args["q"]:
        params["like"] = f"%{args['q']}%"
    sort = args["sort"] if args["sort"] in SORTS else "new"
    return (status, kind, assignee, bool(args["q"]), sort), params, args


@lru_cache(maxsize=64)
def _filtered(
    export: bool, status: str, kind: str, assignee: str, search: bool, sort: str
) -> Select[Any]:
    """The triage list (pageable), or its CSV export's entities, with the filters of
    `_filters`, built once per combination: building and keying it anew was a twentieth of the
    page (issue 15)."""
    query = _EXPORT if export else _TRIAGE
    if status == "open":
        query = query.where(FeedbackItem.status.in_([FeedbackStatus.NEW, FeedbackStatus.IN_REVIEW]))
    elif status:
        query = query.where(FeedbackItem.status == bindparam("status"))
    if kind:
        query = query.where(FeedbackItem.kind == bindparam("kind"))
    if assignee == "one":
        query = query.where(FeedbackItem.assignee_id == bindparam("assignee_id"))
    elif assignee == "none":
        query = query.where(FeedbackItem.assignee_id.is_(None))
    if search:
        like = bindparam("like")
        query = query.where(
            or_(
                FeedbackItem.message.ilike(like),
                FeedbackItem.subject_title.ilike(like),
                FeedbackItem.email.ilike(like),
            )
        )
    query = query.order_by(SORTS[sort], FeedbackItem.id.desc())
    return query if export else pageable(query)


@bp.get("/staff/feedback")
@staff_required
def triage() -> str:
    shape, params, args = _filters()
    page = paginate_rows(_filtered(False, *shape), params, make=TriageRow)
    return render_template(
        "feedback/triage.html",
        page=page,
        rows_key=fragment_key(page.items),
        args=args,
        staff=staff_choices(),
        item_url=UrlPattern(".staff_item", "item_id"),
    )


@bp.get("/staff/feedback.csv")
@staff_required
def export() -> Response:
    shape, params, _args = _filters()
    items = db.session.scalars(_filtered(True, *shape).limit(CSV_MAX_ROWS), params).all()
    return Response(
        services.export_csv(items),
        mimetype="text/csv",
        headers={"Content-Disposition": "attachment; filename=feedback.csv"},
    )


def _item(item_id: int) -> FeedbackItem:
    return db.session.scalar(
        select(FeedbackItem)
        .options(selectinload(FeedbackItem.user), selectinload(FeedbackItem.assignee))
        .where(FeedbackItem.id == item_id)
    ) or abort(404)


@bp.route("/staff/feedback/<int:item_id>", methods=["GET", "POST"])
@staff_required
def staff_item(item_id: int) -> str | WerkzeugResponse:
    item = _item(item_id)
    form = (
        TriageForm(status=item.status, assignee=str(item.assignee_id or ""), answer=item.answer)
        if request.method == "GET"
        else TriageForm()
    )
    form.assignee.choices = [("", _("Nobody")), *staff_choices()]
    note_form = NoteForm(prefix="note")
    if form.validate_on_submit():
        assignee_id = to_id(form.assignee.data)
        assignee = db.session.get(User, assignee_id) if assignee_id else None
        try:
            services.triage(
                item,
                by=current_user,
                status=FeedbackStatus(form.status.data),
                assignee=assignee,
                answer=form.answer.data or "",
            )
        except DomainError as error:
            show_error(form, error)
        else:
            flash(_("Saved."), "success")
            return redirect(url_for(".staff_item", item_id=item.id))
    notes = db.session.scalars(
        select(FeedbackNote)
        .options(selectinload(FeedbackNote.author))
        .where(FeedbackNote.item_id == item.id)
        .order_by(FeedbackNote.created_at)
    ).all()
    return render_template(
        "feedback/item.html", item=item, form=form, note_form=note_form, notes=notes
    )


@bp.post("/staff/feedback/<int:item_id>/notes")
@staff_required
def add_note(item_id: int) -> WerkzeugResponse:
    item = _item(item_id)
    form = NoteForm(prefix="note")
    if form.validate_on_submit():
        try:
            services.add_note(item, by=current_user, body=form.body.data)
        except DomainError as error:
            flash(error.message, "error")
        else:
            flash(_("The note is added."), "success")
    else:
        flash(_("Write the note."), "error")
    return redirect(url_for(".staff_item", item_id=item.id, _anchor="notes"))
