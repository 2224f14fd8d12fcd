"""What users do with their accounts: sign up, log in, reset a password, edit a profile.

Also `plan_allows`, what the firm's plan includes (POLICY R2); booking pages ask
academy.scheduling.access.can_use, which combines it with the rest of the terms.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Mapping
from contextlib import suppress
from dataclasses import asdict, dataclass
from functools import lru_cache
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload
from sqlalchemy.orm.attributes import set_committed_value

from academy.accounts.models import (
    Firm,
    FirmEvent,
    FirmEventKind,
    FirmRole,
    Plan,
    PlanChannel,
    Role,
    User,
)
from academy.core.clock import now
from academy.core.errors import DomainError
from academy.core.markers import N_
from academy.core.sql import rows
from academy.core.timezones import is_valid_timezone
from academy.core.tokens import InvalidToken, make_token, read_token
from academy.core.urls import external_url
from academy.extensions import db
from academy.notifications.services import enqueue_email
from academy.scheduling.policy import PLAN_SETTINGS, Channel

RESET_PURPOSE = "password-reset"
SIGNUP_PURPOSE = "sign-up"


@dataclass(frozen=True)
class SignupDetails:
    """What step one of signing up asked, carried signed in the emailed link."""

    name: str
    email: str
    firm_name: str
    timezone: str
    language: str


def _argon2_params(config: Mapping[str, Any]) -> tuple[int, int, int]:
    return (
        config["ARGON2_TIME_COST"],
        config["ARGON2_MEMORY_COST"],
        config["ARGON2_PARALLELISM"],
    )


@lru_cache(maxsize=8)
def _hasher_for(params: tuple[int, int, int]) -> PasswordHasher:
    time_cost, memory_cost, parallelism = params
    return PasswordHasher(time_cost=time_cost, memory_cost=memory_cost, parallelism=parallelism)


def _hasher() -> PasswordHasher:
    return _hasher_for(_argon2_params(current_app.config))


@lru_cache(maxsize=8)
def _dummy_hash(params: tuple[int, int, int]) -> str:
    """The hash an unknown email is checked against: made once per set of parameters (per
    process), so that a login for an unknown email costs one verification, like a known one."""
    return _hasher_for(params).hash(secrets.token_urlsafe(16))


def prepare_dummy_hash(config: Mapping[str, Any]) -> None:
    """Make the dummy hash at start-up, so that not even the first unknown email takes longer."""
    _dummy_hash(_argon2_params(config))


def hash_password(password: str) -> str:
    """argon2id, with the parameters from the configuration."""
    return _hasher().hash(password)


def normalize_email(email: str) -> str:
    return email.strip().lower()


# Built once: the inbox and the triage fill their assignee filter with it on every request.
_STAFF = (
    select(User.id, User.name).where(User.role.in_([Role.STAFF, Role.ADMIN])).order_by(User.name)
)


def staff_choices() -> list[tuple[str, str]]:
    """Staff and admins as (id, name) choices, by name: whom a request or feedback item can be
    assigned to."""
    return [(str(i), n) for i, n in rows(_STAFF)]


def find_user_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == normalize_email(email)))


def check_password(user: User | None, password: str) -> bool:
    """Verify, upgrading the hash when the parameters changed.

    Without a user a dummy hash (made once) is still verified: the same work, one argon2
    verification, so that response time does not tell whether an email has an account
    (ASVS 2.2.1 / 3.x enumeration).
    """
    hasher = _hasher()
    if user is None:
        _burn(hasher)
        return False
    try:
        hasher.verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        return False
    if hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hasher.hash(password)
    return True


def _burn(hasher: PasswordHasher) -> None:
    with suppress(VerificationError):
        hasher.verify(_dummy_hash(_argon2_params(current_app.config)), "not-the-password")


def authenticate(email: str, password: str) -> User | None:
    user = find_user_by_email(email)
    if not check_password(user, password):
        return None
    assert user is not None
    user.last_login_at = now()
    db.session.commit()
    return user


def default_plan() -> Plan:
    plan = db.session.scalar(select(Plan).where(Plan.is_default.is_(True)))
    if plan is None:
        plan = db.session.scalar(select(Plan).order_by(Plan.position))
    if plan is None:
        raise RuntimeError("no subscription plans: run `flask db upgrade`")
    return plan


def request_signup(*, name: str, email: str, firm_name: str, timezone: str, language: str) -> None:
    """Step one of signing up. Whether or not the email has an account, the page says the
    same ("check your email"); the mailbox's owner learns which it was (ASVS 2.2 / OWASP
    account enumeration). A new address gets a link to choose a password and finish; an
    address that has an account gets a note that it has one, with links to log in and to
    reset the password."""
    email = normalize_email(email)
    existing = find_user_by_email(email)
    if existing is not None:
        send_signup_existing(existing)
    else:
        send_signup_confirm(
            SignupDetails(name.strip(), email, firm_name.strip(), timezone, language)
        )
    db.session.commit()


def send_signup_existing(user: User) -> None:
    """The address already has an account: links to log in and to reset the password."""
    enqueue_email(
        user,
        "signup_existing",
        N_("You already have a TaxDome Academy account"),
        "signup_existing",
        login_link=external_url("accounts.login"),
        reset_link=external_url("accounts.forgot_password"),
    )


def send_signup_confirm(details: SignupDetails) -> None:
    """A new address: the signed link to choose a password and finish signing up."""
    token = make_token(SIGNUP_PURPOSE, asdict(details))
    # Not saved: it only carries the address, name, language and zone for the email.
    recipient = User(
        email=details.email, name=details.name, language=details.language, timezone=details.timezone
    )
    enqueue_email(
        recipient,
        "signup_confirm",
        N_("Finish creating your TaxDome Academy account"),
        "signup_confirm",
        link=external_url("accounts.finish_signup", token=token),
        hours=current_app.config["SIGNUP_LINK_MAX_AGE"] // 3600,
    )


def signup_details(token: str) -> SignupDetails:
    """What a sign-up link carries; InvalidToken when tampered with or expired."""
    data = read_token(SIGNUP_PURPOSE, token, current_app.config["SIGNUP_LINK_MAX_AGE"])
    try:
        details = SignupDetails(**data)
    except TypeError as exc:
        raise InvalidToken() from exc
    if details.language not in current_app.config["LANGUAGES"] or not is_valid_timezone(
        details.timezone
    ):
        raise InvalidToken()
    return details


def sign_up(
    *, name: str, email: str, password: str, timezone: str, language: str, firm_name: str
) -> User:
    """A new client with a new firm on the default plan, unverified, the client its owner;
    staff verify it and set plan and seats from the subscription (academy.firms)."""
    email = normalize_email(email)
    if find_user_by_email(email) is not None:
        raise DomainError(_l("An account with this email already exists."), field="email")
    firm = Firm(name=firm_name.strip(), plan=default_plan(), seats=1)
    user = User(
        name=name.strip(),
        email=email,
        password_hash=hash_password(password),
        role=Role.CLIENT,
        firm=firm,
        firm_role=FirmRole.OWNER,
        timezone=timezone,
        language=language,
    )
    db.session.add_all([firm, user])
    try:
        db.session.flush()
        db.session.add(
            FirmEvent(
                firm_id=firm.id, user_id=user.id, by_user_id=user.id, kind=FirmEventKind.CREATED
            )
        )
        db.session.commit()
    except IntegrityError as exc:  # two sign-ups with one email at the same instant
        db.session.rollback()
        raise DomainError(_l("An account with this email already exists."), field="email") from exc
    return user


def firm_with_domain_of(user: User) -> Firm | None:
    """Another firm whose owners set the user's email domain as theirs (issue 17)."""
    domain = user.email.rpartition("@")[2]
    return db.session.scalar(
        select(Firm).where(Firm.email_domain == domain, Firm.id != (user.firm_id or 0))
    )


