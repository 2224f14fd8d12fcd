"""security (issue 13): session generations, one vote per reader, one rating per booking

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-26 10:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


# Rows that break the new rules are kept where they carry meaning: a second rating of a
# booking stays as feedback, unlinked from the booking; a reader's repeated votes are removed
# and the article's totals lowered by them. Plain SQL that SQLite and PostgreSQL both run.
UNLINK_EXTRA_RATINGS = """
UPDATE feedback_items SET booking_id = NULL
WHERE booking_id IS NOT NULL
  AND id > (SELECT MIN(f.id) FROM feedback_items f WHERE f.booking_id = feedback_items.booking_id)
"""
EXTRA_VOTE = """
  v.user_id IS NOT NULL
  AND v.id > (SELECT MIN(w.id) FROM help_article_votes w
              WHERE w.article_id = v.article_id AND w.user_id = v.user_id)
"""
UNCOUNT_EXTRA_VOTES = f"""
UPDATE help_articles SET
  helpful_yes = helpful_yes - (SELECT COUNT(*) FROM help_article_votes v
                               WHERE v.article_id = help_articles.id AND v.helpful AND {EXTRA_VOTE}),
  helpful_no = helpful_no - (SELECT COUNT(*) FROM help_article_votes v
                             WHERE v.article_id = help_articles.id AND NOT v.helpful AND {EXTRA_VOTE})
"""
DELETE_EXTRA_VOTES = f"""
DELETE FROM help_article_votes WHERE id IN (SELECT v.id FROM help_article_votes v WHERE {EXTRA_VOTE})
"""


def upgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('session_generation', sa.Integer(), server_default='0', nullable=False))

    op.execute(UNLINK_EXTRA_RATINGS)
    with op.batch_alter_table('feedback_items', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_feedback_items_booking_id'))
        batch_op.create_unique_constraint('uq_feedback_items_booking_id', ['booking_id'])

    op.execute(UNCOUNT_EXTRA_VOTES)
    op.execute(DELETE_EXTRA_VOTES)
    with op.batch_alter_table('help_article_votes', schema=None) as batch_op:
        batch_op.add_column(sa.Column('visitor_id', sa.String(length=32), nullable=True))
        batch_op.create_unique_constraint('uq_help_article_votes_user', ['article_id', 'user_id'])
        batch_op.create_unique_constraint('uq_help_article_votes_visitor', ['article_id', 'visitor_id'])


def downgrade():
    with op.batch_alter_table('help_article_votes', schema=None) as batch_op:
        batch_op.drop_constraint('uq_help_article_votes_visitor', type_='unique')
        batch_op.drop_constraint('uq_help_article_votes_user', type_='unique')
        batch_op.drop_column('visitor_id')

    with op.batch_alter_table('feedback_items', schema=None) as batch_op:
        batch_op.drop_constraint('uq_feedback_items_booking_id', type_='unique')
        batch_op.create_index(batch_op.f('ix_feedback_items_booking_id'), ['booking_id'], unique=False)

    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('session_generation')
