"""Factories for help articles."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from academy.help import services
from academy.help.models import HelpCategory, HelpSection


@pytest.fixture
def section(db: Any) -> HelpSection:
    category = HelpCategory(slug="billing", name="Billing", name_ro="Facturare", position=0)
    db.session.add(category)
    db.session.flush()
    item = HelpSection(category_id=category.id, name="Invoices", name_ro="Facturi")
    db.session.add(item)
    db.session.commit()
    return item


@pytest.fixture
def author(make_user: Callable[..., Any]) -> Any:
    return make_user("staff", name="Mihai Author")


@pytest.fixture
def make_article(db: Any, section: HelpSection, author: Any) -> Callable[..., Any]:
    def make(
        title: str = "Create recurring invoices",
        body: str = "Recurring invoices repeat on a schedule.",
        status: str = "published",
        language: str = "en",
        translation_of: Any = None,
        **fields: Any,
    ) -> Any:
        return services.save_article(
            None,
            {"title": title, "body": body, "status": status, **fields},
            by=author,
            section_id=section.id,
            language=language,
            translation_of=translation_of,
        )

    return make
