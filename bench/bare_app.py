"""The yardstick: a bare Flask + SQLAlchemy app serving TechEmpower's "fortunes" page.

It does what every real page does at the least (one query, one ORM mapping, one autoescaped
Jinja render) and nothing else, so "academy page / this page" says how much the academy's own
work (sessions, CSRF, Babel, Flask-Login, layout...) costs on top of the stack it is built on.

It uses the same stack as the academy (Flask, Flask-SQLAlchemy, SQLAlchemy 2 ORM, SQLite,
Jinja), served by the same gunicorn settings. `bench/run.py` starts it as
`gunicorn 'bare_app:create_app()'` with BARE_DATABASE_URL set, after calling `init_db()`.
"""

from __future__ import annotations

import os

from flask import Flask, render_template
from flask_sqlalchemy import SQLAlchemy
from jinja2 import DictLoader
from sqlalchemy import String, create_engine, select
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

ENV_URL = "BARE_DATABASE_URL"

# TechEmpower's twelve fortunes: the <script> row proves autoescaping, the Japanese row that
# text other than ASCII goes through the database and the template intact.
FORTUNES = [
    "fortune: No such file or directory",
    "A computer scientist is someone who fixes things that aren't broken.",
    "After enough decimal places, nobody gives a damn.",
    "A bad random number generator: 1, 1, 1, 1, 1, 4.33e+67, 1, 1, 1",
    "A computer program does what you tell it to do, not what you want it to do.",
    "Emacs is a nice operating system, but I prefer UNIX. — Tom Christaensen",
    "Any program that runs right is obsolete.",
    "A list is only as strong as its weakest link. — Donald Knuth",
    "Feature: A bug with seniority.",
    "Computers make very fast, very accurate mistakes.",
    '<script>alert("This should not be displayed in a browser alert box.");</script>',
    "フレームワークのベンチマーク",
]
EXTRA = "Additional fortune added at request time."

# Named *.html so that Flask's autoescape (chosen by file extension) applies, as it does to
# the academy's templates; a DictLoader keeps the whole app in one file and is compiled once.
TEMPLATE = """<!DOCTYPE html>
<html><head><title>Fortunes</title></head><body><table>
<tr><th>id</th><th>message</th></tr>
{% for fortune in fortunes %}<tr><td>{{ fortune.id }}</td><td>{{ fortune.message }}</td></tr>
{% endfor %}</table></body></html>
"""


class Base(DeclarativeBase):
    pass


class Fortune(Base):
    __tablename__ = "fortune"

    id: Mapped[int] = mapped_column(primary_key=True)
    message: Mapped[str] = mapped_column(String(2048))


db = SQLAlchemy(model_class=Base)


def init_db(url: str) -> None:
    """Create the table and its twelve rows (run once, before any worker starts)."""
    engine = create_engine(url)
    try:
        Base.metadata.create_all(engine)
        with Session(engine) as session:
            session.add_all(Fortune(id=i, message=m) for i, m in enumerate(FORTUNES, start=1))
            session.commit()
    finally:
        engine.dispose()


def create_app() -> Flask:
    """The gunicorn factory; the database URL comes from BARE_DATABASE_URL."""
    app = Flask(__name__)
    app.config["SQLALCHEMY_DATABASE_URI"] = os.environ[ENV_URL]
    app.jinja_loader = DictLoader({"fortunes.html": TEMPLATE})
    db.init_app(app)

    @app.get("/fortunes")
    def fortunes() -> str:
        rows = list(db.session.scalars(select(Fortune)))
        # Transient (never added to the session): it exists for this response only.
        rows.append(Fortune(id=0, message=EXTRA))
        rows.sort(key=lambda f: f.message)
        return render_template("fortunes.html", fortunes=rows)

    return app
