"""Sessions that can be ended (ASVS 3.3): logout, password changes, lifetimes.

The session stays in Flask's signed cookie: no server-side store, and no SQL statement is added
to any request (the user row is loaded on every logged-in request anyway). What makes a cookie
endable is Flask-Login's *alternative id*: the cookie holds "<user id>:<session generation>"
(`User.get_id`), and it is valid only while the user's `session_generation` is still the one it
was started with. Logging out, changing or resetting the password and "Log out other devices"
add one to the generation (`services.end_sessions`): every cookie made before, wherever it was
copied, stops working at its next request (ASVS 3.3.1, 3.3.3). The price of keeping no store is
that logging out ends the user's sessions on their other devices too.

The cookie also carries, signed, when the user logged in and when they were last active, checked
on every request against SESSION_LIFETIME_HOURS (absolute) and SESSION_IDLE_MINUTES /
SESSION_IDLE_MINUTES_STAFF (inactivity) (ASVS 3.3.2). Both are read from the app clock.
"""

from __future__ import annotations

from flask import current_app, flash, g, jsonify, redirect, request, session
from flask_babel import gettext as _
from flask_login import current_user, login_url, login_user, logout_user
from sqlalchemy import bindparam, select
from werkzeug.wrappers import Response

from academy.accounts.models import User
from academy.core.clock import now
from academy.core.params import to_id
from academy.core.security import is_activity
from academy.extensions import db, login_manager

AUTH_AT = "_auth_at"  # when the user logged in (epoch seconds)
SEEN_AT = "_seen_at"  # their last request that counts as activity
# Flask-Login's keys and ours.
LOGIN_KEYS = ("_user_id", "_fresh", "_id", "_remember", "_remember_seconds", AUTH_AT, SEEN_AT)
# SEEN_AT is rewritten at most once a minute, so that not every response sets a new cookie.
TOUCH_EVERY = 60


def _clock() -> int:
    return int(now().timestamp())


def start(user: User) -> None:
    """Log `user` in on a brand-new session (no fixation: ASVS 3.2.1)."""
    session.clear()
    login_user(user)
    session[AUTH_AT] = session[SEEN_AT] = _clock()


def keep(user: User) -> None:
    """This browser's session carries on after the user's generation moved on (their own
    password change, "Log out other devices"); every other one has ended."""
    session["_user_id"] = user.get_id()


def end(user: User) -> None:
    """Log out: this session, and every copy of its cookie, ends now."""
    from academy.accounts.services import end_sessions

    end_sessions(user)
    db.session.commit()
    logout_user()
    session.clear()


def _limits(user: User) -> tuple[int, int]:
    """(absolute lifetime, idle timeout) in seconds for this user; 0 means none."""
    config = current_app.config
    idle = config["SESSION_IDLE_MINUTES_STAFF"] if user.is_staff else config["SESSION_IDLE_MINUTES"]
    return int(config["SESSION_LIFETIME_HOURS"]) * 3600, int(idle) * 60


def _forget(message: str) -> None:
    for key in LOGIN_KEYS:
        session.pop(key, None)
    flash(message, "info")
    g.session_ended = True  # the login page says why, once


def _ended_reason(user: User, generation: str) -> str | None:
    if generation != str(user.session_generation):
        return _("Your session has ended (you logged out, or your password was changed).")
    lifetime, idle = _limits(user)
    clock = _clock()
    auth_at, seen_at = session.get(AUTH_AT), session.get(SEEN_AT)
    if lifetime and (not isinstance(auth_at, int) or clock - auth_at > lifetime):
        return _(
            "For your security you are logged out %(hours)d hours after logging in.",
            hours=lifetime // 3600,
        )
    if idle and (not isinstance(seen_at, int) or clock - seen_at > idle):
        return _(
            "You were logged out after %(minutes)d minutes without activity.",
            minutes=idle // 60,
        )
    return None


def load_early() -> None:
    """Before a view runs, so that a session found ended is said on this very page."""
    if request.endpoint != "static" and "_user_id" in session:
        _ = current_user.is_authenticated  # loads the user (Flask-Login caches it for the request)


# Built once: every request of a logged-in person runs it (a third cheaper than session.get,
# which builds and keys a new statement each time).
_USER_BY_ID = select(User).where(User.id == bindparam("uid"))


def load_user(alternative_id: str) -> User | None:
    """Flask-Login's user_loader: the user of a session that has not ended, else None."""
    user_id, _sep, generation = alternative_id.partition(":")
    uid = to_id(user_id)
    user = db.session.scalar(_USER_BY_ID, {"uid": uid}) if uid and generation else None
    if user is None:
        _forget(_("Your session has ended. Please log in again."))
        return None
    if reason := _ended_reason(user, generation):
        _forget(reason + " " + _("Please log in again."))
        return None
    clock = _clock()
    seen_at = session.get(SEEN_AT)
    if is_activity(request.endpoint) and (
        not isinstance(seen_at, int) or clock - seen_at >= TOUCH_EVERY
    ):
        session[SEEN_AT] = clock
    return user


def unauthorized() -> Response | tuple[Response, int]:
    """Not logged in (or the session ended): the login page, or for the quiz's autosave a
    reply it shows instead of retrying forever."""
    message = str(login_manager.login_message)
    if request.headers.get("X-Requested-With") == "fetch":
        reply = _(
            "You are logged out. Log in again in a new tab; the answers saved so far are kept."
        )
        return jsonify(saved=False, retry=False, message=reply), 401
    if not g.get("session_ended"):
        flash(message, login_manager.login_message_category)
    return redirect(login_url(str(login_manager.login_view), next_url=request.url))
