"""The help centre's blueprint and what its readers' and staff pages share."""

from __future__ import annotations

from typing import Any

from flask import (
    Blueprint,
    url_for,
)
from flask_babel import get_locale

from academy.help.models import (
    Article,
)

bp = Blueprint("help", __name__, url_prefix="/help")


def reading_language() -> str:
    return str(get_locale() or "en")


def article_url(article: Article, **kw: Any) -> str:
    return url_for("help.article", category=article.section.category.slug, slug=article.slug, **kw)


@bp.app_template_global()
def help_article_url(article: Article, **kw: Any) -> str:
    return article_url(article, **kw)
