"""list summaries (issue 14): papers listed from papers alone, the archive's threads per day

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-07 17:20:00.000000

"""
from collections import Counter
from zoneinfo import ZoneInfo

from alembic import op
import sqlalchemy as sa
from flask import current_app

from tribune.models.base import UTCDateTime


# revision identifiers, used by Alembic.
revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade():
    # A paper's created_at is its thread's: both write paths set it so, but make sure of it for
    # rows written otherwise, since the list is now ordered by it (papers.queries.papers_page).
    papers = sa.table('papers', sa.column('thread_id'), sa.column('created_at'))
    threads = sa.table(
        'threads',
        sa.column('id'),
        sa.column('section_id'),
        sa.column('created_at', UTCDateTime()),
        sa.column('is_hidden', sa.Boolean()),
        sa.column('merged_into_id'),
    )
    opened = (
        sa.select(threads.c.created_at)
        .where(threads.c.id == papers.c.thread_id)
        .scalar_subquery()
    )
    op.execute(papers.update().values(created_at=opened))
    op.create_index('ix_papers_listed', 'papers', ['created_at', 'thread_id'], unique=False)

    # The archive's summary (services/thread_days.py): threads readers see listed, per section
    # and day opened in the display time zone; filled here from the threads.
    days = op.create_table(
        'thread_days',
        sa.Column('section_id', sa.Integer(), nullable=False),
        sa.Column('day', sa.Date(), nullable=False),
        sa.Column('threads', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ['section_id'], ['sections.id'], name=op.f('fk_thread_days_section_id_sections')
        ),
        sa.PrimaryKeyConstraint('section_id', 'day', name=op.f('pk_thread_days')),
    )
    zone = ZoneInfo(current_app.config['DISPLAY_TIMEZONE'])
    listed = sa.select(threads.c.section_id, threads.c.created_at).where(
        threads.c.merged_into_id.is_(None), threads.c.is_hidden.is_(False)
    )
    counts = Counter(
        (section_id, created_at.astimezone(zone).date())
        for section_id, created_at in op.get_bind().execute(listed)
    )
    rows = [
        {'section_id': section_id, 'day': day, 'threads': n}
        for (section_id, day), n in sorted(counts.items())
    ]
    if rows:
        op.bulk_insert(days, rows)


def downgrade():
    op.drop_table('thread_days')
    op.drop_index('ix_papers_listed', table_name='papers')
