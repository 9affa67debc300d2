"""search backends: PostgreSQL search rows, a pruned change log, a state per backend

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-07 10:19:02.900888

Search data made by earlier versions (the Whoosh index, the change log) is not kept: on a database
that holds posts, both backends' states are set to "rebuild needed", and search answers 503 until
`flask --app tribune search rebuild` has run (CHANGELOG.md). An empty database needs nothing.
"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

# revision identifiers, used by Alembic.
revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('search_texts',
    sa.Column('key', sa.String(length=24), nullable=False),
    sa.Column('post_id', sa.Integer(), nullable=False),
    sa.Column('translation_id', sa.Integer(), nullable=True),
    sa.Column('language', sa.String(length=8), nullable=False),
    sa.Column('titled', sa.Boolean(), nullable=False),
    sa.Column('thread_id', sa.Integer(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('vector', postgresql.TSVECTOR().with_variant(sa.Text(), 'sqlite'), nullable=False),
    sa.Column('analyzer', sa.SmallInteger(), nullable=False),
    sa.Column('digest', sa.String(length=32), nullable=False),
    sa.ForeignKeyConstraint(['post_id'], ['posts.id'], name=op.f('fk_search_texts_post_id_posts'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['translation_id'], ['translations.id'], name=op.f('fk_search_texts_translation_id_translations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_search_texts'))
    )
    with op.batch_alter_table('search_texts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_search_texts_post_id'), ['post_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_search_texts_translation_id'), ['translation_id'], unique=False)
        batch_op.create_index('ix_search_texts_vector', ['vector'], unique=False, postgresql_using='gin')
        batch_op.create_index('ix_search_texts_created_at', ['created_at', 'post_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_search_texts_thread_id'), ['thread_id'], unique=False)

    # The few posts and threads readers may not see, which searches exclude (access.py).
    op.create_index(
        'ix_posts_hidden', 'posts', ['id'], unique=False,
        postgresql_where=sa.text('is_hidden IS NOT false'),
        sqlite_where=sa.text('is_hidden IS NOT 0'),
    )
    op.create_index(
        'ix_threads_not_visible', 'threads', ['id'], unique=False,
        postgresql_where=sa.text('merged_into_id IS NOT NULL OR is_hidden IS NOT false'),
        sqlite_where=sa.text('merged_into_id IS NOT NULL OR is_hidden IS NOT 0'),
    )

    with op.batch_alter_table('search_state', schema=None) as batch_op:
        batch_op.add_column(sa.Column('analyzer', sa.SmallInteger(), nullable=True))

    # The old change log and index positions mean nothing to this version's index.
    op.execute("DELETE FROM search_changes")
    op.execute("DELETE FROM search_state")
    # Pruned ids must never come back (an index's position counts on it): SQLite reuses the
    # largest rowid of an emptied table unless the table is AUTOINCREMENT. PostgreSQL's
    # sequence never goes back.
    if op.get_bind().dialect.name == "sqlite":
        with op.batch_alter_table(
            'search_changes', recreate='always', table_kwargs={'sqlite_autoincrement': True}
        ) as batch_op:
            pass

    has_posts = op.get_bind().execute(sa.text("SELECT 1 FROM posts LIMIT 1")).first()
    if has_posts:
        for name in ('whoosh', 'postgres'):
            op.execute(
                "INSERT INTO search_state (name, last_change_id, analyzer, updated_at) "
                f"VALUES ('{name}', 0, NULL, CURRENT_TIMESTAMP)"
            )


def downgrade():
    op.drop_index('ix_threads_not_visible', table_name='threads')
    op.drop_index('ix_posts_hidden', table_name='posts')
    with op.batch_alter_table('search_state', schema=None) as batch_op:
        batch_op.drop_column('analyzer')

    with op.batch_alter_table('search_texts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_search_texts_thread_id'))
        batch_op.drop_index('ix_search_texts_created_at')
        batch_op.drop_index('ix_search_texts_vector', postgresql_using='gin')
        batch_op.drop_index(batch_op.f('ix_search_texts_translation_id'))
        batch_op.drop_index(batch_op.f('ix_search_texts_post_id'))

    op.drop_table('search_texts')
