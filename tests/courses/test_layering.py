"""The Academy's layers, read from the source: the quiz rules and the question kinds are pure
(no Flask, no SQLAlchemy, not even through what they import); nothing below the pages imports
them; the pages neither query nor write the database themselves."""

import ast
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
WEB_OR_DATABASE = ("flask", "flask_babel", "flask_login", "flask_wtf", "sqlalchemy", "wtforms")


def _imports(module: str) -> set[str]:
    """The modules `module` imports (from its source, whatever the import is guarded by)."""
    path = REPO / (module.replace(".", "/") + ".py")
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            found.add(node.module)
            # `from academy.courses import kinds` imports the module academy.courses.kinds
            found.update(
                f"{node.module}.{alias.name}"
                for alias in node.names
                if (REPO / node.module.replace(".", "/") / f"{alias.name}.py").is_file()
            )
    return found


def _reachable(module: str) -> set[str]:
    """Every module `module` imports, directly or through the project's own modules."""
    seen: set[str] = set()
    todo = [module]
    while todo:
        for name in _imports(todo.pop()):
            if name in seen:
                continue
            seen.add(name)
            if name.startswith("academy.") and (REPO / (name.replace(".", "/") + ".py")).is_file():
                todo.append(name)
    return seen


@pytest.mark.parametrize("module", ["academy.courses.scoring", "academy.courses.kinds"])
def test_the_rules_import_neither_flask_nor_sqlalchemy(module):
    impure = sorted(
        name
        for name in _reachable(module)
        if name.split(".")[0] in WEB_OR_DATABASE or name == "academy.extensions"
    )
    assert not impure, f"{module} imports {impure}"


COURSES = REPO / "academy" / "courses"
PAGES = ("blueprint", "views", "quiz_views", "staff_views")


def test_only_the_page_modules_import_the_pages():
    for path in sorted(COURSES.glob("*.py")):
        if path.stem in PAGES:
            continue
        pages = sorted(
            name
            for name in _imports(f"academy.courses.{path.stem}")
            if name.rsplit(".", 1)[-1] in PAGES or name.endswith("_views")
        )
        assert not pages, f"academy/courses/{path.name} imports {pages}"


@pytest.mark.parametrize("module", ["views", "quiz_views", "staff_views"])
def test_views_stay_thin(module):
    """Views parse, call a service or a query, and render (ARCHITECTURE 2): they neither
    write nor query the database themselves, and stay short enough to read at once."""
    source = (COURSES / f"{module}.py").read_text(encoding="utf-8")
    for word in ("db.session", "select(", "commit("):
        assert word not in source, f"academy/courses/{module}.py: {word}"
    assert source.count("\n") <= 400
