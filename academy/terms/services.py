"""The support terms' versions and who accepted which (POLICY R18)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from academy.accounts.models import User
from academy.core.errors import DomainError
from academy.extensions import db
from academy.terms.models import TermsAcceptance, TermsVersion


def current_version() -> TermsVersion | None:
    return db.session.scalar(
        select(TermsVersion).order_by(TermsVersion.published_at.desc(), TermsVersion.id.desc())
    )


def has_accepted_current(user: User) -> bool:
    version = current_version()
    return (
        version is None
        or db.session.scalar(
            select(TermsAcceptance.id).where(
                TermsAcceptance.user_id == user.id, TermsAcceptance.version_id == version.id
            )
        )
        is not None
    )


def accept(user: User) -> TermsAcceptance | None:
    version = current_version()
    if version is None:
        return None
    acceptance = TermsAcceptance(user_id=user.id, version_id=version.id)
    db.session.add(acceptance)
    try:
        db.session.commit()
    except IntegrityError:  # accepted twice at once: once is enough
        db.session.rollback()
        return None
    return acceptance


def publish(label: str, summary: str, by: User) -> TermsVersion:
    """A new version: every client accepts it again before their next booking (R18)."""
    label = label.strip()
    if db.session.scalar(select(TermsVersion.id).where(TermsVersion.label == label)):
        raise DomainError(_l("A version with this name already exists."), "label")
    version = TermsVersion(label=label, summary=summary.strip(), published_by_id=by.id)
    db.session.add(version)
    db.session.commit()
    return version
