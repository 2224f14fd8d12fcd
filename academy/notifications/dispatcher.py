"""Sends what is due in the outbox. Safe to run several at once.

The guarantee (README, "Delivery guarantees"):

* A row is sent by the dispatcher holding its claim (`claim_token`), taken by one UPDATE.
  Right before each send the dispatcher reads the row again: still `sending`, still its own
  token. A row withdrawn meanwhile (a cancelled or moved booking, R8) or taken over by
  another dispatcher is skipped.
* Claims are small batches, renewed every quarter of `OUTBOX_CLAIM_TIMEOUT` by a thread of
  their own (`_ClaimKeeper`) while the batch is worked through, so a claim held by a live
  dispatcher never looks abandoned, however slow the SMTP server, even during one send that
  outlasts the timeout; only a claim whose dispatcher stopped renewing it for
  `OUTBOX_CLAIM_TIMEOUT` is taken over.
* Each outcome is committed right after the send. A dispatcher that dies mid-send leaves that
  one row claimed; after the timeout it is sent again, with the same Message-ID (derived from
  the row), so that mail servers and clients can drop the copy.
"""

from __future__ import annotations

import logging
import os
import secrets
import socket
import threading
from contextlib import ExitStack, suppress
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from flask import current_app
from sqlalchemy import Connection, Engine, Row, bindparam, func, or_, select

from academy.core.clock import now
from academy.extensions import db
from academy.notifications.channels import Send, channel
from academy.notifications.models import DispatcherBeat, OutboxMessage, OutboxStatus

log = logging.getLogger(__name__)

BATCH = 20
# The loop's wait after a failed cycle (database or SMTP down): doubling up to this.
MAX_BACKOFF = 60.0


@dataclass
class DispatchResult:
    sent: int = 0
    retried: int = 0
    failed: int = 0
    skipped: int = 0  # withdrawn or taken over between the claim and the send


def backoff(attempts: int) -> timedelta:
    """1, 2, 4, ... minutes between tries of one message, at most an hour."""
    return timedelta(minutes=min(2 ** (attempts - 1), 60))


def claim_timeout() -> timedelta:
    return timedelta(seconds=current_app.config["OUTBOX_CLAIM_TIMEOUT"])


# The dispatcher's statements run on a connection of its own, not through the ORM session:
# Core statements on the table, built once. Per message, the ORM's bookkeeping (loading the
# claimed rows as objects, flushing and the session's commit events) cost more than the
# statements themselves (issue 15).
_outbox = OutboxMessage.__table__
_c = _outbox.c
_CLAIMABLE = or_(
    _c.status == OutboxStatus.PENDING,
    (_c.status == OutboxStatus.SENDING) & (_c.claimed_at < bindparam("stale")),
)
_CLAIM = (
    _outbox.update()
    .where(
        _c.id.in_(
            select(_c.id)
            .where(_c.due_at <= bindparam("at"), _CLAIMABLE)
            .order_by(_c.due_at, _c.id)
            .limit(bindparam("batch"))
            .with_for_update(skip_locked=True)
            .scalar_subquery()
        ),
        _CLAIMABLE,
    )
    .values(status=OutboxStatus.SENDING, claim_token=bindparam("token"), claimed_at=bindparam("at"))
    .returning(*_outbox.c)
)
_STILL_MINE = select(_c.id).where(
    _c.id == bindparam("row_id"),
    _c.claim_token == bindparam("token"),
    _c.status == OutboxStatus.SENDING,
)
_FINISH = _outbox.update().where(_c.id == bindparam("row_id"), _c.claim_token == bindparam("token"))
_MINE = (_c.claim_token == bindparam("token")) & (_c.status == OutboxStatus.SENDING)
_RENEW = _outbox.update().where(_MINE).values(claimed_at=bindparam("at"))
_RELEASE = (
    _outbox.update()
    .where(_MINE)
    .values(status=OutboxStatus.PENDING, claim_token=None, claimed_at=None)
)


