from datetime import UTC, datetime, timedelta

import pytest

from academy.core import clock as clock_module
from academy.core.tokens import InvalidToken, make_token, read_token


def test_now_is_aware_utc():
    assert clock_module.now().tzinfo is UTC


def test_clock_freezes_and_moves(clock):
    start = clock_module.now()
    assert start == datetime(2026, 11, 25, 10, 0, tzinfo=UTC)
    clock.advance(timedelta(hours=2))
    assert clock_module.now() == start + timedelta(hours=2)


def test_freeze_refuses_naive(clock):
    with pytest.raises(ValueError):
        clock.freeze(datetime(2026, 1, 1))


def test_token_round_trip(app):
    assert read_token("p", make_token("p", {"a": 1}), 60) == {"a": 1}


def test_token_expires_by_the_app_clock(app, clock):
    token = make_token("p", 7)
    clock.advance(timedelta(seconds=60))
    assert read_token("p", token, 60) == 7
    clock.advance(timedelta(seconds=1))
    with pytest.raises(InvalidToken) as err:
        read_token("p", token, 60)
    assert err.value.expired


def test_token_for_another_purpose_or_tampered_is_refused(app):
    token = make_token("p", 7)
    with pytest.raises(InvalidToken):
        read_token("other", token, 60)
    tampered = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    with pytest.raises(InvalidToken) as err:
        read_token("p", tampered, 60)
    assert not err.value.expired
