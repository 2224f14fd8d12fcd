"""plan terms: the figures of the terms a plan sets for itself, as data

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-01 14:00:00

`plans.terms` holds the settings declared in academy.scheduling.policy.PLAN_SETTINGS (the
notice of R10, the penalty of R15 and its fee or wait); the two columns it replaces
(`noshow_penalty`, `noshow_fee`) move into it.
"""

import json

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("plans", schema=None) as batch_op:
        batch_op.add_column(sa.Column("terms", sa.JSON(), nullable=True))
    bind = op.get_bind()
    value = "CAST(:terms AS JSON)" if bind.dialect.name == "postgresql" else ":terms"
    for plan_id, penalty, fee in bind.execute(
        sa.text("SELECT id, noshow_penalty, noshow_fee FROM plans")
    ).fetchall():
        bind.execute(
            sa.text(f"UPDATE plans SET terms = {value} WHERE id = :id"),  # noqa: S608 - a constant
            {"terms": json.dumps({"noshow_penalty": penalty, "noshow_fee": fee}), "id": plan_id},
        )
    with op.batch_alter_table("plans", schema=None) as batch_op:
        batch_op.alter_column("terms", existing_type=sa.JSON(), nullable=False)
        batch_op.drop_column("noshow_penalty")
        batch_op.drop_column("noshow_fee")


def downgrade():
    with op.batch_alter_table("plans", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("noshow_penalty", sa.String(length=10), server_default="fee", nullable=False)
        )
        batch_op.add_column(
            sa.Column("noshow_fee", sa.Integer(), server_default="50", nullable=False)
        )
    bind = op.get_bind()
    for plan_id, terms in bind.execute(sa.text("SELECT id, terms FROM plans")).fetchall():
        values = json.loads(terms) if isinstance(terms, str) else (terms or {})
        bind.execute(
            sa.text("UPDATE plans SET noshow_penalty = :p, noshow_fee = :f WHERE id = :id"),
            {
                "p": values.get("noshow_penalty", "fee"),
                "f": values.get("noshow_fee", 50),
                "id": plan_id,
            },
        )
    with op.batch_alter_table("plans", schema=None) as batch_op:
        batch_op.drop_column("terms")
