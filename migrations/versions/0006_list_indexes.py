"""list indexes (issue 14): the newest threads of a section, an author's visible posts

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-07 14:00:00.000000

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade():
    # forum.queries.latest_threads reads each section's newest threads from this index, so the
    # home page costs the same at 100k posts as at 10k.
    op.create_index(
        'ix_threads_section_last_post', 'threads', ['section_id', 'last_post_at'], unique=False
    )
    # A profile's count of visible posts, answered from the index without reading the posts.
    op.create_index('ix_posts_author_visible', 'posts', ['author_id', 'is_hidden'], unique=False)


def downgrade():
    op.drop_index('ix_posts_author_visible', table_name='posts')
    op.drop_index('ix_threads_section_last_post', table_name='threads')
