"""Users, firms, subscription plans and the plan table (POLICY R2)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from flask_login import UserMixin
from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from academy.core.clock import now
from academy.core.types import UTCDateTime
from academy.extensions import db
from academy.scheduling.policy import Channel


class Role(StrEnum):
    CLIENT = "client"
    STAFF = "staff"
    ADMIN = "admin"


class FirmRole(StrEnum):
    """A client's place in their firm: owners steer the team, members learn (issue 17)."""

    OWNER = "owner"
    MEMBER = "member"


class Plan(db.Model):
    __tablename__ = "plans"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(80))
    position: Mapped[int] = mapped_column(default=0)
    is_default: Mapped[bool] = mapped_column(default=False)
    # The figures of the terms this plan sets for itself (scheduling.policy.PLAN_SETTINGS:
    # the notice of R10, what a second no-show means under R15 and its fee or wait). A key that
    # is absent means the default of the terms.
    terms: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)

    grants: Mapped[list[PlanChannel]] = relationship(
        back_populates="plan", lazy="raise", cascade="all, delete-orphan"
    )

    def __repr__(self) -> str:
        return f"<Plan {self.code}>"


class PlanChannel(db.Model):
    """A plan gives a channel to firms that have at least `min_seats` users (POLICY R2)."""

    __tablename__ = "plan_channels"
    __table_args__ = (
        UniqueConstraint("plan_id", "channel"),
        CheckConstraint("min_seats >= 1", name="min_seats_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id", ondelete="CASCADE"))
    channel: Mapped[Channel] = mapped_column(String(20))
    min_seats: Mapped[int] = mapped_column(default=1)

    plan: Mapped[Plan] = relationship(back_populates="grants", lazy="raise")


class Firm(db.Model):
    __tablename__ = "firms"
    __table_args__ = (CheckConstraint("seats >= 1", name="seats_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id"))
    seats: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    # POLICY R5: set when a conduct review ends the firm's subscription (no refund).
    subscription_ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # A firm made at sign-up is unverified until staff set its plan and seats from the
    # subscription (academy.firms); None: still in the staff queue.
    verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Set by an owner: a sign-up from this domain asks to join, and an owner approves.
    email_domain: Mapped[str | None] = mapped_column(String(253), unique=True)

    plan: Mapped[Plan] = relationship(lazy="raise")
    users: Mapped[list[User]] = relationship(back_populates="firm", lazy="raise")


class User(UserMixin, db.Model):
    __tablename__ = "users"
    # The staff lists (hosts, assignees) by name, without reading every client.
    __table_args__ = (Index("ix_users_role_name", "role", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[Role] = mapped_column(String(10), default=Role.CLIENT)
    firm_id: Mapped[int | None] = mapped_column(ForeignKey("firms.id"), index=True)
    # FirmRole while the user belongs to a firm, None otherwise.
    firm_role: Mapped[str | None] = mapped_column(String(10))
    phone: Mapped[str | None] = mapped_column(String(32))
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    language: Mapped[str] = mapped_column(String(5), default="en")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Staff: the video-call room their 1:1 sessions use (shown only to booker and host).
    meeting_url: Mapped[str] = mapped_column(String(500), default="", server_default="")
    # The secret of the client's private calendar feed (None: no feed, or revoked).
    calendar_token: Mapped[str | None] = mapped_column(String(64), unique=True)
    # Every session cookie carries the generation it was started in (get_id); adding one ends
    # all of them at once: logout, a password change or reset, "log out other devices"
    # (ASVS 3.3.1, 3.3.3; academy.accounts.sessions).
    session_generation: Mapped[int] = mapped_column(default=0, server_default="0")

    firm: Mapped[Firm | None] = relationship(back_populates="users", lazy="raise")

    def get_id(self) -> str:
        """Flask-Login's alternative id: "<id>:<session generation>" (see session_generation)."""
        return f"{self.id}:{self.session_generation or 0}"

    @property
    def is_staff(self) -> bool:
        return self.role in (Role.STAFF, Role.ADMIN)

    @property
    def is_firm_owner(self) -> bool:
        return self.firm_id is not None and self.firm_role == FirmRole.OWNER

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN

    def __repr__(self) -> str:
        return f"<User {self.email}>"


class FirmEventKind(StrEnum):
    CREATED = "created"  # made the firm at sign-up (its first owner)
    JOINED = "joined"  # accepted an invitation or a join request was approved
    REMOVED = "removed"  # an owner or staff removed the member
    LEFT = "left"
    OWNER = "owner"  # made an owner
    MEMBER = "member"  # no longer an owner
    VERIFIED = "verified"  # staff set plan and seats


class FirmEvent(db.Model):
    """Every change of a firm's membership: who it was about, who did it, when. Never
    deleted; the subject keeps their own history (bookings, certificates) when they go."""

    __tablename__ = "firm_events"
    __table_args__ = (Index("ix_firm_events_firm_at", "firm_id", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    firm_id: Mapped[int] = mapped_column(ForeignKey("firms.id"))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    kind: Mapped[FirmEventKind] = mapped_column(String(12))
    detail: Mapped[str] = mapped_column(String(300), default="", server_default="")
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