def claim(conn: Connection, batch: int = BATCH) -> list[Row[Any]]:
    """Take up to `batch` due rows for this dispatcher and no other; they come back from the
    same statement (UPDATE ... RETURNING), oldest due first.

    One UPDATE settles it: on PostgreSQL the inner SELECT skips rows another dispatcher
    has locked (FOR UPDATE SKIP LOCKED); SQLite runs one writer at a time, and the
    conditions make a second claim of the same row match nothing.
    """
    at = now()
    params = {"token": secrets.token_hex(16), "at": at, "stale": at - claim_timeout()}
    rows = conn.execute(_CLAIM, {**params, "batch": batch}).all()
    conn.commit()
    return sorted(rows, key=lambda row: (row.due_at, row.id))


def _still_mine(conn: Connection, row: Row[Any]) -> bool:
    """At the moment of sending: the row is still claimed by this dispatcher and still wanted
    (a withdrawal sets it `cancelled` and drops the token)."""
    found = conn.execute(_STILL_MINE, {"row_id": row.id, "token": row.claim_token})
    return found.first() is not None


class _ClaimKeeper:
    """Renews the current batch's claim every `every` seconds, on a thread and a pooled
    connection of its own, for as long as the dispatcher runs.

    Renewing between sends, as the dispatcher once did, left the claim unrenewed for a whole
    send: a message slower than the rest of the timeout, or a stall on a loaded machine, let a
    second dispatcher take over a row that was being sent, and it went out twice.
    This thread renews while the sending thread waits on the SMTP server. It stops with the
    dispatcher (the process dying, or `dispatch_due` returning or raising), so the claim of a
    dead dispatcher still goes stale after `OUTBOX_CLAIM_TIMEOUT`.
    """

    def __init__(self, engine: Engine, every: float) -> None:
        self._engine = engine
        self._every = every
        self._token: str | None = None
        self._stopped = threading.Event()
        self._thread: threading.Thread | None = None

    def keep(self, token: str) -> None:
        """From now on renew this claim (the batch just claimed, so it is fresh)."""
        self._token = token
        if self._thread is None:  # started at the first claim, not on an idle poll
            self._thread = threading.Thread(target=self._run, name="outbox-claim", daemon=True)
            self._thread.start()

    def _run(self) -> None:
        while not self._stopped.wait(self._every):
            try:
                with self._engine.begin() as conn:
                    conn.execute(_RENEW, {"token": self._token, "at": now()})
            except Exception as exc:  # the database is away: try again at the next tick
                log.warning("outbox claim renewal failed: %s", exc)

    def __enter__(self) -> _ClaimKeeper:
        return self

    def __exit__(self, *exc: object) -> None:
        self._stopped.set()
        if self._thread is not None:
            self._thread.join(10)


def _finish(conn: Connection, row: Row[Any], **values: object) -> bool:
    """Record a send's outcome, only if this dispatcher still holds the claim."""
    result = conn.execute(_FINISH, {"row_id": row.id, "token": row.claim_token, **values})
    conn.commit()
    return bool(result.rowcount)


def dispatch_due(batch: int = BATCH, stop: threading.Event | None = None) -> DispatchResult:
    """Send every due message, in batches, then return what happened. Errors of one message
    (the SMTP server refusing it, a timeout) are recorded on that row and retried later;
    a database error propagates to the caller (the loop backs off and tries again)."""
    result = DispatchResult()
    config = current_app.config
    max_attempts = config["OUTBOX_MAX_ATTEMPTS"]
    # What the caller's session holds is committed first (as the claim always did), so that
    # the dispatcher's own connection sees it and never waits on the session's write lock.
    db.session.commit()
    # A sender (one SMTP session) opens at the first message of its channel and serves every
    # batch of this call: opening one per batch cost a connection and a greeting per 20 sends.
    keeper = _ClaimKeeper(db.engine, claim_timeout().total_seconds() / 4)
    with db.engine.connect() as conn, ExitStack() as open_senders, keeper:
        senders: dict[str, Send] = {}
        while not (stop and stop.is_set()) and (messages := claim(conn, batch)):
            token = messages[0].claim_token
            keeper.keep(token)
            for msg in messages:
                if stop and stop.is_set():  # a signal: what is not sent yet goes back
                    conn.execute(_RELEASE, {"token": token})
                    conn.commit()
                    return result
                if not _still_mine(conn, msg):
                    result.skipped += 1
                    continue
                attempts = msg.attempts + 1
                try:
                    if msg.channel not in senders:  # opened once per pass (one SMTP session)
                        sender = channel(msg.channel).sender(config)
                        senders[msg.channel] = open_senders.enter_context(sender)
                    senders[msg.channel](msg)
                except Exception as exc:  # any failure of this message is retried, never dropped
                    log.warning("outbox %s attempt %s failed: %s", msg.id, attempts, exc)
                    error = f"{type(exc).__name__}: {exc}"[:2000]
                    final = attempts >= max_attempts
                    if _finish(
                        conn,
                        msg,
                        attempts=attempts,
                        last_error=error,
                        claim_token=None,
                        status=OutboxStatus.FAILED if final else OutboxStatus.PENDING,
                        due_at=msg.due_at if final else now() + backoff(attempts),
                    ):
                        if final:
                            result.failed += 1
                        else:
                            result.retried += 1
                else:
                    if _finish(
                        conn,
                        msg,
                        attempts=attempts,
                        status=OutboxStatus.SENT,
                        sent_at=now(),
                        last_error=None,
                    ):
                        result.sent += 1
            if len(messages) < batch:
                break
    return result


