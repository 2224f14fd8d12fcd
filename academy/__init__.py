"""TaxDome Academy: the application factory."""

from __future__ import annotations

import logging
import os
import secrets
from pathlib import Path
from typing import Any

from flask import Flask, g, render_template, request
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import InterfaceError, OperationalError, SQLAlchemyError
from werkzeug.exceptions import HTTPException, SecurityError
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import IntegerConverter

from academy.config import ROOT, Config
from academy.core.urls import trusted_hosts
from academy.extensions import babel, csrf, db, fragments, limiter, login_manager, migrate, pages

log = logging.getLogger(__name__)
# Seconds a visitor is asked to wait when the database is unavailable (503 Retry-After).
DB_RETRY_AFTER = 30


def create_app(config: dict[str, Any] | None = None) -> Flask:
    app = Flask(
        __name__,
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
        instance_path=str(ROOT / "instance"),
    )
    app.config.update(Config().as_dict())
    if config:
        app.config.update(config)
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        # Wait for another writer's lock this long before failing (then: a 503 page). A file
        # does not drop a connection: no ping before each checkout (a statement per request).
        options = app.config.get("SQLALCHEMY_ENGINE_OPTIONS", {})
        app.config["SQLALCHEMY_ENGINE_OPTIONS"] = {
            **options,
            "pool_pre_ping": False,
            "connect_args": {
                "timeout": app.config["SQLITE_BUSY_TIMEOUT"],
                **options.get("connect_args", {}),
            },
        }
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = _instance_secret(Path(app.instance_path))
    if app.config.get("TRUSTED_HOSTS") is None:
        app.config["TRUSTED_HOSTS"] = trusted_hosts(app.config["BASE_URL"])
    if app.config["TRUST_PROXY"]:
        # X-Forwarded-Host is never trusted: the Host header the proxy passes on is checked
        # against TRUSTED_HOSTS, and links come from BASE_URL anyway (academy.core.urls).
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=1, x_proto=1, x_host=0)  # type: ignore[method-assign]

    _init_extensions(app)
    app.url_map.converters["int"] = BoundedInt
    _register_blueprints(app)
    _register_errors(app)
    _register_template_helpers(app)
    _register_cli(app)

    from academy.core.assets import install_static_versions
    from academy.core.caching import install_conditional
    from academy.core.security import install_headers

    install_headers(app)
    install_conditional(app)
    install_static_versions(app)
    if app.config["HELP_VIEWS_FLUSH_SECONDS"] > 0:
        _write_views_at_exit(app)
    return app


def _write_views_at_exit(app: Flask) -> None:
    """A worker that stops normally writes the help views it still counts in memory."""
    import atexit

    from academy.help.services import views

    def write() -> None:
        with app.app_context():
            views.write()

    atexit.register(write)


