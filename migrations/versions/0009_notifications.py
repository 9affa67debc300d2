"""notifications (issue 16): watches, notifications, notification settings, read markers, mail outbox, edit reasons

Revision ID: 0009
Revises: 0007
Create Date: 2026-12-07 14:00:00.000000

"""
from alembic import op
import sqlalchemy as sa



# revision identifiers, used by Alembic.
revision = '0009'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'watches',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('target_kind', sa.String(length=20), nullable=False),
        sa.Column('target_key', sa.String(length=120), nullable=False),
        sa.Column('level', sa.String(length=10), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_watches_user_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_watches')),
        sa.UniqueConstraint('user_id', 'target_kind', 'target_key',
                            name=op.f('uq_watches_user_id')),
    )
    op.create_index(op.f('ix_watches_user_id'), 'watches', ['user_id'])
    op.create_index('ix_watches_target', 'watches', ['target_kind', 'target_key', 'level'])
    op.create_table(
        'notifications',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=20), nullable=False),
        sa.Column('group_key', sa.String(length=80), nullable=False),
        sa.Column('thread_id', sa.Integer(), nullable=True),
        sa.Column('post_id', sa.Integer(), nullable=True),
        sa.Column('actor_id', sa.Integer(), nullable=True),
        sa.Column('reason', sa.Text(), nullable=False),
        sa.Column('association_id', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('read_at', sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'],
                                name=op.f('fk_notifications_user_id_users')),
        sa.ForeignKeyConstraint(['actor_id'], ['users.id'],
                                name=op.f('fk_notifications_actor_id_users')),
        sa.ForeignKeyConstraint(['thread_id'], ['threads.id'],
                                name=op.f('fk_notifications_thread_id_threads')),
        sa.ForeignKeyConstraint(['post_id'], ['posts.id'],
                                name=op.f('fk_notifications_post_id_posts')),
        sa.ForeignKeyConstraint(['association_id'], ['associations.id'],
                                name=op.f('fk_notifications_association_id_associations')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_notifications')),
    )
    op.create_index('ix_notifications_user_unread', 'notifications', ['user_id', 'read_at'])
    op.create_index('ix_notifications_post', 'notifications', ['post_id'])
    op.create_table(
        'notification_settings',
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('auto_watch', sa.Boolean(), nullable=False),
        sa.Column('mail_mode', sa.String(length=10), nullable=False),
        sa.Column('mail_address', sa.String(length=254), nullable=True),
        sa.Column('digest_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('digest_cursor', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'],
                                name=op.f('fk_notification_settings_user_id_users')),
        sa.PrimaryKeyConstraint('user_id', name=op.f('pk_notification_settings')),
    )

    op.create_table(
        'thread_reads',
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('thread_id', sa.Integer(), nullable=False),
        sa.Column('last_read_post_id', sa.Integer(), nullable=False),
        sa.Column('read_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'],
                                name=op.f('fk_thread_reads_user_id_users')),
        sa.ForeignKeyConstraint(['thread_id'], ['threads.id'],
                                name=op.f('fk_thread_reads_thread_id_threads')),
        sa.PrimaryKeyConstraint('user_id', 'thread_id', name=op.f('pk_thread_reads')),
    )
    op.create_table(
        'read_marks',
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('section_id', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('up_to_post_id', sa.Integer(), nullable=False),
        sa.Column('marked_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'],
                                name=op.f('fk_read_marks_user_id_users')),
        sa.PrimaryKeyConstraint('user_id', 'section_id', name=op.f('pk_read_marks')),
    )
    op.create_table(
        'mail_outbox',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=10), nullable=False),
        sa.Column('notification_id', sa.Integer(), nullable=True),
        sa.Column('digest_from', sa.Integer(), nullable=False),
        sa.Column('status', sa.String(length=10), nullable=False),
        sa.Column('attempts', sa.Integer(), nullable=False),
        sa.Column('next_attempt_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('lease_until', sa.DateTime(timezone=True), nullable=True),
        sa.Column('claimed_by', sa.String(length=40), nullable=False),
        sa.Column('recipient', sa.String(length=254), nullable=False),
        sa.Column('message_id', sa.String(length=200), nullable=False),
        sa.Column('message', sa.Text(), nullable=False),
        sa.Column('last_error', sa.Text(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'],
                                name=op.f('fk_mail_outbox_user_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_mail_outbox')),
    )
    op.create_index(op.f('ix_mail_outbox_user_id'), 'mail_outbox', ['user_id'])
    op.create_index('ix_mail_outbox_due', 'mail_outbox', ['status', 'next_attempt_at'])
    # The optional reason an author gives with an edit (posts: the last; revisions: each one's).
    # Plain ADD COLUMN on both engines: SQLite's batch mode would copy these tables, which
    # other tables reference.
    for table in ('posts', 'post_revisions'):
        op.add_column(table, sa.Column('edit_reason', sa.Text(), server_default='', nullable=False))


def downgrade():
    for table in ('post_revisions', 'posts'):
        if op.get_bind().dialect.name == 'sqlite':
            # SQLite 3.35+ drops a plain column in place; batch mode would copy the table,
            # which fails while other tables' foreign keys point at it.
            op.execute(f'ALTER TABLE {table} DROP COLUMN edit_reason')
        else:
            op.drop_column(table, 'edit_reason')
    op.drop_index('ix_mail_outbox_due', table_name='mail_outbox')
    op.drop_index(op.f('ix_mail_outbox_user_id'), table_name='mail_outbox')
    op.drop_table('mail_outbox')
    op.drop_table('read_marks')
    op.drop_table('thread_reads')
    op.drop_table('notification_settings')
    op.drop_index('ix_notifications_post', table_name='notifications')
    op.drop_index('ix_notifications_user_unread', table_name='notifications')
    op.drop_table('notifications')
    op.drop_index('ix_watches_target', table_name='watches')
    op.drop_index(op.f('ix_watches_user_id'), table_name='watches')
    op.drop_table('watches')
