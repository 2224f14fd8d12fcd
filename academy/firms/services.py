"""Firms as teams (issue 17): invitations, seats, membership changes, verification, joining by
email domain. Every change of membership writes a FirmEvent (who, by whom, when).

Seats (POLICY R2: channels follow the firm's plan and number of users): a firm's Academy
members plus its pending invitations never exceed `Firm.seats`. Two owners taking the last
seat at the same instant are settled by the database: each change first locks the firm's row
(`_lock_firm`, an UPDATE: a row lock on PostgreSQL, the write lock on SQLite), then counts.
A member who leaves loses the firm's channels on their very next request: the access facts
(scheduling.access) read the firm from the user's row on every request.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from email_validator import EmailNotValidError, validate_email
from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased, selectinload

from academy.accounts.models import Firm, FirmEvent, FirmEventKind, FirmRole, Plan, Role, User
from academy.accounts.services import find_user_by_email, hash_password, normalize_email
from academy.core.clock import now
from academy.core.errors import DomainError
from academy.core.markers import N_
from academy.core.tokens import InvalidToken, make_token, read_token
from academy.core.urls import external_url
from academy.extensions import db
from academy.firms.models import Invitation, JoinRequest
from academy.firms.reminders import withdraw_for_member
from academy.notifications.services import enqueue_email

INVITE_PURPOSE = "firm-invitation"
MAX_EMAILS = 50  # one invitation form
RESEND_INTERVAL = timedelta(minutes=10)  # one address is not emailed more often than this


class InvitationRefused(DomainError):
    """An invitation link that cannot be used; `reason` for tests and the page."""

    def __init__(self, message: str, reason: str) -> None:
        super().__init__(message)
        self.reason = reason


def _max_age() -> int:
    return int(current_app.config["FIRM_INVITATION_MAX_AGE"])


def _event(
    firm_id: int, kind: FirmEventKind, user: User | None, by: User | None, detail: str = ""
) -> None:
    db.session.add(
        FirmEvent(
            firm_id=firm_id,
            user_id=user.id if user else None,
            by_user_id=by.id if by else None,
            kind=kind,
            detail=detail[:300],
        )
    )


def _lock_firm(firm_id: int) -> None:
    """Serialise every change of this firm's seats (ARCHITECTURE 5)."""
    db.session.execute(update(Firm).where(Firm.id == firm_id).values(seats=Firm.seats))


def member_count(firm_id: int) -> int:
    return db.session.scalar(select(func.count(User.id)).where(User.firm_id == firm_id)) or 0


def _pending_clause(at: datetime):
    return (
        Invitation.used_at.is_(None)
        & Invitation.revoked_at.is_(None)
        & (Invitation.expires_at > at)
    )


def pending_count(firm_id: int) -> int:
    return (
        db.session.scalar(
            select(func.count(Invitation.id)).where(
                Invitation.firm_id == firm_id, _pending_clause(now())
            )
        )
        or 0
    )


@dataclass(frozen=True)
class SeatCount:
    seats: int
    members: int
    pending: int

    @property
    def left(self) -> int:
        return max(self.seats - self.members - self.pending, 0)


def seat_count(firm: Firm) -> SeatCount:
    """Seats, members and pending invitations in one statement."""
    members = select(func.count(User.id)).where(User.firm_id == firm.id).scalar_subquery()
    pending = (
        select(func.count(Invitation.id))
        .where(Invitation.firm_id == firm.id, _pending_clause(now()))
        .scalar_subquery()
    )
    row = db.session.execute(select(Firm.seats, members, pending).where(Firm.id == firm.id)).one()
    return SeatCount(row[0], row[1], row[2])


def require_owner(user: User) -> Firm:
    """The firm `user` owns; DomainError (the view: 404) for anyone else."""
    if not user.is_authenticated or user.is_staff or not user.is_firm_owner:
        raise DomainError(_l("Only an owner of the firm can do this."))
    firm = db.session.scalar(
        select(Firm).options(selectinload(Firm.plan)).where(Firm.id == user.firm_id)
    )
    if firm is None:
        raise DomainError(_l("Only an owner of the firm can do this."))
    return firm


# --- Invitations ----------------------------------------------------------------------------


