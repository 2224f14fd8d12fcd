"""The one check every page that books, registers or asks for support uses (R2, R5, R6, R15, R18).

`facts_for(user)` loads what the rules need in one query (two when the plan table changed),
once per request (kept on
`flask.g`); `policy.access_decision` decides, in the order the terms give. Every commit drops
them (terms accepted, a fee charged, a restriction: the rest of the request sees the change),
and so does `forget_facts`, for a change still inside its transaction (a no-show just recorded).
"""

from __future__ import annotations

from datetime import datetime
from functools import cache

from flask import g, has_app_context
from sqlalchemy import (
    CompoundSelect,
    Integer,
    String,
    bindparam,
    event,
    exists,
    func,
    literal,
    select,
    union_all,
)
from sqlalchemy.orm import Session

from academy.accounts.models import Firm, Plan, PlanChannel, User
from academy.conduct.models import Restriction
from academy.core.clock import now
from academy.core.decisions import Decision
from academy.core.sql import rows as plain_rows
from academy.core.types import UTCDateTime
from academy.core.versions import ContentVersion, cached, watch
from academy.extensions import db
from academy.scheduling.models import Booking, NoShow
from academy.scheduling.policy import (
    DEFAULT_TERMS,
    AccessFacts,
    ActiveRestriction,
    Channel,
    Grant,
    Terms,
    access_decision,
    terms_for,
)
from academy.terms.models import TermsAcceptance, TermsVersion

_CACHE = "_access_facts"


watch("plans", "plans", "plan_channels")


@cache
def _facts_statement() -> CompoundSelect:
    """One statement for a client's own facts, built once (its SQL is cached too): a row for
    the firm (its plan, the terms accepted, the fee charged), one per restriction not lifted,
    one per counted no-show, and the plan table's version. The columns of the first select
    give every row its types."""
    uid = bindparam("uid", type_=Integer)
    current = (
        select(TermsVersion.id)
        .order_by(TermsVersion.published_at.desc(), TermsVersion.id.desc())
        .limit(1)
        .scalar_subquery()
    )
    accepted = ~exists(select(TermsVersion.id)) | exists(
        select(TermsAcceptance.id).where(
            TermsAcceptance.user_id == uid, TermsAcceptance.version_id == current
        )
    )
    last_no_show = (
        select(func.max(NoShow.occurred_at))
        .where(NoShow.user_id == uid, NoShow.excused_at.is_(None))
        .scalar_subquery()
    )
    charged = exists(
        select(Booking.id).where(
            Booking.user_id == uid,
            Booking.fee_owed.is_not(None),
            Booking.created_at > last_no_show,
        )
    )
    null_text, null_int, no = literal(None, String), literal(None, Integer), literal(False)
    null_time = literal(None, UTCDateTime)
    return union_all(
        select(
            literal("f"),
            accepted,
            Firm.subscription_ended_at,
            Plan.name,
            Firm.seats,
            charged,
        )
        .select_from(User)
        .outerjoin(Firm, Firm.id == User.firm_id)
        .outerjoin(Plan, Plan.id == Firm.plan_id)
        .where(User.id == uid),
        select(
            literal("r"), Restriction.permanent, Restriction.until, null_text, null_int, no
        ).where(Restriction.user_id == uid, Restriction.lifted_at.is_(None)),
        select(literal("n"), no, NoShow.occurred_at, null_text, null_int, no).where(
            NoShow.user_id == uid, NoShow.excused_at.is_(None)
        ),
        select(literal("v"), no, null_time, ContentVersion.name, ContentVersion.version, no).where(
            ContentVersion.name == "plans"
        ),
    )


def _plan_table() -> tuple[tuple[Grant, ...], dict[str, dict]]:
    """The plan table: every plan's settings of the terms, and its channels (R2)."""
    plan_terms: dict[str, dict] = {}
    grants: list[Grant] = []
    for name, settings, channel, min_seats in db.session.execute(
        select(Plan.name, Plan.terms, PlanChannel.channel, PlanChannel.min_seats)
        .outerjoin(PlanChannel, PlanChannel.plan_id == Plan.id)
        .order_by(Plan.position, PlanChannel.id)
    ):
        plan_terms[name] = settings or {}
        if channel is not None:
            grants.append(Grant(plan=name, channel=Channel(channel), min_seats=min_seats))
    return tuple(grants), plan_terms


def _load(user: User) -> AccessFacts:
    if user.is_staff:
        return AccessFacts(True, None, 0, (), False, (), True, (), DEFAULT_TERMS, False)
    rows = plain_rows(_facts_statement(), {"uid": user.id}).all()
    (_, terms_accepted, ended_at, plan, seats, fee_charged) = next(r for r in rows if r[0] == "f")
    version = next((r[4] for r in rows if r[0] == "v"), 0)
    # The plan table changes rarely: kept in memory, read again when its version moves.
    grants, plan_terms = cached("plans", version, _plan_table)
    return AccessFacts(
        staff=False,
        plan=plan,
        seats=seats or 0,
        grants=grants,
        subscription_ended=ended_at is not None,
        restrictions=tuple(ActiveRestriction(bool(r[1]), r[2]) for r in rows if r[0] == "r"),
        terms_accepted=bool(terms_accepted),
        no_shows=tuple(r[2] for r in rows if r[0] == "n"),
        terms=terms_for(plan_terms.get(plan)) if plan else DEFAULT_TERMS,
        fee_charged_since_last=bool(fee_charged),
    )


def facts_for(user: User) -> AccessFacts:
    """The user's access facts, loaded once per request."""
    if not has_app_context():
        return _load(user)
    cache: dict[int, AccessFacts] = g.setdefault(_CACHE, {})
    if user.id not in cache:
        cache[user.id] = _load(user)
    return cache[user.id]


def forget_facts() -> None:
    """Something the rules read has changed: the next check loads the facts again."""
    if has_app_context():
        g.pop(_CACHE, None)


@event.listens_for(Session, "after_commit")
def _forget_on_commit(_session: Session) -> None:
    forget_facts()


@event.listens_for(Session, "after_soft_rollback")
def _forget_on_rollback(_session: Session, _transaction: object) -> None:
    # What was rolled back (an email preview's demo client, a savepoint) may be in the facts,
    # and a rolled-back id can be handed out again.
    forget_facts()


def can_use(user: User, channel: Channel, at: datetime | None = None) -> Decision:
    """May `user` use `channel` at `at`? (policy.access_decision: R5/R6, R2, R18, R15.)"""
    return access_decision(facts_for(user), channel, at or now())


def terms_of(user: User | None) -> Terms:
    """The terms as they apply to this person: their firm's plan's figures (staff and
    visitors: the defaults). One load per request, shared with the access check."""
    if user is None or not getattr(user, "is_authenticated", True) or user.is_staff:
        return DEFAULT_TERMS
    return facts_for(user).terms


def overview(user: User, at: datetime | None = None) -> list[tuple[Channel, Decision]]:
    """Every channel of R1, in order, with the decision for this user (home and help pages)."""
    facts, at = facts_for(user), at or now()
    return [(channel, access_decision(facts, channel, at)) for channel in Channel]
