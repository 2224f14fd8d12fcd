"""firms as teams: roles, membership history, invitations, join requests, assigned courses

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-01 12:00:00

Existing firms count as verified (staff set their plans before); each firm's first account
becomes its owner, every other account of the firm a member.
"""

import sqlalchemy as sa

import academy.core.types
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None

UTC = academy.core.types.UTCDateTime(timezone=True)


def upgrade():
    with op.batch_alter_table("firms") as batch:
        batch.add_column(sa.Column("verified_at", UTC, nullable=True))
        batch.add_column(sa.Column("email_domain", sa.String(253), nullable=True))
        batch.create_unique_constraint("uq_firms_email_domain", ["email_domain"])
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("firm_role", sa.String(10), nullable=True))
    op.execute("UPDATE firms SET verified_at = created_at")
    op.execute("UPDATE users SET firm_role = 'member' WHERE firm_id IS NOT NULL")
    op.execute(
        "UPDATE users SET firm_role = 'owner' WHERE id IN "
        "(SELECT min(id) FROM users WHERE firm_id IS NOT NULL GROUP BY firm_id)"
    )

    op.create_table(
        "firm_events",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("firm_id", sa.Integer, sa.ForeignKey("firms.id"), nullable=False),
        sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id"), nullable=True),
        sa.Column("by_user_id", sa.Integer, sa.ForeignKey("users.id"), nullable=True),
        sa.Column("kind", sa.String(12), nullable=False),
        sa.Column("detail", sa.String(300), nullable=False, server_default=""),
        sa.Column("at", UTC, nullable=False),
    )
    op.create_index("ix_firm_events_firm_at", "firm_events", ["firm_id", "at"])

    op.create_table(
        "firm_invitations",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("firm_id", sa.Integer, sa.ForeignKey("firms.id"), nullable=False),
        sa.Column("email", sa.String(254), nullable=False),
        sa.Column("invited_by_id", sa.Integer, sa.ForeignKey("users.id"), nullable=True),
        sa.Column("created_at", UTC, nullable=False),
        sa.Column("sent_at", UTC, nullable=False),
        sa.Column("expires_at", UTC, nullable=False),
        sa.Column("used_at", UTC, nullable=True),
        sa.Column("used_by_id", sa.Integer, sa.ForeignKey("users.id"), nullable=True),
        sa.Column("revoked_at", UTC, nullable=True),
    )
    op.create_index("ix_firm_invitations_email", "firm_invitations", ["email"])
    op.create_index(
        "ix_firm_invitations_firm_pending",
        "firm_invitations",
        ["firm_id", "used_at", "revoked_at"],
    )

    op.create_table(
        "firm_join_requests",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("firm_id", sa.Integer, sa.ForeignKey("firms.id"), nullable=False),
        sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id"), nullable=False),
        sa.Column("created_at", UTC, nullable=False),
        sa.Column("decided_at", UTC, nullable=True),
        sa.Column("decided_by_id", sa.Integer, sa.ForeignKey("users.id"), nullable=True),
        sa.Column("approved", sa.Boolean, nullable=True),
        sa.UniqueConstraint("firm_id", "user_id"),
    )
    op.create_index("ix_firm_join_requests_firm_id", "firm_join_requests", ["firm_id"])

    op.create_table(
        "course_assignments",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("firm_id", sa.Integer, sa.ForeignKey("firms.id"), nullable=False),
        sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id"), nullable=False),
        sa.Column(
            "course_id", sa.Integer, sa.ForeignKey("courses.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("assigned_by_id", sa.Integer, sa.ForeignKey("users.id"), nullable=True),
        sa.Column("due_at", UTC, nullable=False),
        sa.Column("created_at", UTC, nullable=False),
        sa.UniqueConstraint("user_id", "course_id"),
    )
    op.create_index("ix_course_assignments_firm", "course_assignments", ["firm_id", "due_at"])


def downgrade():
    op.drop_table("course_assignments")
    op.drop_table("firm_join_requests")
    op.drop_table("firm_invitations")
    op.drop_table("firm_events")
    with op.batch_alter_table("users") as batch:
        batch.drop_column("firm_role")
    with op.batch_alter_table("firms") as batch:
        batch.drop_constraint("uq_firms_email_domain", type_="unique")
        batch.drop_column("email_domain")
        batch.drop_column("verified_at")
