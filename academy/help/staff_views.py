"""Staff pages of the help centre: articles, revisions and their history, comments, categories."""

from __future__ import annotations

from flask import (
    abort,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload
from werkzeug.wrappers import Response

from academy.accounts.models import Plan
from academy.core.errors import DomainError
from academy.core.forms import query_text, show_error
from academy.core.pagination import paginate
from academy.core.params import MAX_ID, id_arg, int_arg
from academy.core.security import staff_required
from academy.extensions import db
from academy.feedback.models import FeedbackItem, FeedbackKind
from academy.help import services
from academy.help.blueprint import bp
from academy.help.forms import ArticleForm, CategoryForm, SectionForm
from academy.help.models import (
    Article,
    ArticleRevision,
    ArticleStatus,
    HelpCategory,
    HelpSection,
)

SORTS = {
    "views": Article.views,
    "helpful": (Article.helpful_yes * 1.0)
    / func.nullif(Article.helpful_yes + Article.helpful_no, 0),
    "not_helpful": Article.helpful_no,
    "title": Article.title,
    "updated": Article.updated_at,
}


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
    page = paginate(query, per_page=50)
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
