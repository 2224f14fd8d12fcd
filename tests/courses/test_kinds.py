"""Question kinds: each one's set-up, cleaning and templates, and the registry as the only way
in: a kind registered here, by one class and one template, is authored, taken, scored and
reviewed through the real pages."""

import re

import pytest
import sqlalchemy as sa
from jinja2 import ChoiceLoader, DictLoader

from academy.courses import kinds, services
from academy.courses.kinds import Draft, QuestionKind, Setup, SetupError, kind_of
from academy.courses.models import Answer, Attempt, Question


def test_every_kind_has_a_class_and_a_template_with_both_macros(app):
    assert set(kinds.REGISTRY) == set(QuestionKind)
    for name, kind in kinds.REGISTRY.items():
        assert kind.name == name and kind.label and len(name) <= 20
        module = app.jinja_env.get_template(kind.template).module
        assert callable(module.input) and callable(module.review), kind.template


def _refused(kind: str, draft: Draft) -> str:
    with pytest.raises(SetupError) as error:
        kind_of(kind).set_up(draft)
    return error.value.field


def test_choice_kinds_need_two_answers_and_the_right_ones_marked():
    assert _refused("single", Draft(choices="* A")) == "choices"
    assert _refused("single", Draft(choices="A\nB")) == "choices"
    assert _refused("single", Draft(choices="* A\n* B")) == "choices"  # exactly one
    assert _refused("multiple", Draft(choices="A\nB\nC")) == "choices"
    assert kind_of("single").set_up(Draft(choices=" A \n\n*  B", accepted="x")) == Setup(
        choices=(("A", False), ("B", True))
    )
    assert kind_of("multiple").set_up(Draft(choices="* A\n* B\nC")).choices == (
        ("A", True),
        ("B", True),
        ("C", False),
    )


def test_text_kinds_keep_what_they_use():
    assert _refused("true_false", Draft(accepted="maybe")) == "accepted"
    assert _refused("true_false", Draft()) == "accepted"
    assert kind_of("true_false").set_up(Draft(accepted=" false \ntrue")) == Setup(accepted="false")
    assert _refused("short_text", Draft(accepted=" \n ")) == "accepted"
    assert kind_of("short_text").set_up(Draft(accepted=" portal \n\nClient portal ")) == Setup(
        accepted="portal\nClient portal"
    )
    assert _refused("numeric", Draft(tolerance=1.0)) == "number"
    assert kind_of("numeric").set_up(Draft(number=2.5, tolerance=-0.1)) == Setup(
        number=2.5, tolerance=0.1
    )
    assert kind_of("numeric").set_up(Draft(number=0.0)) == Setup(number=0.0, tolerance=0.0)


@pytest.mark.parametrize(
    ("kind", "raw", "stored"),
    [
        ("single", ["", "3", "2"], "2"),  # one, the lowest: a forged second radio is dropped
        ("single", ["", "7"], ""),  # not one of its own choices
        ("multiple", ["", "3", "²", "٣", "9" * 5000, " 2", "2", "1e3", "-1"], "2,3"),
        ("true_false", ["", "true"], "true"),
        ("true_false", ["", "yes"], ""),
        ("short_text", ["", "  Client portal  "], "Client portal"),
        ("short_text", ["x" * 600], "x" * 500),
        ("numeric", ["2,5"], "2,5"),  # read as a number when scored
        ("numeric", [], ""),
    ],
)
def test_what_a_browser_sends_is_cleaned_by_the_kind(kind, raw, stored):
    assert kind_of(kind).clean(raw, {2, 3}) == stored


# --- A kind of the test's own, through the registry alone --------------------------------------


class Agreement(kinds.Kind):
    """Agree or disagree with a statement; staff write which one is right."""

    name = "agreement"
    label = "Agree or disagree"
    template = "test-kinds/agreement.html"
    VALUES = ("agree", "disagree")

    def set_up(self, draft: Draft) -> Setup:
        if draft.accepted.strip() not in self.VALUES:
            raise SetupError("Write agree or disagree.", "accepted")
        return Setup(accepted=draft.accepted.strip())

    def clean(self, raw, choice_ids) -> str:
        value = raw[-1].strip() if raw else ""
        return value if value in self.VALUES else ""

    def is_correct(self, key, response) -> bool:
        return bool(response) and (response,) == key.accepted[:1]


AGREEMENT = """
{% macro input(question, choices, name, value, disabled) -%}
<select name="{{ name }}" aria-label="Your answer">
{% for v in ('', 'agree', 'disagree') %}
<option value="{{ v }}"{% if v == value %} selected{% endif %}>{{ v }}</option>
{% endfor %}
</select>
{%- endmacro %}
{% macro review(question, choices, value) -%}
<p class="agreement">You said {{ value or 'nothing' }}; the answer is {{ question.accepted }}.</p>
{%- endmacro %}
"""


@pytest.fixture
def agreement(app, monkeypatch):
    monkeypatch.setitem(kinds.REGISTRY, Agreement.name, Agreement())
    loader = ChoiceLoader([DictLoader({Agreement.template: AGREEMENT}), app.jinja_env.loader])
    monkeypatch.setattr(app.jinja_env, "loader", loader)


def test_a_new_kind_is_one_class_and_one_template(
    agreement, client, login, make_user, make_course, clock, db
):
    course = make_course(quiz=False)
    quiz = services.save_quiz(None, course, {"title": "Views", "review_mode": "after_submit"})
    login(make_user("staff"))
    url = f"/staff/academy/quizzes/{quiz.id}/questions/new"
    assert '<option value="agreement">Agree or disagree</option>' in client.get(url).text
    r = client.post(url, data={"kind": "agreement", "prompt": "Tea is good", "accepted": "maybe"})
    assert r.status_code == 200 and 'id="accepted-error"' in r.text
    assert "Write agree or disagree." in r.text
    r = client.post(url, data={"kind": "agreement", "prompt": "Tea is good", "accepted": "agree"})
    assert r.status_code == 302
    question = db.session.scalar(sa.select(Question))
    assert (question.kind, question.accepted) == ("agreement", "agree")
    assert "Agree or disagree" in client.get(f"/staff/academy/quizzes/{quiz.id}").text

    login(make_user())
    r = client.post(f"/academy/quizzes/{quiz.id}/start")
    attempt_id = int(re.search(r"/attempts/(\d+)", r.headers["Location"]).group(1))
    page = client.get(f"/academy/attempts/{attempt_id}").text
    assert f'<select name="q{question.id}" aria-label="Your answer">' in page
    client.post(f"/academy/attempts/{attempt_id}/save", data={f"q{question.id}": "maybe"})
    assert db.session.scalar(sa.select(Answer.value)) == ""  # cleaned by the kind
    client.post(f"/academy/attempts/{attempt_id}/submit", data={f"q{question.id}": "agree"})
    attempt = db.session.get(Attempt, attempt_id)
    assert attempt.score == 100 and attempt.passed  # scored by the kind
    result = client.get(f"/academy/attempts/{attempt_id}/result").text
    assert '<p class="agreement">You said agree; the answer is agree.</p>' in result