def parse_emails(text: str) -> list[str]:
    """Addresses separated by commas, semicolons, spaces or lines; each once, in order."""
    seen: dict[str, None] = {}
    for part in text.replace(",", " ").replace(";", " ").split():
        seen.setdefault(normalize_email(part), None)
    return list(seen)


def invitation_token(invitation: Invitation) -> str:
    # The time it was sent: a resent invitation's earlier links stop working.
    return make_token(
        INVITE_PURPOSE,
        {"i": invitation.id, "e": invitation.email, "s": int(invitation.sent_at.timestamp())},
    )


def send_invitation(invitation: Invitation, firm: Firm, by: User) -> None:
    """The email in the invitee's language when they have an account, else the inviter's."""
    existing = find_user_by_email(invitation.email)
    recipient = existing or User(
        email=invitation.email, name=invitation.email, language=by.language, timezone=by.timezone
    )
    moving_from = None
    if existing is not None and existing.firm_id not in (None, firm.id):
        moving_from = db.session.scalar(select(Firm.name).where(Firm.id == existing.firm_id))
    enqueue_email(
        recipient,
        "firm_invitation",
        N_("%(name)s invites you to %(firm)s on TaxDome Academy"),
        "firm_invitation",
        subject_params={"name": by.name, "firm": firm.name},
        link=external_url("firms.invitation", token=invitation_token(invitation)),
        firm_name=firm.name,
        inviter=by.name,
        days=_max_age() // 86400,
        moving_from=moving_from,
    )


def invite(owner: User, emails: list[str]) -> list[Invitation]:
    """Invite colleagues by email, several at once; each holds a seat until used, revoked or
    expired. All or none: a full firm or a bad address refuses the whole list."""
    firm = require_owner(owner)
    if not emails:
        raise DomainError(_l("Enter at least one email address."), field="emails")
    if len(emails) > MAX_EMAILS:
        raise DomainError(_l("At most %(n)d addresses at once.", n=MAX_EMAILS), field="emails")
    for email in emails:
        try:
            validate_email(email, check_deliverability=False)
        except EmailNotValidError:
            raise DomainError(
                _l("%(email)s is not an email address.", email=email), field="emails"
            ) from None
    staff = list(
        db.session.scalars(
            select(User.email).where(User.email.in_(emails), User.role != Role.CLIENT)
        )
    )
    if staff:
        raise DomainError(
            _l("Staff accounts cannot join a client firm: %(emails)s.", emails=", ".join(staff)),
            field="emails",
        )
    at = now()
    _lock_firm(firm.id)
    members = set(
        db.session.scalars(
            select(User.email).where(User.firm_id == firm.id, User.email.in_(emails))
        )
    )
    if members:
        raise DomainError(
            _l("Already in your firm: %(emails)s.", emails=", ".join(sorted(members))),
            field="emails",
        )
    invited = set(
        db.session.scalars(
            select(Invitation.email).where(
                Invitation.firm_id == firm.id, Invitation.email.in_(emails), _pending_clause(at)
            )
        )
    )
    if invited:
        raise DomainError(
            _l(
                "Already invited: %(emails)s. Resend their invitation from the list below.",
                emails=", ".join(sorted(invited)),
            ),
            field="emails",
        )
    left = firm.seats - member_count(firm.id) - pending_count(firm.id)
    if len(emails) > left:
        db.session.rollback()
        raise DomainError(
            _l(
                "Your firm has %(left)d seats left of %(seats)d; you invited %(n)d. Ask us for "
                "more seats, or revoke a pending invitation.",
                left=max(left, 0),
                seats=firm.seats,
                n=len(emails),
            ),
            field="emails",
        )
    made = []
    for email in emails:
        invitation = Invitation(
            firm_id=firm.id,
            email=email,
            invited_by_id=owner.id,
            created_at=at,
            sent_at=at,
            expires_at=at + timedelta(seconds=_max_age()),
        )
        db.session.add(invitation)
        made.append(invitation)
    db.session.flush()
    for invitation in made:
        send_invitation(invitation, firm, owner)
    db.session.commit()
    return made


