"""A firm with an owner and members, and reading the links of the emails it sends."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
import sqlalchemy as sa

from academy.accounts.models import Firm, FirmRole, Plan
from academy.notifications.models import OutboxMessage


@pytest.fixture
def make_firm(db: Any, make_user: Callable[..., Any]) -> Callable[..., Any]:
    def make(*, seats: int = 5, members: int = 0, plan: str = "business", **owner_kw: Any) -> Any:
        plan_row = db.session.scalar(sa.select(Plan).where(Plan.code == plan))
        firm = Firm(name="Acme Accounting", plan=plan_row, seats=seats)
        db.session.add(firm)
        owner = make_user(firm=firm, firm_role=FirmRole.OWNER, **owner_kw)
        for _ in range(members):
            make_user(firm=firm, firm_role=FirmRole.MEMBER)
        return firm, owner

    return make


def invitation_links(db: Any, email: str) -> list[str]:
    """The invitation links emailed to `email`, oldest first."""
    bodies = db.session.scalars(
        sa.select(OutboxMessage.body_text)
        .where(OutboxMessage.recipient == email, OutboxMessage.kind == "firm_invitation")
        .order_by(OutboxMessage.id)
    )
    return [
        m.group(0) for b in bodies for m in [re.search(r"http://localhost/invitations/\S+", b)] if m
    ]


def path(link: str) -> str:
    return link.removeprefix("http://localhost")


@pytest.fixture
def make_course(db: Any) -> Callable[..., Any]:
    """A published course (the Academy's own factory: tests/courses/conftest.py)."""
    from tests.courses.conftest import make_course as factory

    return factory.__wrapped__(db)  # type: ignore[attr-defined]