class BoundedInt(IntegerConverter):
    """`<int:id>` up to the largest id a database column holds: a longer number in a URL is a
    404, not an overflow error from the database driver (SQLite refuses 2**63 and above)."""

    def __init__(self, url_map: Any, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max", 2**31 - 1)
        super().__init__(url_map, *args, **kwargs)


def _instance_secret(instance: Path) -> str:
    """A SECRET_KEY kept in instance/secret_key, made once (safe with several workers)."""
    path = instance / "secret_key"
    instance.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text().strip()
    with os.fdopen(fd, "w") as f:
        key = secrets.token_hex(32)
        f.write(key)
    return key


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    """SQLite: write-ahead log, foreign keys enforced. (How long to wait for a lock is the
    driver's `timeout`, SQLITE_BUSY_TIMEOUT in config.)"""
    if type(dbapi_connection).__module__.startswith("sqlite3"):
        cur = dbapi_connection.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.close()


def _init_extensions(app: Flask) -> None:
    from academy.core.i18n import install_template_gettext, select_locale
    from academy.core.timezones import viewer_timezone

    db.init_app(app)
    reloading = app.debug or app.config.get("TEMPLATES_AUTO_RELOAD")
    fragments.init_app(
        app,
        config={
            "CACHE_TYPE": "NullCache" if reloading else "SimpleCache",  # edits show at once
            "CACHE_DEFAULT_TIMEOUT": 0,  # until the process ends
            "CACHE_THRESHOLD": 10_000,
        },
    )
    pages.init_app(
        app,
        config={
            "CACHE_TYPE": "SimpleCache" if app.config["VISITOR_PAGE_CACHE"] else "NullCache",
            "CACHE_DEFAULT_TIMEOUT": 60,
            "CACHE_THRESHOLD": 2_000,  # pages, at most a few tens of kB each
        },
    )
    migrate.init_app(app, db, directory=str(ROOT / "migrations"), render_as_batch=True)
    csrf.init_app(app)
    limiter.init_app(app)
    babel.init_app(app, locale_selector=select_locale, timezone_selector=viewer_timezone)
    install_template_gettext(app)

    login_manager.init_app(app)
    login_manager.login_view = "accounts.login"
    login_manager.login_message = _l("Please log in to see this page.")
    login_manager.login_message_category = "info"

    from academy.accounts import sessions
    from academy.accounts.services import prepare_dummy_hash

    prepare_dummy_hash(app.config)
    login_manager.user_loader(sessions.load_user)
    login_manager.unauthorized_handler(sessions.unauthorized)
    app.before_request(sessions.load_early)

    # Import every model so metadata (and Alembic autogenerate) sees them all.
    import academy.chat.models
    import academy.conduct.models
    import academy.core.versions
    import academy.courses.models
    import academy.feedback.models
    import academy.firms.models
    import academy.help.models
    import academy.notifications.models
    import academy.scheduling.models
    import academy.support.models
    import academy.terms.models  # noqa: F401


def _register_blueprints(app: Flask) -> None:
    from academy.accounts.views import bp as accounts_bp
    from academy.chat import staff_views as _chat_staff  # noqa: F401 - routes on chat
    from academy.chat.views import bp as chat_bp
    from academy.conduct.staff_views import bp as conduct_bp
    from academy.courses import quiz_views, staff_views, views  # noqa: F401 - routes on courses
    from academy.courses.blueprint import bp as courses_bp
    from academy.feedback.views import bp as feedback_bp
    from academy.firms import staff_views as _firms_staff  # noqa: F401 - routes on firms
    from academy.firms.views import bp as firms_bp
    from academy.help import staff_views as _help_staff  # noqa: F401 - routes on help
    from academy.help.views import bp as help_bp
    from academy.home.views import bp as home_bp
    from academy.notifications.views import bp as emails_bp
    from academy.sessions import change_views as _changes  # noqa: F401 - routes on sessions
    from academy.sessions import staff_views as _sessions_staff  # noqa: F401 - routes on sessions
    from academy.sessions.views import bp as sessions_bp
    from academy.support import staff_views as _support_staff  # noqa: F401 - routes on support
    from academy.support.views import bp as support_bp
    from academy.terms.views import bp as terms_bp
    from academy.workshops import staff_views as _workshops_staff  # noqa: F401 - on workshops
    from academy.workshops.views import bp as workshops_bp

    app.register_blueprint(home_bp)
    app.register_blueprint(accounts_bp)
    app.register_blueprint(help_bp)
    app.register_blueprint(feedback_bp)
    app.register_blueprint(sessions_bp)
    app.register_blueprint(support_bp)
    app.register_blueprint(conduct_bp)
    app.register_blueprint(terms_bp)
    app.register_blueprint(workshops_bp)
    app.register_blueprint(courses_bp)
    app.register_blueprint(emails_bp)
    app.register_blueprint(firms_bp)
    app.register_blueprint(chat_bp)

    from academy.chat.setup import install_chat

    install_chat(app)
    register_previews()


def register_previews() -> None:
    """Each domain registers the previews of the emails it sends (notifications.previews)."""
    from academy.accounts import previews as _accounts  # noqa: F401
    from academy.chat import previews as _chat  # noqa: F401
    from academy.conduct import previews as _conduct  # noqa: F401
    from academy.feedback import previews as _feedback  # noqa: F401
    from academy.firms import previews as _firms  # noqa: F401
    from academy.scheduling import previews as _scheduling  # noqa: F401
    from academy.support import previews as _support  # noqa: F401


def _register_errors(app: Flask) -> None:
    def render_error(code: int, description: str | None = None) -> tuple[str, int]:
        return render_template("errors/error.html", code=code, description=description), code

    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError) -> tuple[str, int]:
        return render_error(
            400,
            _l(
                "The form had expired or was sent from elsewhere. "
                "Go back, reload the page and try again."
            ),
        )

    @app.errorhandler(SecurityError)
    def untrusted_host(error: SecurityError) -> tuple[str, int, dict[str, str]]:
        # A Host outside TRUSTED_HOSTS: no URL can be built for it, so no page layout either.
        return "Bad request: unknown host.", 400, {"Content-Type": "text/plain; charset=utf-8"}

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> Any:
        if error.code is None or error.code < 400:
            return error
        # abort(400, description=...) says what was wrong; werkzeug's stock text is not shown.
        custom = error.description if error.description != type(error).description else None
        return render_error(error.code, custom)

    @app.errorhandler(OperationalError)
    @app.errorhandler(InterfaceError)
    def database_unavailable(error: Exception) -> tuple[str, int, dict[str, str]]:
        """The database is down, restarting or locked: a 503 in the site's layout that does
        not touch the database again (the viewer is shown as logged out for this page, since
        loading them would need it), with Retry-After. Nothing to undo: the transaction died
        with the connection, and the pool reconnects (pool_pre_ping) once it is back."""
        log.error("database unavailable on %s %s: %s", request.method, request.path, error)
        _drop_session()
        g._login_user = login_manager.anonymous_user()
        html = render_template("errors/unavailable.html", retry=DB_RETRY_AFTER)
        return html, 503, {"Retry-After": str(DB_RETRY_AFTER)}

    @app.errorhandler(Exception)
    def unexpected(error: Exception) -> tuple[str, int]:
        # Logged with the traceback; the visitor sees a plain page.
        log.exception("unhandled error on %s %s", request.method, request.path)
        _drop_session()
        return render_error(500)


