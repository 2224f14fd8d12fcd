"""Pagination (issue 15): one query per page; the count only where a page shows a total."""

import pytest
import sqlalchemy as sa
from werkzeug.exceptions import NotFound

from academy.accounts.models import User
from academy.core.pagination import paginate


def _users():
    return sa.select(User).order_by(User.id)


@pytest.mark.parametrize(
    ("made", "page", "shown", "has_next"),
    [(4, 1, 4, False), (5, 1, 5, False), (6, 1, 5, True), (6, 2, 1, False), (10, 2, 5, False)],
)
def test_a_page_knows_its_neighbours_from_one_extra_row(
    app, make_user, queries, made, page, shown, has_next
):
    app.config["PER_PAGE"] = 5
    for _ in range(made):
        make_user()
    with app.test_request_context(f"/?page={page}"), queries() as q:
        result = paginate(_users())
    assert q.count == 1  # the rows only: no count(*)
    assert (len(result.items), result.has_next, result.has_prev) == (shown, has_next, page > 1)
    assert result.total is None and result.pages is None


def test_a_page_past_the_end_is_a_404_but_an_empty_first_page_is_not(app, make_user):
    app.config["PER_PAGE"] = 5
    with app.test_request_context("/?page=1"):
        assert paginate(_users()).items == []
    for _ in range(5):
        make_user()
    with app.test_request_context("/?page=2"), pytest.raises(NotFound):
        paginate(_users())


def test_a_counted_page_has_its_total(app, make_user, queries):
    app.config["PER_PAGE"] = 5
    for _ in range(7):
        make_user()
    with app.test_request_context("/?page=2"), queries() as q:
        result = paginate(_users(), count=True)
    assert q.count == 2
    assert (result.total, result.pages, len(result.items), result.has_next) == (7, 2, 2, False)