def owned_invitation(owner: User, invitation_id: int) -> tuple[Firm, Invitation]:
    """An invitation of the owner's own firm; DomainError (404) for anyone else's."""
    firm = require_owner(owner)
    invitation = db.session.get(Invitation, invitation_id)
    if invitation is None or invitation.firm_id != firm.id:
        raise DomainError(_l("There is no such invitation."))
    return firm, invitation


def resend(owner: User, invitation_id: int) -> Invitation:
    """A new email with a new link and a new expiry; the earlier links stop working (a link
    carries the time its invitation was sent)."""
    firm, invitation = owned_invitation(owner, invitation_id)
    at = now()
    since = at - invitation.sent_at
    if since < RESEND_INTERVAL:
        raise DomainError(
            _l(
                "This invitation was sent %(minutes)d minutes ago: you can send it again in "
                "%(left)d minutes.",
                minutes=since.total_seconds() // 60,
                left=-(-(RESEND_INTERVAL - since).total_seconds() // 60),
            )
        )
    if invitation.expires_at <= at:
        # An expired invitation holds no seat: reviving it takes one, counted as invite does.
        _lock_firm(firm.id)
        if firm.seats - member_count(firm.id) - pending_count(firm.id) < 1:
            db.session.rollback()
            raise DomainError(
                _l(
                    "Your firm has no free seat left for this invitation. Ask us for more "
                    "seats, or revoke a pending invitation."
                )
            )
    changed = db.session.execute(
        update(Invitation)
        .where(
            Invitation.id == invitation.id,
            Invitation.used_at.is_(None),
            Invitation.revoked_at.is_(None),
            Invitation.sent_at == invitation.sent_at,  # not sent again meanwhile
        )
        .values(sent_at=at, expires_at=at + timedelta(seconds=_max_age()))
        .execution_options(synchronize_session="fetch")
    ).rowcount
    if not changed:
        db.session.rollback()
        raise DomainError(_l("This invitation was used or revoked: it cannot be sent again."))
    send_invitation(invitation, firm, owner)
    db.session.commit()
    return invitation


def revoke(owner: User, invitation_id: int) -> Invitation:
    _firm, invitation = owned_invitation(owner, invitation_id)
    changed = db.session.execute(
        update(Invitation)
        .where(
            Invitation.id == invitation.id,
            Invitation.used_at.is_(None),
            Invitation.revoked_at.is_(None),
        )
        .values(revoked_at=now())
        .execution_options(synchronize_session="fetch")
    ).rowcount
    if not changed:
        db.session.rollback()
        raise DomainError(_l("This invitation was already used or revoked."))
    db.session.commit()
    return invitation


def pending_invitations(firm_id: int) -> list[Invitation]:
    return list(
        db.session.scalars(
            select(Invitation)
            .where(
                Invitation.firm_id == firm_id,
                Invitation.used_at.is_(None),
                Invitation.revoked_at.is_(None),
            )
            .order_by(Invitation.created_at.desc(), Invitation.id.desc())
        )
    )


def invitation_for(token: str) -> Invitation:
    """The invitation a link is for, or InvitationRefused saying why: tampered with, expired,
    used, revoked."""
    try:
        data = read_token(INVITE_PURPOSE, token, _max_age())
    except InvalidToken as exc:
        if exc.expired:
            raise InvitationRefused(
                _l("This invitation has expired. Ask the person who invited you to send it again."),
                "expired",
            ) from exc
        raise InvitationRefused(
            _l("This invitation link is not valid. Check that you copied all of it."), "invalid"
        ) from exc
    invitation = (
        db.session.scalar(
            select(Invitation)
            .options(
                selectinload(Invitation.firm).selectinload(Firm.plan),
                selectinload(Invitation.invited_by),
            )
            .where(Invitation.id == data.get("i"))
        )
        if isinstance(data, dict) and isinstance(data.get("i"), int)
        else None
    )
    if (
        invitation is None
        or invitation.email != data.get("e")
        or int(invitation.sent_at.timestamp()) != data.get("s")
    ):
        raise InvitationRefused(
            _l("This invitation link is not valid. Check that you copied all of it."), "invalid"
        )
    if invitation.used_at is not None:
        raise InvitationRefused(_l("This invitation has been used already."), "used")
    if invitation.revoked_at is not None:
        raise InvitationRefused(_l("This invitation has been withdrawn by the firm."), "revoked")
    if invitation.expires_at <= now():
        raise InvitationRefused(
            _l("This invitation has expired. Ask the person who invited you to send it again."),
            "expired",
        )
    return invitation


@dataclass(frozen=True)
class Move:
    """What accepting an invitation means for someone already in another firm."""

    from_firm: Firm
    blocked: bool  # the last owner of a firm that has other members must hand it over first


def move_for(user: User, invitation: Invitation) -> Move | None:
    if user.firm_id is None or user.firm_id == invitation.firm_id:
        return None
    firm = db.session.get(Firm, user.firm_id)
    assert firm is not None
    blocked = (
        user.firm_role == FirmRole.OWNER and _other_owners(user) == 0 and member_count(firm.id) > 1
    )
    return Move(firm, blocked)


def _other_owners(user: User) -> int:
    return (
        db.session.scalar(
            select(func.count(User.id)).where(
                User.firm_id == user.firm_id, User.firm_role == FirmRole.OWNER, User.id != user.id
            )
        )
        or 0
    )


def _leave_current(user: User, by: User | None, kind: FirmEventKind, detail: str = "") -> None:
    """The user is no longer in their firm (recorded); what the firm assigned them stops
    reminding them (the assignments stay, hidden, should they come back)."""
    former = user.firm_id
    if former is not None:
        _event(former, kind, user, by, detail)
        withdraw_for_member(user.id, former)
    user.firm_id, user.firm_role = None, None
    if former is not None:
        db.session.flush()
        if member_count(former) == 0:
            _close_empty_firm(former)


def _close_empty_firm(firm_id: int) -> None:
    """The last member left: nobody may join the empty firm through what it had pending (an
    ownerless firm could not answer them)."""
    at = now()
    db.session.execute(
        update(Invitation)
        .where(Invitation.firm_id == firm_id, _pending_clause(at))
        .values(revoked_at=at)
        .execution_options(synchronize_session=False)
    )
    db.session.execute(
        update(JoinRequest)
        .where(JoinRequest.firm_id == firm_id, JoinRequest.decided_at.is_(None))
        .values(decided_at=at, approved=False)
        .execution_options(synchronize_session=False)
    )


def _role_on_joining(firm_id: int) -> FirmRole:
    """A member, or the owner when the firm has none (it never stays ownerless)."""
    has_owner = db.session.scalar(
        select(User.id).where(User.firm_id == firm_id, User.firm_role == FirmRole.OWNER).limit(1)
    )
    return FirmRole.MEMBER if has_owner else FirmRole.OWNER


def accept(invitation: Invitation, user: User) -> None:
    """Join the firm: the invitation is used once (compare-and-set), the seat is checked
    under the firm's lock, the user leaves their former firm (recorded in both)."""
    if normalize_email(user.email) != invitation.email:
        raise InvitationRefused(
            _l(
                "This invitation is for %(email)s. Log in with that address to accept it.",
                email=invitation.email,
            ),
            "other-email",
        )
    if user.is_staff:
        raise InvitationRefused(_l("Staff accounts cannot join a client firm."), "staff")
    # Both firms locked (in id order: no deadlock) before the former firm's owners are counted.
    for locked in sorted({invitation.firm_id, user.firm_id} - {None}):
        _lock_firm(locked)
    move = move_for(user, invitation)
    if move is not None and move.blocked:
        db.session.rollback()
        raise InvitationRefused(
            _l(
                "You are the only owner of %(firm)s, which has other members: make one of them "
                "an owner first, on your team page.",
                firm=move.from_firm.name,
            ),
            "owner",
        )
    firm_id, firm_name = invitation.firm_id, invitation.firm.name
    used = db.session.execute(
        update(Invitation)
        .where(
            Invitation.id == invitation.id,
            Invitation.used_at.is_(None),
            Invitation.revoked_at.is_(None),
            Invitation.expires_at > now(),
        )
        .values(used_at=now(), used_by_id=user.id)
        .execution_options(synchronize_session=False)
    ).rowcount
    if not used:
        db.session.rollback()
        raise InvitationRefused(_l("This invitation has been used already."), "used")
    seats = db.session.scalar(select(Firm.seats).where(Firm.id == firm_id)) or 0
    if user.firm_id != firm_id and member_count(firm_id) >= seats:
        db.session.rollback()
        raise InvitationRefused(
            _l(
                "%(firm)s has no free seat left: ask its owner to free one or add seats.",
                firm=firm_name,
            ),
            "full",
        )
    if user.firm_id != firm_id:
        _leave_current(user, user, FirmEventKind.LEFT, firm_name)
        user.firm_id, user.firm_role = firm_id, _role_on_joining(firm_id)
        _event(firm_id, FirmEventKind.JOINED, user, None, _invited_by_detail(invitation))
    # Joined: their requests to join firms (this one or another) are no longer open.
    db.session.execute(
        update(JoinRequest)
        .where(JoinRequest.user_id == user.id, JoinRequest.decided_at.is_(None))
        .values(decided_at=now(), approved=False)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()


def _invited_by_detail(invitation: Invitation) -> str:
    return f"invitation {invitation.id}"


def sign_up_and_accept(
    invitation: Invitation, *, name: str, password: str, timezone: str, language: str
) -> User:
    """A newcomer through the link: their account is made and joins the firm (the link
    proves the address is theirs)."""
    if find_user_by_email(invitation.email) is not None:
        raise InvitationRefused(
            _l("An account with this email already exists: log in to accept."), "exists"
        )
    user = User(
        email=invitation.email,
        name=name.strip(),
        password_hash=hash_password(password),
        role=Role.CLIENT,
        timezone=timezone,
        language=language,
    )
    db.session.add(user)
    try:
        db.session.flush()
    except IntegrityError as exc:  # the form posted twice at once: the other made the account
        db.session.rollback()
        raise InvitationRefused(
            _l("An account with this email already exists: log in to accept."), "exists"
        ) from exc
    accept(invitation, user)
    return user


# --- Team changes ---------------------------------------------------------------------------


def member_of(owner: User, user_id: int) -> tuple[Firm, User]:
    firm = require_owner(owner)
    user = db.session.get(User, user_id)
    if user is None or user.firm_id != firm.id:
        raise DomainError(_l("There is no such member."))
    return firm, user


def remove_member(owner: User, user_id: int) -> User:
    """The member leaves the firm now (their own history stays with them); they lose the
    firm's channels on their next request (POLICY R2)."""
    firm, user = member_of(owner, user_id)
    if user.id == owner.id:
        raise DomainError(_l("To leave the firm yourself, use Leave the firm."))
    _lock_firm(firm.id)
    # Read again under the lock: the member may have left (or been removed) meanwhile.
    db.session.refresh(user)
    if user.firm_id != firm.id:
        db.session.rollback()
        raise DomainError(_l("There is no such member."))
    # Counted under the lock: two owners removing each other at once leave one of them.
    if _other_owners(user) == 0:
        db.session.rollback()
        raise DomainError(_l("A firm keeps at least one owner: make someone else an owner first."))
    _leave_current(user, owner, FirmEventKind.REMOVED)
    db.session.commit()
    return user


def set_owner(by: User, user_id: int, owner: bool) -> User:
    """Make a member an owner, or an owner a member (a firm keeps at least one owner)."""
    firm, user = member_of(by, user_id)
    return _set_role(firm, user, by, owner)


def _set_role(firm: Firm, user: User, by: User | None, owner: bool) -> User:
    if owner == (user.firm_role == FirmRole.OWNER):
        return user
    _lock_firm(firm.id)  # owners counted under the firm's lock: two demoting each other at once
    if not owner and _other_owners(user) == 0:
        db.session.rollback()
        raise DomainError(_l("A firm keeps at least one owner: make someone else an owner first."))
    user.firm_role = FirmRole.OWNER if owner else FirmRole.MEMBER
    _event(firm.id, FirmEventKind.OWNER if owner else FirmEventKind.MEMBER, user, by)
    db.session.commit()
    return user


def transfer_ownership(owner: User, user_id: int) -> User:
    """The other member becomes an owner and `owner` a member, in one transaction."""
    firm, user = member_of(owner, user_id)
    if user.id == owner.id:
        raise DomainError(_l("Choose another member."))
    user.firm_role = FirmRole.OWNER
    _event(firm.id, FirmEventKind.OWNER, user, owner)
    owner.firm_role = FirmRole.MEMBER
    _event(firm.id, FirmEventKind.MEMBER, owner, owner)
    db.session.commit()
    return user


def leave(user: User) -> None:
    if user.firm_id is None:
        raise DomainError(_l("You are not in a firm."))
    locked = user.firm_id
    _lock_firm(locked)
    db.session.refresh(user)  # under the lock: removed meanwhile, they have nothing to leave
    if user.firm_id != locked:
        db.session.rollback()
        raise DomainError(_l("You are not in a firm."))
    if (
        user.firm_role == FirmRole.OWNER
        and _other_owners(user) == 0
        and member_count(user.firm_id) > 1
    ):
        db.session.rollback()
        raise DomainError(
            _l("You are the only owner: make another member an owner before you leave.")
        )
    _leave_current(user, user, FirmEventKind.LEFT)
    db.session.commit()


@dataclass(frozen=True)
class HistoryLine:
    event: FirmEvent
    subject: str | None
    actor: str | None


def history(firm_id: int, limit: int = 50) -> list[HistoryLine]:
    """The latest changes of membership, with the names of whom and by whom (one statement)."""
    subject, actor = aliased(User), aliased(User)
    return [
        HistoryLine(event, s, a)
        for event, s, a in db.session.execute(
            select(FirmEvent, subject.name, actor.name)
            .outerjoin(subject, subject.id == FirmEvent.user_id)
            .outerjoin(actor, actor.id == FirmEvent.by_user_id)
            .where(FirmEvent.firm_id == firm_id)
            .order_by(FirmEvent.at.desc(), FirmEvent.id.desc())
            .limit(limit)
        )
    ]


# Addresses anyone can get: no firm may claim them.
PUBLIC_MAIL_DOMAINS = frozenset(
    {
        "gmail.com", "googlemail.com", "yahoo.com", "yahoo.ro", "yahoo.co.uk", "ymail.com",
        "outlook.com", "hotmail.com", "live.com", "msn.com", "icloud.com", "me.com", "mac.com",
        "aol.com", "proton.me", "protonmail.com", "gmx.com", "gmx.net", "mail.com",
        "yandex.com", "zoho.com",
    }
)  # fmt: skip


def set_email_domain(owner: User, domain: str) -> None:
    """Sign-ups from this domain may ask to join. Only a verified firm, only the domain of the
    owner's own address, never a public mail domain (anyone could claim gmail.com)."""
    firm = require_owner(owner)
    domain = domain.strip().lower().lstrip("@") or ""
    if domain and firm.verified_at is None:
        raise DomainError(
            _l("Your firm can use an email domain once we have verified it."), field="domain"
        )
    if domain in PUBLIC_MAIL_DOMAINS:
        raise DomainError(
            _l("%(domain)s is a public mail domain: anyone can have an address there.",
               domain=domain),
            field="domain",
        )  # fmt: skip
    own = normalize_email(owner.email).rpartition("@")[2]
    if domain and domain != own:
        raise DomainError(
            _l("Use the domain of your own email address: %(domain)s.", domain=own),
            field="domain",
        )
    if domain and db.session.scalar(
        select(Firm.id).where(Firm.email_domain == domain, Firm.id != firm.id)
    ):
        raise DomainError(_l("Another firm uses this domain."), field="domain")
    firm.email_domain = domain or None
    db.session.commit()


# --- Staff ----------------------------------------------------------------------------------


def unverified_firms() -> list[Firm]:
    return list(
        db.session.scalars(
            select(Firm)
            .options(selectinload(Firm.plan))
            .where(
                Firm.verified_at.is_(None),
                Firm.subscription_ended_at.is_(None),
                select(User.id).where(User.firm_id == Firm.id).exists(),  # not emptied firms
            )
            .order_by(Firm.created_at, Firm.id)
        )
    )


def verify(firm: Firm, *, plan_id: int, seats: int, by: User) -> None:
    """Staff set plan and seats from the subscription; the owners are emailed, each in their
    own language (POLICY R2)."""
    _lock_firm(firm.id)  # members counted under the lock: nobody joins between count and write
    if seats < member_count(firm.id):
        raise DomainError(_l("The firm already has more members than that."), field="seats")
    firm.plan_id, firm.seats = plan_id, seats
    first = firm.verified_at is None
    firm.verified_at = firm.verified_at or now()
    plan = db.session.get(Plan, plan_id)
    _event(firm.id, FirmEventKind.VERIFIED, None, by, f"{plan.name if plan else plan_id}, {seats}")
    if first:
        for owner in db.session.scalars(
            select(User).where(User.firm_id == firm.id, User.firm_role == FirmRole.OWNER)
        ):
            send_verified(owner, firm, plan.name if plan else "", seats)
    db.session.commit()


def send_verified(owner: User, firm: Firm, plan_name: str, seats: int) -> None:
    enqueue_email(
        owner,
        "firm_verified",
        N_("%(firm)s is verified on TaxDome Academy"),
        "firm_verified",
        subject_params={"firm": firm.name},
        firm_name=firm.name,
        plan_name=plan_name,
        seats=seats,
        team_link=external_url("firms.team"),
    )


def staff_set_owner(firm: Firm, user_id: int, owner: bool, by: User) -> User:
    user = db.session.get(User, user_id)
    if user is None or user.firm_id != firm.id:
        raise DomainError(_l("There is no such member."))
    return _set_role(firm, user, by, owner)


# --- Joining by email domain ----------------------------------------------------------------


def ask_to_join(user: User, firm: Firm) -> JoinRequest:
    existing = db.session.scalar(
        select(JoinRequest).where(JoinRequest.firm_id == firm.id, JoinRequest.user_id == user.id)
    )
    if existing is not None:
        if existing.decided_at is not None:  # declined (or closed) before: asked again
            existing.decided_at, existing.decided_by_id, existing.approved = None, None, None
            existing.created_at = now()
            db.session.commit()
        return existing
    request = JoinRequest(firm_id=firm.id, user_id=user.id)
    db.session.add(request)
    db.session.commit()
    return request


def join_requests(firm_id: int) -> list[JoinRequest]:
    return list(
        db.session.scalars(
            select(JoinRequest)
            .options(selectinload(JoinRequest.user))
            .where(JoinRequest.firm_id == firm_id, JoinRequest.decided_at.is_(None))
            .order_by(JoinRequest.created_at, JoinRequest.id)
        )
    )


def decide_join(owner: User, request_id: int, approve: bool) -> JoinRequest:
    firm = require_owner(owner)
    request = db.session.get(JoinRequest, request_id)
    if request is None or request.firm_id != firm.id:
        raise DomainError(_l("There is no such request."))
    _lock_firm(firm.id)
    changed = db.session.execute(
        update(JoinRequest)
        .where(JoinRequest.id == request.id, JoinRequest.decided_at.is_(None))
        .values(decided_at=now(), decided_by_id=owner.id, approved=approve)
        .execution_options(synchronize_session="fetch")
    ).rowcount
    if not changed:
        db.session.rollback()
        raise DomainError(_l("This request was answered already."))
    user = db.session.get(User, request.user_id)
    assert user is not None
    if approve and user.firm_id == firm.id:
        pass  # already in (an invitation, an earlier request): marked answered, role kept
    elif approve:
        if member_count(firm.id) + pending_count(firm.id) >= firm.seats:
            db.session.rollback()
            raise DomainError(_l("Your firm has no free seat left."))
        move = move_for_user(user, firm.id)
        if move:
            db.session.rollback()
            raise DomainError(_l("This person has since joined another firm."))
        _leave_current(user, user, FirmEventKind.LEFT, firm.name)
        user.firm_id, user.firm_role = firm.id, _role_on_joining(firm.id)
        _event(firm.id, FirmEventKind.JOINED, user, owner, "email domain")
    db.session.commit()
    return request


def move_for_user(user: User, firm_id: int) -> bool:
    """Is the user in a firm with other people (they would have to leave it first)?"""
    if user.firm_id is None or user.firm_id == firm_id:
        return False
    return member_count(user.firm_id) > 1


def solo_firm_or_none(user: User) -> bool:
    return user.firm_id is None or member_count(user.firm_id) <= 1
