from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy.exc import StatementError

from academy.accounts.models import User


def test_instants_come_back_aware_utc(db, make_user):
    bucharest_noon = datetime(2026, 7, 1, 12, 0, tzinfo=timezone(timedelta(hours=3)))
    user = make_user(created_at=bucharest_noon)
    db.session.expire_all()
    again = db.session.get(User, user.id)
    assert again.created_at == datetime(2026, 7, 1, 9, 0, tzinfo=UTC)
    assert again.created_at.tzinfo is UTC


def test_naive_instants_are_refused(db, make_user):
    with pytest.raises(StatementError, match="naive datetime"):
        make_user(created_at=datetime(2026, 7, 1, 12, 0))
    db.session.rollback()