def update_profile(
    user: User, *, name: str, phone: str | None, timezone: str, language: str
) -> None:
    user.name = name.strip()
    user.phone = (phone or "").strip() or None
    user.timezone = timezone
    user.language = language
    db.session.commit()


def change_password(user: User, current: str, new: str) -> None:
    """A new password ends every session of the user (ASVS 3.3.3); the view keeps its own."""
    if not check_password(user, current):
        raise DomainError(_l("That is not your current password."), field="current_password")
    user.password_hash = hash_password(new)
    end_sessions(user)
    db.session.commit()


def end_sessions(user: User) -> None:
    """End every session of `user`, on every device (academy.accounts.sessions): one more
    session generation, by a single UPDATE so that two at once both count. The caller commits."""
    table = User.__table__
    generation = db.session.execute(
        update(table)
        .where(table.c.id == user.id)
        .values(session_generation=table.c.session_generation + 1)
        .returning(table.c.session_generation)
    ).scalar_one()
    set_committed_value(user, "session_generation", generation)


def log_out_other_devices(user: User) -> None:
    """ASVS 3.3.3: every session of the user ends (the caller keeps the current one)."""
    end_sessions(user)
    db.session.commit()


def update_firm(firm: Firm, *, plan_id: int, seats: int, by: User | None = None) -> None:
    """Staff set a firm's plan and seats from its subscription (POLICY R2): never fewer seats
    than members, and a firm staff have set up is verified (it leaves the queue)."""
    members = db.session.scalar(select(func.count(User.id)).where(User.firm_id == firm.id)) or 0
    if seats < members:
        raise DomainError(_l("The firm already has more members than that."), field="seats")
    firm.plan_id, firm.seats = plan_id, seats
    if firm.verified_at is None:
        firm.verified_at = now()
        db.session.add(
            FirmEvent(
                firm_id=firm.id,
                by_user_id=by.id if by else None,
                kind=FirmEventKind.VERIFIED,
                detail=f"staff edit, {seats}",
            )
        )
    db.session.commit()


