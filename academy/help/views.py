"""The help centre: categories, sections and articles (POLICY R1 "a help section kept up to
date"), search, "was this helpful?", the support channels (R1/R2), and the staff side."""

from __future__ import annotations

import secrets

from flask import (
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
)
from flask_babel import gettext as _
from flask_limiter.util import get_remote_address
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from itsdangerous import BadSignature, Signer
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload
from werkzeug.wrappers import Response

from academy.accounts.models import Plan
from academy.core.caching import visitor_page
from academy.core.errors import DomainError
from academy.core.forms import query_text
from academy.core.pagination import paginate
from academy.core.params import page_arg
from academy.core.security import same_origin
from academy.extensions import csrf, db, limiter
from academy.help import services
from academy.help.blueprint import article_url, bp, reading_language
from academy.help.forms import WhyForm
from academy.help.models import (
    Article,
    ArticleStatus,
    HelpCategory,
    HelpSection,
)
from academy.help.search import search_articles
from academy.scheduling.access import overview
from academy.scheduling.policy import CHANNEL_NAMES

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


@bp.get("/")
def index() -> str:
    # "Popular" follows the view counter, which is not a version: up to VISITOR_PAGE_SECONDS old.
    return visitor_page(_index_page, versions=("help",))


def _index_page() -> str:
    language = reading_language()
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
    return visitor_page(
        lambda: render_template(
            "help/search.html", q=q, results=search_articles(q, reading_language(), page_number)
        ),
        versions=("help",),
    )


@bp.get("/<category>/")
def category(category: str) -> str:
    return visitor_page(lambda: _category_page(category), versions=("help",))


def _category_page(category: str) -> str:
    item = db.session.scalar(
        select(HelpCategory)
        .options(selectinload(HelpCategory.sections))
        .where(HelpCategory.slug == category)
    ) or abort(404)
    language = reading_language()
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
    staff = current_user.is_authenticated and current_user.is_staff
    # Staff reading and the page shown again right after a vote are not views.
    if not staff and not session.pop(JUST_VOTED, False):
        services.record_view(slug)  # by its URL: a visitor's page may come from memory
    return visitor_page(lambda: _article_page(category, slug, staff), versions=("help", "plans"))


def _article_page(category: str, slug: str, staff: bool) -> str | Response:
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
    other_languages = [a for a in family if staff or a.status == ArticleStatus.PUBLISHED]
    original = next((a for a in family if a.id == item.translation_of_id), None)
    plan_names = []
    if item.plan_list:
        plan_names = db.session.scalars(
            select(Plan.name).where(Plan.code.in_(item.plan_list)).order_by(Plan.position)
        ).all()
    voted = session.get(VOTED, {}).get(str(item.id)) if session else None
    ask_why = voted == "no" and request.args.get("why") == "1"
    return render_template(
        "help/article.html",
        article=item,
        other_languages=other_languages,
        outdated=staff and services.is_outdated(item, original),
        plan_names=plan_names,
        voted=voted,
        ask_why=ask_why,
        why_form=WhyForm() if ask_why else None,
    )


@bp.post("/<category>/<slug>/vote")
@csrf.exempt  # checked below: a visitor's article page carries no token (core.caching)
@limiter.limit(_vote_limit, key_func=_vote_key, exempt_when=lambda: current_user.is_authenticated)
def vote(category: str, slug: str) -> Response:
    if current_app.config["WTF_CSRF_ENABLED"]:
        if current_user.is_authenticated:
            csrf.protect()
        elif not same_origin():
            raise CSRFError(_("This vote was not sent from our help page."))
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
