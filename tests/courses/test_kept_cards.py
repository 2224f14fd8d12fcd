"""The catalogue's cards are kept rendered (core.caching) under a digest of their rows, which
carry the viewer's progress: clients at the same point share the cards, and a lesson done or
a course edited shows at once (issue 15)."""

import sqlalchemy as sa

from academy.courses.models import Lesson
from tests.fixtures.accounts import log_in


def test_kept_cards_show_each_clients_own_progress_and_follow_each_change(
    app, client, db, make_user, make_course
):
    course = make_course(lessons=3, quiz=False)
    first_lesson = db.session.scalars(sa.select(Lesson).order_by(Lesson.position)).first()
    ana, bob, visitor = client, app.test_client(), app.test_client()
    log_in(ana, make_user())
    log_in(bob, make_user())
    for _ in range(2):  # the second time from the kept cards
        for browser in (ana, bob):
            assert "0 of 3 lessons" in browser.get("/academy").text

    ana.post(f"/academy/{course.slug}/lessons/{first_lesson.id}/complete")
    assert "1 of 3 lessons" in ana.get("/academy").text
    assert "0 of 3 lessons" in bob.get("/academy").text
    page = visitor.get("/academy").text
    assert course.title in page and " of 3 lessons" not in page

    course.title = "Recurring invoices, step by step"
    db.session.commit()
    for browser in (ana, bob):
        assert "Recurring invoices, step by step" in browser.get("/academy").text