def set_language(user: User, language: str) -> None:
    """The footer's switcher, remembered in the profile."""
    user.language = language
    db.session.commit()


def _fingerprint(user: User) -> str:
    """Changes whenever the password does, so a reset link works once."""
    return hashlib.sha256(user.password_hash.encode()).hexdigest()[:16]


def request_password_reset(email: str) -> None:
    """Queue a reset link if the account exists; say nothing either way."""
    user = find_user_by_email(email)
    if user is None:
        return
    send_password_reset(user)
    db.session.commit()


def send_password_reset(user: User) -> None:
    """A link that works once (it carries a fingerprint of the password) and for a while."""
    token = make_token(RESET_PURPOSE, {"uid": user.id, "fp": _fingerprint(user)})
    enqueue_email(
        user,
        "password_reset",
        N_("Reset your TaxDome Academy password"),
        "password_reset",
        link=external_url("accounts.reset_password", token=token),
        minutes=current_app.config["PASSWORD_RESET_MAX_AGE"] // 60,
    )


def user_for_reset_token(token: str) -> User:
    """The user a reset link is for; raises InvalidToken when tampered, expired or used."""
    data = read_token(RESET_PURPOSE, token, current_app.config["PASSWORD_RESET_MAX_AGE"])
    user = db.session.get(User, data.get("uid")) if isinstance(data, dict) else None
    if user is None or data.get("fp") != _fingerprint(user):
        raise InvalidToken()
    return user


def reset_password(token: str, new_password: str) -> User:
    """A reset ends every session of the user, wherever it is (ASVS 3.3.3)."""
    user = user_for_reset_token(token)
    user.password_hash = hash_password(new_password)
    end_sessions(user)
    db.session.commit()
    return user


def set_role(user: User, role: Role, by: User) -> None:
    if user.id == by.id and role != Role.ADMIN:
        raise DomainError(_l("You cannot remove your own admin role."), field="role")
    if role != Role.CLIENT and _sole_owner_of_team(user):
        # A firm never stays without an owner (issue 17): it is handed over first.
        raise DomainError(
            _l(
                "%(name)s is the only owner of a firm with other members: make another member "
                "an owner first.",
                name=user.name,
            ),
            field="role",
        )
    user.role = role
    db.session.commit()


def _sole_owner_of_team(user: User) -> bool:
    if user.firm_id is None or user.firm_role != FirmRole.OWNER:
        return False
    others = db.session.execute(
        select(
            func.count(User.id).filter(User.firm_role == FirmRole.OWNER),
            func.count(User.id),
        ).where(User.firm_id == user.firm_id, User.id != user.id)
    ).one()
    return others[0] == 0 and others[1] > 0


def create_staff(email: str, name: str, password: str, role: Role) -> User:
    """Used by `flask users create-staff|create-admin`; updates the role if the user exists."""
    user = find_user_by_email(email)
    if user is None:
        user = User(
            email=normalize_email(email),
            name=name,
            password_hash=hash_password(password),
            role=role,
            timezone=current_app.config["DEFAULT_TIMEZONE"],
        )
        db.session.add(user)
    else:
        user.role = role
        user.password_hash = hash_password(password)
    db.session.commit()
    return user


def plans_with_grants() -> list[Plan]:
    """The plan table (POLICY R2), plans in order with their channels."""
    return list(
        db.session.scalars(select(Plan).options(selectinload(Plan.grants)).order_by(Plan.position))
    )


def save_plan_table(
    plans: list[Plan],
    *,
    grants: dict[tuple[int, Channel], int | None],
    settings: dict[int, dict[str, object]],
) -> None:
    """R2: which channels each plan gives from how many users (None: not at all), and the
    figures of the terms each plan sets (policy.PLAN_SETTINGS, already bounded by the form)."""
    for plan in plans:
        plan.terms = {s.key: s.clean(settings[plan.id][s.key]) for s in PLAN_SETTINGS}
        existing = {Channel(g.channel): g for g in plan.grants}
        for channel in Channel:
            value, grant = grants[(plan.id, channel)], existing.get(channel)
            if value is None and grant is not None:
                db.session.delete(grant)
            elif value is not None and grant is None:
                db.session.add(PlanChannel(plan_id=plan.id, channel=channel, min_seats=value))
            elif grant is not None and value is not None:
                grant.min_seats = value
    db.session.commit()
