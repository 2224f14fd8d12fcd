"""Nothing anyone sends produces a 500: every route, every role, junk input."""

import pytest

JUNK_QUERIES = [
    {},
    {"page": "abc"},
    {"page": "-1"},
    {"page": "99999999999999999999"},
    {"q": "' OR 1=1 --"},
    "q=%00%ff%fe&page=%ff",  # a raw query string that is not UTF-8
    {"next": "//evil.example"},
]
JUNK_FORMS = [
    {},
    {
        "email": "not-an-email",
        "password": "x" * 5000,
        "name": "",
        "timezone": "../../etc",
        "language": "xx",
        "plan": "abc",
        "seats": "-5",
        "role": "god",
        "next": "javascript:x",
    },
    {"profile-name": "\x00", "pw-password": "a", "g_1_chat": "NaN", "confirm": ["a", "b"]},
]


def _urls(app):
    """Concrete URLs for every rule, with ids that exist (1), ids that do not, junk and ids
    too large for any integer column (SQLite's driver overflows on them)."""
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        values = {arg: 1 for arg in rule.arguments}
        existing = rule.build(values, append_unknown=False)[1]
        yield rule, existing
        if rule.arguments:
            yield rule, rule.build({a: 987654 for a in rule.arguments}, append_unknown=False)[1]
            yield rule, existing.replace("/1", "/x")  # not a number at all
            yield rule, existing.replace("/1", "/" + "9" * 25)  # beyond any database integer


@pytest.mark.parametrize("role", [None, "client", "staff", "admin"])
def test_no_500_for_any_route_and_role(app, client, login, make_user, role):
    make_user()  # so that id 1 exists for firms and users
    if role:
        login(make_user(role))
    failures = []
    for rule, url in _urls(app):
        if "GET" in rule.methods:
            for query in JUNK_QUERIES:
                r = client.get(url, query_string=query)
                if r.status_code >= 500:
                    failures.append(("GET", url, query, r.status_code))
        if "POST" in rule.methods and rule.endpoint != "accounts.logout":
            for form in JUNK_FORMS:
                r = client.post(url, data=form)
                if r.status_code >= 500:
                    failures.append(("POST", url, form, r.status_code))
    assert failures == []


# --- Issue 13: hostile values in every parameter and field of every route ---------------------

# Every name a view reads from the query string or a form (core.params, the forms' fields, and
# the prefixed forms' fields), so that each value reaches every parser.
NAMES = [
    "a",
    "action",
    "answer",
    "area",
    "assignee",
    "attachments",
    "attempts_allowed",
    "b",
    "body",
    "booking",
    "capacity",
    "category",
    "category_id",
    "choices",
    "client_email",
    "confirm",
    "current_password",
    "day",
    "description",
    "description_ro",
    "dir",
    "direction",
    "draw_count",
    "duration",
    "email",
    "end",
    "estimated_minutes",
    "evidence_text",
    "fee",
    "firm",
    "helpful",
    "host",
    "kind",
    "label",
    "language",
    "level",
    "measure",
    "meeting_url",
    "message",
    "module",
    "module_id",
    "name",
    "name_ro",
    "next",
    "note",
    "number",
    "occurrence",
    "outcome",
    "page",
    "pass_mark",
    "password",
    "phone",
    "plan",
    "plans",
    "product_area",
    "prompt",
    "q",
    "rating",
    "reason",
    "required",
    "review_mode",
    "role",
    "seats",
    "section_id",
    "slug",
    "sort",
    "start",
    "status",
    "subject",
    "summary",
    "tags",
    "time",
    "time_limit_minutes",
    "timezone",
    "title",
    "tolerance",
    "translation_of",
    "until",
    "video_url",
    "wait_minutes",
    "week",
    "when",
    "why",
]
PREFIXED = {
    "c": "name name_ro description description_ro",
    "s": "category_id name name_ro",
    "profile": "name phone timezone language",
    "pw": "current_password password",
    "reply": "body",
    "room": "meeting_url",
    "off": "day reason",
    "set": "status assignee client_email",
    "note": "body",
    "u1": "role",
}
QUERY_NAMES = [
    "a",
    "b",
    "area",
    "assignee",
    "booking",
    "dir",
    "direction",
    "end",
    "host",
    "language",
    "level",
    "page",
    "q",
    "sort",
    "start",
    "status",
    "translation_of",
    "week",
    "when",
]