def _drop_session() -> None:
    """Roll back what the failed request did; if the connection itself is gone, discard it."""
    try:
        db.session.rollback()
    except SQLAlchemyError:
        db.session.remove()


class Lazy:
    """A value worked out the first time one of its attributes is read, then kept: the terms
    of a page or an email are looked up only if it shows one of their figures, and once."""

    def __init__(self, load: Any) -> None:
        self._load = load
        self._value: Any = None
        self._loaded = False

    def __getattr__(self, name: str) -> Any:
        if not self._loaded:
            self._value, self._loaded = self._load(), True
        return getattr(self._value, name)


def _register_template_helpers(app: Flask) -> None:
    from academy.core.caching import CSRF_SLOT, HERE_SLOT, filled
    from academy.core.i18n import explain
    from academy.core.markdown import render_markdown
    from academy.core.text import linkify
    from academy.core.timezones import clock_time, local_date, localtime, viewer_timezone

    app.jinja_env.filters["localtime"] = localtime
    app.jinja_env.filters["clock_time"] = clock_time
    app.jinja_env.filters["localdate"] = local_date
    app.jinja_env.filters["markdown"] = render_markdown
    app.jinja_env.filters["linkify"] = linkify
    app.jinja_env.globals["explain"] = explain
    app.jinja_env.globals["viewer_timezone"] = viewer_timezone
    app.jinja_env.filters["filled"] = filled
    app.jinja_env.globals["csrf_slot"] = CSRF_SLOT
    app.jinja_env.globals["here_slot"] = HERE_SLOT

    from flask_login import current_user

    from academy.notifications.channels import context_providers
    from academy.scheduling.access import terms_of

    def viewer_terms() -> Any:
        """The figures of the terms for whom the page is: an emailed link's owner, the
        logged-in client's plan, else the defaults (visitors, staff)."""
        owner = g.get("page_owner")
        return terms_of(owner or (current_user if current_user.is_authenticated else None))

    context_providers["terms"] = lambda recipient: Lazy(lambda: terms_of(recipient))

    @app.context_processor
    def _globals() -> dict[str, Any]:
        from flask_babel import get_locale

        return {
            # Looked up only if the template reads a figure (`terms.notice_hours`), once.
            "terms": Lazy(viewer_terms),
            "support_email": app.config["SUPPORT_EMAIL"],
            "fee_currency": app.config["FEE_CURRENCY"],
            "current_locale": str(get_locale() or "en"),
            "languages": [("en", "English"), ("ro", "Română")],
        }


def _register_cli(app: Flask) -> None:
    from academy.accounts.cli import users_cli
    from academy.demo import demo_cli
    from academy.notifications.cli import notifications_cli
    from academy.scheduling.invariants import scheduling_cli
    from academy.support.cli import support_cli

    app.cli.add_command(users_cli)
    app.cli.add_command(demo_cli)
    app.cli.add_command(notifications_cli)
    app.cli.add_command(scheduling_cli)
    app.cli.add_command(support_cli)
