"""The help centre: categories, sections and articles (POLICY R1 "a help section kept up to
date"), search, "was this helpful?", the support channels (R1/R2), and the staff side."""

from __future__ import annotations

import secrets
from typing import Any

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_limiter.util import get_remote_address
from flask_login import current_user
from itsdangerous import BadSignature, Signer
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload
from werkzeug.wrappers import Response

from academy.accounts.models import Plan
from academy.core.errors import DomainError
from academy.core.forms import query_text, show_error
from academy.core.pagination import paginate
from academy.core.params import MAX_ID, id_arg, int_arg, page_arg
from academy.core.security import staff_required
from academy.extensions import db, limiter
from academy.feedback.models import FeedbackItem, FeedbackKind
from academy.help import services
from academy.help.forms import ArticleForm, CategoryForm, SectionForm, WhyForm
from academy.help.models import (
    Article,
    ArticleRevision,
    ArticleStatus,
    HelpCategory,
    HelpSection,
)
from academy.help.search import search_articles
from academy.scheduling.access import overview
from academy.scheduling.policy import CHANNEL_NAMES

bp = Blueprint("help", __name__, url_prefix="/help")

VOTED = "help_votes"  # article ids this browser has voted on (one vote each)
JUST_VOTED = "help_just_voted"
VISITOR_SALT = "academy.visitor"
VISITOR_MAX_AGE = 365 * 24 * 3600


def _visitor_cookie() -> str:
    return "__Host-visitor" if current_app.config["SESSION_COOKIE_SECURE"] else "visitor"


def _visitor() -> tuple[str, bool]:
    """A visitor's id for "one vote per reader": from their signed cookie (it outlives the
    session and a login), or a new one (True: set the cookie)."""
    signer = Signer(current_app.config["SECRET_KEY"], salt=VISITOR_SALT)
    raw = request.cookies.get(_visitor_cookie(), "")
    try:
        return signer.unsign(raw).decode()[:32], False
    except BadSignature:
        return secrets.token_hex(16), True


def _vote_key() -> str:
    """Anonymous votes are counted per address and article: a new cookie per vote (5 fresh
    sessions, 5 votes) runs into this limit."""
    return f"{get_remote_address()}|{(request.view_args or {}).get('slug', '')}"


def _vote_limit() -> str:
    return str(current_app.config["HELP_VOTE_RATE_LIMIT"])


SORTS = {
    "views": Article.views,
    "helpful": (Article.helpful_yes * 1.0)
    / func.nullif(Article.helpful_yes + Article.helpful_no, 0),
    "not_helpful": Article.helpful_no,
    "title": Article.title,
    "updated": Article.updated_at,
}


def _language() -> str:
    return str(get_locale() or "en")


def article_url(article: Article, **kw: Any) -> str:
    return url_for("help.article", category=article.section.category.slug, slug=article.slug, **kw)


@bp.app_template_global()
def help_article_url(article: Article, **kw: Any) -> str:
    return article_url(article, **kw)


# --- Readers ---------------------------------------------------------------------------------


@bp.get("/")
def index() -> str:
    language = _language()
    channels = overview(current_user) if current_user.is_authenticated else None
    categories = db.session.scalars(select(HelpCategory).order_by(HelpCategory.position)).all()
    counts = dict(
        db.session.execute(
            select(HelpSection.category_id, func.count(Article.id))
            .join(Article, Article.section_id == HelpSection.id)
            .where(Article.status == ArticleStatus.PUBLISHED, Article.language == language)
            .group_by(HelpSection.category_id)
        ).all()
    )
    popular = db.session.execute(
        select(Article.title, Article.summary, Article.slug, HelpCategory.slug.label("category"))
        .join(HelpSection, Article.section_id == HelpSection.id)
        .join(HelpCategory, HelpSection.category_id == HelpCategory.id)
        .where(Article.status == ArticleStatus.PUBLISHED, Article.language == language)
        .order_by(Article.views.desc(), Article.id)
        .limit(6)
    ).all()
    return render_template(
        "help/index.html",
        channels=channels,
        names=CHANNEL_NAMES,
        categories=categories,
        counts=counts,
        popular=popular,
        language=language,
    )


@bp.get("/search")
def search() -> str:
    q = query_text()
    page_number = page_arg(10_000)
    results = search_articles(q, _language(), page_number)
    return render_template("help/search.html", q=q, results=results)