HOSTILE = {
    "year-1-instant": "0001-01-01T00:00:00+14:00",
    "year-9999-instant": "9999-12-31T23:59:59-14:00",
    "year-1-date": "0001-01-01",
    "year-9999-date": "9999-12-31",
    "int-2**31": str(2**31),
    "int-2**63": str(2**63),
    "foreign-digits": "١٢²",
    "5000-digits": "9" * 5000,
    "nul": "1\x002",
    "20000-chars": "x" * 20_000,
}


@pytest.fixture
def world(app, db, clock, make_user, make_host, book, make_workshop, register):
    """One of everything a URL names, so that views get past "not found" to their parsing."""
    from datetime import timedelta

    from academy.help import services as help_services
    from academy.help.models import HelpCategory, HelpSection
    from academy.scheduling.models import Offering
    from tests.courses.conftest import make_quiz

    member = make_user()  # id 1: users and firms
    staff = make_user("admin")
    booking = book(member, make_host(), clock.now().replace(hour=7) + timedelta(days=2))
    occurrence = make_workshop(title="Hostile workshop")
    register(member, occurrence)
    workshop = db.session.get(Offering, occurrence.offering_id)
    from academy.courses.models import Course, Lesson, Module

    course = Course(
        slug="hostile-course",
        title="C",
        summary="",
        level="beginner",
        product_area="basics",
        estimated_minutes=5,
        published=True,
    )
    db.session.add(course)
    db.session.flush()
    module = Module(course_id=course.id, title="M", position=1)
    db.session.add(module)
    db.session.flush()
    lesson = Lesson(course_id=course.id, module_id=module.id, title="L", body="b", position=1)
    db.session.add(lesson)
    db.session.commit()
    quiz = make_quiz(course)
    category = HelpCategory(slug="billing", name="Billing")
    db.session.add(category)
    db.session.flush()
    section = HelpSection(category_id=category.id, name="Invoices")
    db.session.add(section)
    db.session.commit()
    article = help_services.save_article(
        None,
        {"title": "Recurring", "body": "b", "status": "published"},
        by=staff,
        section_id=section.id,
        language="en",
        translation_of=None,
    )
    ids = {
        "booking_id": booking.id,
        "occurrence_id": occurrence.id,
        "offering_id": workshop.id,
        "course_id": course.id,
        "lesson_id": lesson.id,
        "quiz_id": quiz.id,
        "article_id": article.id,
        "category": "billing",
    }
    slugs = {"sessions": "quick-assist", "workshops": workshop.slug,
             "courses": course.slug, "help": article.slug}  # fmt: skip
    return member, staff, ids, slugs


def _hostile_failures(app, client, world, value):
    _, _, ids, slugs = world
    form = {name: value for name in NAMES}
    form.update({f"{p}-{name}": value for p, names in PREFIXED.items() for name in names.split()})
    query = {name: value for name in QUERY_NAMES}
    failures = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        blueprint = rule.endpoint.split(".")[0]
        values = {
            a: ids.get(a, slugs.get(blueprint, 1) if a == "slug" else 1) for a in rule.arguments
        }
        url = rule.build(values, append_unknown=False)[1]
        if "GET" in rule.methods:
            r = client.get(url, query_string=query)
            if r.status_code >= 500:
                failures.append(("GET", url, r.status_code))
        if "POST" in rule.methods and rule.endpoint != "accounts.logout":
            r = client.post(url, data=form, query_string=query)
            if r.status_code >= 500:
                failures.append(("POST", url, r.status_code))
    return failures


def _become(login, world, role):
    member, staff, _, _ = world
    if role == "client":
        login(member)  # the owner of the booking, the registration and the quiz's attempts
    elif role == "admin":
        login(staff)


def _sweep(app, client, login, world, role):
    _become(login, world, role)
    return {
        name: failures
        for name, value in HOSTILE.items()
        if (failures := _hostile_failures(app, client, world, value))
    }


@pytest.mark.parametrize("role", [None, "client", "admin"])
def test_hostile_values_in_every_field_of_every_route_are_never_a_500(
    app, client, login, world, role
):
    assert _sweep(app, client, login, world, role) == {}