# --- The long-running loop -------------------------------------------------------------------


def beat_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"[:120]


def _beat(name: str, *, error: str | None = None) -> None:
    """Record that a cycle completed (or why it did not)."""
    beat = db.session.get(DispatcherBeat, name) or DispatcherBeat(name=name, started_at=now())
    if error is None:
        beat.last_cycle_at = now()
    else:
        beat.last_error, beat.last_error_at = error[:2000], now()
    db.session.add(beat)
    db.session.commit()


def loop(interval: float, stop: threading.Event) -> None:
    """`flask notifications dispatch --loop`: cycle until `stop` is set (SIGTERM, SIGINT).

    Every error is logged and the next cycle waits longer (1 s, 2 s, 4 s ... up to a minute),
    so a database restart or an SMTP outage is ridden out, and nothing is lost meanwhile: the
    rows stay in the outbox. Only a signal ends the loop.
    """
    name = beat_name()
    failures = 0
    while not stop.is_set():
        try:
            result = dispatch_due(stop=stop)
            _beat(name)
        except Exception as exc:  # the database (or anything else) failed: back off, retry
            failures += 1
            wait = min(2 ** (failures - 1), MAX_BACKOFF)
            log.exception("dispatch cycle failed (%s in a row); next try in %.0f s", failures, wait)
            _reset_session()
            try:
                _beat(name, error=f"{type(exc).__name__}: {exc}")
            except Exception:  # the database is still gone; the log has it
                _reset_session()
            stop.wait(wait)
            continue
        if failures:
            log.info("dispatcher recovered after %s failed cycles", failures)
            failures = 0
        if result.sent or result.retried or result.failed:
            log.info(
                "sent %s, will retry %s, failed %s", result.sent, result.retried, result.failed
            )
        stop.wait(interval)


def _reset_session() -> None:
    """Drop the session and its connection after an error, so the next cycle starts clean."""
    with suppress(Exception):  # the connection may be dead; remove() discards it
        db.session.rollback()
    db.session.remove()


# --- What staff see on the notification log -------------------------------------------------


@dataclass(frozen=True)
class OutboxHealth:
    last_cycle_at: object
    due: int
    failed: int
    stuck: int


def health() -> OutboxHealth:
    """When a dispatcher last completed a cycle, and how many messages are due (waiting to be
    sent now), failed (gave up after OUTBOX_MAX_ATTEMPTS) or stuck (claimed by a dispatcher
    that stopped renewing its claim). Two statements."""
    at = now()
    stale = at - claim_timeout()
    due, failed, stuck = db.session.execute(
        select(
            func.count().filter(
                OutboxMessage.status == OutboxStatus.PENDING, OutboxMessage.due_at <= at
            ),
            func.count().filter(OutboxMessage.status == OutboxStatus.FAILED),
            func.count().filter(
                OutboxMessage.status == OutboxStatus.SENDING, OutboxMessage.claimed_at < stale
            ),
        )
    ).one()
    last = db.session.scalar(select(func.max(DispatcherBeat.last_cycle_at)))
    return OutboxHealth(last, int(due), int(failed), int(stuck))