@bp.get("/<category>/")
def category(category: str) -> str:
    item = db.session.scalar(
        select(HelpCategory)
        .options(selectinload(HelpCategory.sections))
        .where(HelpCategory.slug == category)
    ) or abort(404)
    language = _language()
    page = paginate(
        select(Article)
        .join(HelpSection, Article.section_id == HelpSection.id)
        .where(
            HelpSection.category_id == item.id,
            Article.status == ArticleStatus.PUBLISHED,
        )
        .order_by(HelpSection.position, (Article.language == language).desc(), Article.title),
        per_page=50,
    )
    return render_template("help/category.html", category=item, page=page, language=language)


def _visible(category: str, slug: str) -> Article | Response:
    article, moved = services.find_article(slug)
    if article is None or not services.is_visible(article, current_user):
        abort(404)  # a draft is a 404 to clients and visitors
    if moved or article.section.category.slug != category:
        return redirect(article_url(article), 301)  # renamed: the old URL keeps working
    return article


@bp.get("/<category>/<slug>")
def article(category: str, slug: str) -> str | Response:
    found = _visible(category, slug)
    if isinstance(found, Response):
        return found
    item = found
    original_id = item.translation_of_id or item.id
    family = db.session.scalars(
        select(Article)
        .options(selectinload(Article.section).selectinload(HelpSection.category))
        .where(
            (Article.id == original_id) | (Article.translation_of_id == original_id),
            Article.id != item.id,
        )
    ).all()
    staff = current_user.is_authenticated and current_user.is_staff
    other_languages = [a for a in family if staff or a.status == ArticleStatus.PUBLISHED]
    original = next((a for a in family if a.id == item.translation_of_id), None)
    plan_names = []
    if item.plan_list:
        plan_names = db.session.scalars(
            select(Plan.name).where(Plan.code.in_(item.plan_list)).order_by(Plan.position)
        ).all()
    # Staff reading and the page shown again right after a vote are not views.
    if not staff and not session.pop(JUST_VOTED, False):
        services.record_view(item.id)
    voted = session.get(VOTED, {}).get(str(item.id))
    return render_template(
        "help/article.html",
        article=item,
        other_languages=other_languages,
        outdated=staff and services.is_outdated(item, original),
        plan_names=plan_names,
        voted=voted,
        ask_why=voted == "no" and request.args.get("why") == "1",
        why_form=WhyForm(),
    )


@bp.post("/<category>/<slug>/vote")
@limiter.limit(_vote_limit, key_func=_vote_key, exempt_when=lambda: current_user.is_authenticated)
def vote(category: str, slug: str) -> Response:
    found = _visible(category, slug)
    if isinstance(found, Response):
        return redirect(found.location, 303)
    answer = request.form.get("helpful")
    if answer not in ("yes", "no"):
        abort(400)
    visitor, new_visitor = (None, False) if current_user.is_authenticated else _visitor()
    votes = dict(session.get(VOTED, {}))
    if str(found.id) not in votes and found.status == ArticleStatus.PUBLISHED:
        # The database keeps one vote per reader (services.vote); this only shows the answer.
        services.vote(found, answer == "yes", current_user, visitor)
        votes[str(found.id)] = answer
        session[VOTED] = dict(list(votes.items())[-200:])
    session[JUST_VOTED] = True
    if answer == "no":
        response = redirect(article_url(found, why=1, _anchor="helpful"))
    else:
        flash(_("Thank you for telling us."), "success")
        response = redirect(article_url(found, _anchor="helpful"))
    if new_visitor and visitor:
        signed = Signer(current_app.config["SECRET_KEY"], salt=VISITOR_SALT).sign(visitor)
        response.set_cookie(
            _visitor_cookie(),
            signed.decode(),
            max_age=VISITOR_MAX_AGE,
            secure=current_app.config["SESSION_COOKIE_SECURE"],
            httponly=True,
            samesite="Lax",
        )
    return response


@bp.post("/<category>/<slug>/why")
@limiter.limit(lambda: str(current_app.config["FEEDBACK_RATE_LIMIT"]))
def why(category: str, slug: str) -> Response:
    found = _visible(category, slug)
    if isinstance(found, Response):
        return redirect(found.location, 303)
    form = WhyForm()
    if form.validate_on_submit() and (form.reason.data or "").strip():
        try:
            services.explain_not_helpful(found, current_user, form.reason.data)
        except DomainError as error:
            flash(error.message, "error")
            return redirect(article_url(found, why=1, _anchor="helpful"))
    session[JUST_VOTED] = True
    flash(_("Thank you. We will use this to improve the article."), "success")
    return redirect(article_url(found, _anchor="helpful"))


