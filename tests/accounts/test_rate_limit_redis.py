"""With RATELIMIT_STORAGE_URI=redis://..., login attempts are counted in Redis."""

import os
import socket
import uuid

import pytest

from tests.fixtures.app import require_or_skip

REDIS = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


def _redis_answers() -> bool:
    host_port = REDIS.split("//", 1)[1].split("/", 1)[0]
    host, _, port = host_port.partition(":")
    try:
        with socket.create_connection((host, int(port or 6379)), timeout=1):
            return True
    except OSError:
        return False


@pytest.fixture
def redis_url() -> str:
    if not _redis_answers():
        require_or_skip(
            "REQUIRE_REDIS",
            f"Redis is not reachable at {REDIS}: start redis-server or set TEST_REDIS_URL",
        )
    return REDIS


def test_login_limit_counts_in_redis(make_app, make_user, redis_url):
    """Counters live in Redis, so every gunicorn worker (process) sees the same count."""
    import redis

    prefix = f"test-{uuid.uuid4().hex}"
    # Read it here: inside the other app's context a lazy load would borrow its engine.
    email = make_user(password="right-password-1").email
    app = make_app(
        RATELIMIT_ENABLED=True,
        LOGIN_RATE_LIMIT="3 per minute",
        RATELIMIT_STORAGE_URI=redis_url,
        RATELIMIT_KEY_PREFIX=prefix,
    )
    server = redis.Redis.from_url(redis_url)
    try:
        with app.app_context():
            client = app.test_client()
            codes = [
                client.post("/login", data={"email": email, "password": "wrong-one"}).status_code
                for _ in range(4)
            ]
        assert codes == [200, 200, 200, 429]
        keys = server.keys(f"*{prefix}*")
        assert keys, "no rate-limit counter was written to Redis"
    finally:
        for key in server.scan_iter(f"*{prefix}*"):
            server.delete(key)
        server.close()
