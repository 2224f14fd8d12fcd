"""Signed, expiring tokens for links sent by email (password reset, change/cancel links)."""

from __future__ import annotations

from typing import Any

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, TimestampSigner, URLSafeTimedSerializer

from academy.core.clock import now


class InvalidToken(Exception):
    """The token was tampered with, is for another purpose, or has expired."""

    def __init__(self, expired: bool = False) -> None:
        super().__init__("expired" if expired else "invalid")
        self.expired = expired


class _ClockSigner(TimestampSigner):
    """Timestamps from the app clock, so that tests with a frozen clock see real expiry."""

    def get_timestamp(self) -> int:
        return int(now().timestamp())


def _serializer(purpose: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(
        current_app.config["SECRET_KEY"], salt=f"academy.{purpose}", signer=_ClockSigner
    )


def make_token(purpose: str, payload: Any) -> str:
    """Sign `payload` for one purpose (a token for one purpose is refused by every other)."""
    return _serializer(purpose).dumps(payload)


def read_token(purpose: str, token: str, max_age: int) -> Any:
    """Return the payload, or raise InvalidToken. max_age is in seconds."""
    try:
        return _serializer(purpose).loads(token, max_age=max_age)
    except SignatureExpired as exc:
        raise InvalidToken(expired=True) from exc
    except BadSignature as exc:
        raise InvalidToken() from exc