# --- Staff ------------------------------------------------------------------------------------


def _staff_article(article_id: int) -> Article:
    return db.session.scalar(
        select(Article)
        .options(
            selectinload(Article.section).selectinload(HelpSection.category),
            selectinload(Article.original),
        )
        .where(Article.id == article_id)
    ) or abort(404)


@bp.get("/staff/articles")
@staff_required
def staff_articles() -> str:
    sort = request.args.get("sort", "updated")
    column = SORTS.get(sort, Article.updated_at)
    descending = request.args.get("dir", "desc") != "asc"
    comments = (
        select(FeedbackItem.article_id, func.count(FeedbackItem.id).label("n"))
        .where(FeedbackItem.kind == FeedbackKind.ARTICLE)
        .group_by(FeedbackItem.article_id)
        .subquery()
    )
    status = request.args.get("status", "")
    query = select(Article).options(
        selectinload(Article.section).selectinload(HelpSection.category),
        selectinload(Article.original),
    )
    if status in set(ArticleStatus):
        query = query.where(Article.status == status)
    if q := query_text():
        query = query.where(Article.title.ilike(f"%{q}%"))
    if sort == "comments":
        query = query.outerjoin(comments, comments.c.article_id == Article.id)
        order = func.coalesce(comments.c.n, 0)
    else:
        order = column
    query = query.order_by(
        order.desc().nulls_last() if descending else order.asc().nulls_last(), Article.id
    )
    page = db.paginate(query, page=_page_arg(), per_page=50, error_out=True)
    counts = dict(
        db.session.execute(
            select(FeedbackItem.article_id, func.count(FeedbackItem.id))
            .where(
                FeedbackItem.kind == FeedbackKind.ARTICLE,
                FeedbackItem.article_id.in_([a.id for a in page.items]),
            )
            .group_by(FeedbackItem.article_id)
        ).all()
    )
    return render_template(
        "help/staff_articles.html",
        page=page,
        counts=counts,
        sort=sort,
        descending=descending,
        status=status,
        q=q,
        is_outdated=services.is_outdated,
    )


def _page_arg() -> int:
    return page_arg()


def _section_choices() -> list[tuple[int, str]]:
    rows = db.session.execute(
        select(HelpSection.id, HelpSection.name, HelpCategory.name)
        .join(HelpCategory)
        .order_by(HelpCategory.position, HelpSection.position)
    ).all()
    return [(sid, f"{cname} › {sname}") for sid, sname, cname in rows]  # noqa: RUF001


def _plan_choices() -> list[tuple[str, str]]:
    return [
        tuple(r) for r in db.session.execute(select(Plan.code, Plan.name).order_by(Plan.position))
    ]  # type: ignore[misc]


def _edit(article: Article | None, translation_of: Article | None = None) -> str | Response:
    form = ArticleForm(obj=article) if article else ArticleForm()
    form.section_id.choices = _section_choices()
    form.plans.choices = _plan_choices()
    if request.method == "GET":
        if article:
            form.plans.data = article.plan_list
        elif translation_of:
            form.section_id.data = translation_of.section_id
            form.plans.data = translation_of.plan_list
            form.tags.data = translation_of.tags
    language = (
        article.language
        if article
        else ("ro" if translation_of else request.args.get("language", "en"))
    )
    if language not in ("en", "ro"):
        language = "en"
    preview = None
    if form.validate_on_submit():
        if "preview" in request.form:
            preview = form.body.data
        else:
            try:
                saved = services.save_article(
                    article,
                    {
                        "title": form.title.data,
                        "slug": form.slug.data,
                        "summary": form.summary.data,
                        "body": form.body.data,
                        "tags": form.tags.data,
                        "plans": form.plans.data,
                        "status": form.status.data,
                    },
                    by=current_user,
                    section_id=form.section_id.data,
                    language=language,
                    translation_of=translation_of,
                )
            except DomainError as error:
                show_error(form, error)
            else:
                flash(_("The article is saved."), "success")
                return redirect(url_for(".edit_article", article_id=saved.id))
    return render_template(
        "help/edit.html",
        form=form,
        article=article,
        translation_of=translation_of,
        language=language,
        preview=preview,
    )


