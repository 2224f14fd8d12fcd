"""Configuration from environment variables (every one is documented in README.md)."""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value else default


def _list(name: str) -> list[str]:
    return [part.strip() for part in os.environ.get(name, "").split(",") if part.strip()]


def _database_url() -> str:
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith("postgres://"):  # Heroku-style URLs
        url = "postgresql+psycopg://" + url[len("postgres://") :]
    elif url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    return url or f"sqlite:///{ROOT / 'instance' / 'academy.db'}"


class Config:
    """Read once when the app is created; tests pass overrides to create_app()."""

    def __init__(self) -> None:
        self.SECRET_KEY = os.environ.get("SECRET_KEY") or None
        self.SQLALCHEMY_DATABASE_URI = _database_url()
        self.SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
        # SQLite: seconds to wait for another writer before giving up (a 503 page).
        self.SQLITE_BUSY_TIMEOUT = float(os.environ.get("SQLITE_BUSY_TIMEOUT", "15"))

        https = _bool("HTTPS")
        self.PREFERRED_URL_SCHEME = "https" if https else "http"
        # Every absolute link (emails, the calendar feed, certificate PDFs) starts with this,
        # never with the request's host (password-reset poisoning, ASVS 5.1.5).
        self.BASE_URL = os.environ.get("BASE_URL", "http://127.0.0.1:5000").rstrip("/")
        # The Host values a request may carry; empty: BASE_URL's host (create_app fills it in).
        # Any other Host is a 400 before a view runs.
        self.TRUSTED_HOSTS = _list("TRUSTED_HOSTS") or None
        self.SESSION_COOKIE_SECURE = https
        # Over HTTPS the cookies carry the __Host- prefix: the browser then accepts them only
        # from this very host, sent Secure and for every path, so no sibling subdomain (or a
        # man in the middle over plain HTTP) can plant or overwrite a session (ASVS 3.4.4).
        self.SESSION_COOKIE_NAME = "__Host-session" if https else "session"
        self.REMEMBER_COOKIE_NAME = "__Host-remember_token" if https else "remember_token"
        self.HSTS_INCLUDE_SUBDOMAINS = _bool("HSTS_INCLUDE_SUBDOMAINS")
        self.REMEMBER_COOKIE_SECURE = https
        self.SESSION_COOKIE_HTTPONLY = True
        self.REMEMBER_COOKIE_HTTPONLY = True
        self.SESSION_COOKIE_SAMESITE = "Lax"
        self.REMEMBER_COOKIE_SAMESITE = "Lax"
        self.TRUST_PROXY = _bool("TRUST_PROXY")
        self.MAX_CONTENT_LENGTH = _int("MAX_CONTENT_LENGTH", 10 * 1024 * 1024)

        self.RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI", "memory://")
        self.RATELIMIT_ENABLED = _bool("RATELIMIT_ENABLED", True)
        # A Redis outage must not turn every login into a 500 (TOOLCHAIN.md).
        self.RATELIMIT_IN_MEMORY_FALLBACK_ENABLED = True
        self.RATELIMIT_SWALLOW_ERRORS = True
        self.RATELIMIT_HEADERS_ENABLED = True
        self.LOGIN_RATE_LIMIT = os.environ.get("LOGIN_RATE_LIMIT", "10 per minute;50 per hour")
        # Failed logins per account (the email typed), from any address (ASVS 2.2.1).
        self.LOGIN_ACCOUNT_RATE_LIMIT = os.environ.get(
            "LOGIN_ACCOUNT_RATE_LIMIT", "5 per minute;50 per hour"
        )
        self.SIGNUP_RATE_LIMIT = os.environ.get("SIGNUP_RATE_LIMIT", "3 per minute;10 per hour")
        # Sign-up and password-reset emails to one address (no mail-bombing a stranger).
        self.EMAIL_RATE_LIMIT = os.environ.get("EMAIL_RATE_LIMIT", "3 per hour")

        self.BABEL_DEFAULT_LOCALE = "en"
        self.LANGUAGES = ("en", "ro")
        self.DEFAULT_TIMEZONE = os.environ.get("DEFAULT_TIMEZONE", "Europe/Bucharest")

        self.SUPPORT_EMAIL = os.environ.get("SUPPORT_EMAIL", "help@taxdome.com")  # POLICY R19
        self.FEE_CURRENCY = os.environ.get("FEE_CURRENCY", "EUR")  # POLICY R15 fees
        # Conduct evidence (POLICY R4): kept outside static/, served to staff only.
        self.EVIDENCE_DIR = os.environ.get("EVIDENCE_DIR", str(ROOT / "instance" / "evidence"))
        self.EVIDENCE_MAX_BYTES = _int("EVIDENCE_MAX_BYTES", 5 * 1024 * 1024)
        # Support inbox (POLICY R3): attachments are kept beside the evidence (same size and
        # type limits), under EVIDENCE_DIR/support unless SUPPORT_ATTACHMENT_DIR says otherwise.
        self.SUPPORT_ATTACHMENT_DIR = os.environ.get("SUPPORT_ATTACHMENT_DIR", "")
        self.SUPPORT_MAX_ATTACHMENTS = _int("SUPPORT_MAX_ATTACHMENTS", 5)
        # `flask support fetch-mail` reads a Maildir (SUPPORT_MAILDIR) or an IMAP mailbox.
        self.SUPPORT_MAILDIR = os.environ.get("SUPPORT_MAILDIR", "")
        self.SUPPORT_IMAP_HOST = os.environ.get("SUPPORT_IMAP_HOST", "")
        self.SUPPORT_IMAP_PORT = _int("SUPPORT_IMAP_PORT", 993)
        self.SUPPORT_IMAP_USER = os.environ.get("SUPPORT_IMAP_USER", "")
        self.SUPPORT_IMAP_PASSWORD = os.environ.get("SUPPORT_IMAP_PASSWORD", "")
        self.SUPPORT_IMAP_FOLDER = os.environ.get("SUPPORT_IMAP_FOLDER", "INBOX")
        # Live chat (POLICY R1, academy.chat). With REDIS_URL, messages reach streams held by
        # other workers and hosts through Redis pub/sub (keys and channels under
        # CHAT_KEY_PREFIX); without it, one process delivers in memory (`make run`).
        self.REDIS_URL = os.environ.get("REDIS_URL", "")
        self.CHAT_KEY_PREFIX = os.environ.get("CHAT_KEY_PREFIX", "academy:")
        self.CHAT_MESSAGE_RATE_LIMIT = os.environ.get(
            "CHAT_MESSAGE_RATE_LIMIT", "30 per minute;300 per hour"
        )
        # A comment on every open stream this often (proxies drop silent connections), and a
        # stream ends after CHAT_STREAM_SECONDS: the browser reconnects, and is checked again.
        self.CHAT_KEEPALIVE_SECONDS = float(os.environ.get("CHAT_KEEPALIVE_SECONDS", "15"))
        self.CHAT_STREAM_SECONDS = float(os.environ.get("CHAT_STREAM_SECONDS", "300"))
        # Streams opened per user (reconnects included), and open at once per user and process.
        self.CHAT_STREAM_RATE_LIMIT = os.environ.get("CHAT_STREAM_RATE_LIMIT", "30 per minute")
        self.CHAT_STREAMS_PER_USER = _int("CHAT_STREAMS_PER_USER", 5)
        # Invitation emails (sent and resent) per firm owner (issue 17).
        self.FIRM_INVITE_RATE_LIMIT = os.environ.get(
            "FIRM_INVITE_RATE_LIMIT", "10 per minute;60 per day"
        )
        self.FEEDBACK_RATE_LIMIT = os.environ.get("FEEDBACK_RATE_LIMIT", "5 per minute;30 per hour")
        # "Was this helpful?" from visitors who are not logged in, per address and article.
        self.HELP_VOTE_RATE_LIMIT = os.environ.get("HELP_VOTE_RATE_LIMIT", "3 per day")
        self.MAIL_DEFAULT_SENDER = os.environ.get(
            "MAIL_DEFAULT_SENDER", "TaxDome Academy <academy@taxdome.com>"
        )
        self.MAIL_SERVER = os.environ.get("MAIL_SERVER", "")
        self.MAIL_PORT = _int("MAIL_PORT", 587)
        self.MAIL_USE_TLS = _bool("MAIL_USE_TLS", True)
        self.MAIL_USE_SSL = _bool("MAIL_USE_SSL")
        self.MAIL_USERNAME = os.environ.get("MAIL_USERNAME", "")
        self.MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD", "")
        self.MAIL_TIMEOUT = _int("MAIL_TIMEOUT", 20)
        self.MAIL_FILE_DIR = os.environ.get("MAIL_FILE_DIR", str(ROOT / "instance" / "mail"))
        self.OUTBOX_MAX_ATTEMPTS = _int("OUTBOX_MAX_ATTEMPTS", 8)
        # A dispatcher renews its claim while it works; one that stopped renewing for this
        # long is presumed dead and its rows are taken over (README, "Delivery guarantees").
        self.OUTBOX_CLAIM_TIMEOUT = _int("OUTBOX_CLAIM_TIMEOUT", 600)

        # SMS reminders (POLICY R8): "file" writes them to SMS_FILE_DIR; "twilio" sends them.
        self.SMS_PROVIDER = os.environ.get("SMS_PROVIDER", "file")
        self.SMS_FILE_DIR = os.environ.get("SMS_FILE_DIR", str(ROOT / "instance" / "sms"))
        self.SMS_API_URL = os.environ.get("SMS_API_URL", "https://api.twilio.com/2010-04-01")
        self.SMS_ACCOUNT_SID = os.environ.get("SMS_ACCOUNT_SID", "")
        self.SMS_AUTH_TOKEN = os.environ.get("SMS_AUTH_TOKEN", "")
        self.SMS_FROM = os.environ.get("SMS_FROM", "")

        # Sessions (ASVS 3.3.2): log in again this long after logging in, and after this long
        # without activity (staff and admins sooner). 0 turns a limit off.
        self.SESSION_LIFETIME_HOURS = _int("SESSION_LIFETIME_HOURS", 12)
        self.SESSION_IDLE_MINUTES = _int("SESSION_IDLE_MINUTES", 120)
        self.SESSION_IDLE_MINUTES_STAFF = _int("SESSION_IDLE_MINUTES_STAFF", 30)

        self.PASSWORD_RESET_MAX_AGE = _int("PASSWORD_RESET_MAX_AGE", 3600)
        self.SIGNUP_LINK_MAX_AGE = _int("SIGNUP_LINK_MAX_AGE", 86400)
        # Firms as teams: how long an invitation link works (seconds), and how many days
        # before an assigned course's due date its reminder is sent.
        self.FIRM_INVITATION_MAX_AGE = _int("FIRM_INVITATION_MAX_AGE", 7 * 86400)
        self.ASSIGNMENT_REMINDER_DAYS = _int("ASSIGNMENT_REMINDER_DAYS", 3)
        # zxcvbn score (0-4) a new password needs (academy.accounts.passwords, ASVS 2.1.7).
        self.PASSWORD_MIN_SCORE = _int("PASSWORD_MIN_SCORE", 3)
        # argon2id parameters (argon2-cffi's RFC 9106 low-memory profile by default).
        self.ARGON2_TIME_COST = _int("ARGON2_TIME_COST", 3)
        self.ARGON2_MEMORY_COST = _int("ARGON2_MEMORY_COST", 65536)
        self.ARGON2_PARALLELISM = _int("ARGON2_PARALLELISM", 4)

        self.PER_PAGE = _int("PER_PAGE", 20)
        # Pages a visitor sees (no session: not logged in) are the same for every visitor with
        # the same language; each worker keeps them this many seconds at most and browsers and
        # proxies may too (Cache-Control: public). A help or terms page is new at once after
        # an edit (its key holds the content's version); a workshop listing may show seats
        # left this old to a visitor (academy.core.caching).
        self.VISITOR_PAGE_CACHE = _bool("VISITOR_PAGE_CACHE", True)
        self.VISITOR_PAGE_SECONDS = _int("VISITOR_PAGE_SECONDS", 300)
        self.VISITOR_LISTING_SECONDS = _int("VISITOR_LISTING_SECONDS", 15)
        # Help article views are written in one UPDATE per article this often (per worker).
        self.HELP_VIEWS_FLUSH_SECONDS = _int("HELP_VIEWS_FLUSH_SECONDS", 10)

    def as_dict(self) -> dict[str, object]:
        return {k: v for k, v in vars(self).items() if k.isupper()}