@bp.route("/staff/articles/new", methods=["GET", "POST"])
@staff_required
def new_article() -> str | Response:
    translation_of = None
    if original_id := id_arg("translation_of"):
        translation_of = _staff_article(original_id)
        if translation_of.translation_of_id is not None:
            abort(404)
        existing = db.session.scalar(
            select(Article.id).where(
                Article.translation_of_id == translation_of.id, Article.language == "ro"
            )
        )
        if existing:
            return redirect(url_for(".edit_article", article_id=existing))
    return _edit(None, translation_of)


@bp.route("/staff/articles/<int:article_id>/edit", methods=["GET", "POST"])
@staff_required
def edit_article(article_id: int) -> str | Response:
    return _edit(_staff_article(article_id))


@bp.get("/staff/articles/<int:article_id>/history")
@staff_required
def history(article_id: int) -> str:
    item = _staff_article(article_id)
    revisions = db.session.scalars(
        select(ArticleRevision)
        .options(selectinload(ArticleRevision.author))
        .where(ArticleRevision.article_id == item.id)
        .order_by(ArticleRevision.number.desc())
    ).all()
    diff, pair = None, None
    a = int_arg("a", 0, minimum=0, maximum=MAX_ID)
    b = int_arg("b", 0, minimum=0, maximum=MAX_ID)
    if a and b:
        by_number = {r.number: r for r in revisions}
        if a not in by_number or b not in by_number:
            abort(404)
        old, new = sorted((by_number[a], by_number[b]), key=lambda r: r.number)
        diff, pair = services.diff_revisions(old, new), (old, new)
    return render_template(
        "help/history.html", article=item, revisions=revisions, diff=diff, pair=pair
    )


@bp.post("/staff/articles/<int:article_id>/restore/<int:number>")
@staff_required
def restore(article_id: int, number: int) -> Response:
    item = _staff_article(article_id)
    revision = db.session.scalar(
        select(ArticleRevision).where(
            ArticleRevision.article_id == item.id, ArticleRevision.number == number
        )
    ) or abort(404)
    try:
        services.restore_revision(item, revision, by=current_user)
    except DomainError as error:
        flash(error.message, "error")
    else:
        flash(_("Revision %(number)d is restored.", number=number), "success")
    return redirect(url_for(".history", article_id=item.id))


@bp.get("/staff/articles/<int:article_id>/comments")
@staff_required
def comments(article_id: int) -> str:
    item = _staff_article(article_id)
    page = paginate(
        select(FeedbackItem)
        .options(selectinload(FeedbackItem.user))
        .where(FeedbackItem.kind == FeedbackKind.ARTICLE, FeedbackItem.article_id == item.id)
        .order_by(FeedbackItem.created_at.desc())
    )
    return render_template("help/comments.html", article=item, page=page)


@bp.route("/staff/categories", methods=["GET", "POST"])
@staff_required
def staff_categories() -> str | Response:
    category_form = CategoryForm(prefix="c")
    section_form = SectionForm(prefix="s")
    categories = db.session.scalars(
        select(HelpCategory)
        .options(selectinload(HelpCategory.sections))
        .order_by(HelpCategory.position)
    ).all()
    section_form.category_id.choices = [(c.id, c.name) for c in categories]
    if request.method == "POST":
        try:
            if "c-name" in request.form and category_form.validate():
                services.create_category(
                    category_form.name.data,
                    category_form.name_ro.data or "",
                    category_form.description.data or "",
                    category_form.description_ro.data or "",
                )
                flash(_("The category is added."), "success")
                return redirect(url_for(".staff_categories"))
            if "s-name" in request.form and section_form.validate():
                parent = db.session.get(HelpCategory, section_form.category_id.data or 0)
                if parent is None:
                    raise DomainError(_("Choose a category."), "category_id")
                services.create_section(
                    parent, section_form.name.data, section_form.name_ro.data or ""
                )
                flash(_("The section is added."), "success")
                return redirect(url_for(".staff_categories"))
        except DomainError as error:
            show_error(category_form if "c-name" in request.form else section_form, error)
    return render_template(
        "help/staff_categories.html",
        categories=categories,
        category_form=category_form,
        section_form=section_form,
    )
