"""site administration (issue 19): site settings and texts, archived and merged sections,
invitations, who invited whom, registration by approval

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-07 14:00:00.000000

"""
from alembic import op
import sqlalchemy as sa



# revision identifiers, used by Alembic.
revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('site_settings',
    sa.Column('id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('default_locale', sa.String(length=8), nullable=True),
    sa.Column('registration', sa.String(length=20), nullable=False),
    sa.Column('invitation_limit', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('setup_done_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_site_settings'))
    )
    op.create_table('site_texts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=20), nullable=False),
    sa.Column('locale', sa.String(length=8), nullable=False),
    sa.Column('source', sa.Text(), nullable=False),
    sa.Column('html', sa.Text(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['updated_by_id'], ['users.id'], name=op.f('fk_site_texts_updated_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_site_texts')),
    sa.UniqueConstraint('key', 'locale', name=op.f('uq_site_texts_key'))
    )
    op.create_table('invitations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code_hash', sa.String(length=64), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('used_by_id', sa.Integer(), nullable=True),
    sa.Column('used_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('note', sa.String(length=200), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_invitations_created_by_id_users')),
    sa.ForeignKeyConstraint(['used_by_id'], ['users.id'], name=op.f('fk_invitations_used_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_invitations')),
    sa.UniqueConstraint('code_hash', name=op.f('uq_invitations_code_hash'))
    )
    with op.batch_alter_table('invitations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_invitations_created_by_id'), ['created_by_id'], unique=False)

    with op.batch_alter_table('sections', schema=None) as batch_op:
        batch_op.add_column(sa.Column('archived_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('merged_into_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_sections_merged_into_id_sections'), 'sections', ['merged_into_id'], ['id'])

    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('invited_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('last_seen_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('approval', sa.String(length=20), nullable=True))
        # Existing accounts wrote no application: an empty text, not NULL.
        batch_op.add_column(sa.Column('application_text', sa.Text(), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('approval_decided_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('approval_decided_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('approval_reason', sa.Text(), nullable=False, server_default=''))
        batch_op.create_foreign_key(batch_op.f('fk_users_invited_by_id_users'), 'users', ['invited_by_id'], ['id'])
        batch_op.create_foreign_key(batch_op.f('fk_users_approval_decided_by_id_users'), 'users', ['approval_decided_by_id'], ['id'])


def downgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_users_approval_decided_by_id_users'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_users_invited_by_id_users'), type_='foreignkey')
        batch_op.drop_column('approval_reason')
        batch_op.drop_column('approval_decided_at')
        batch_op.drop_column('approval_decided_by_id')
        batch_op.drop_column('application_text')
        batch_op.drop_column('approval')
        batch_op.drop_column('invited_by_id')
        batch_op.drop_column('last_seen_at')

    with op.batch_alter_table('sections', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_sections_merged_into_id_sections'), type_='foreignkey')
        batch_op.drop_column('merged_into_id')
        batch_op.drop_column('archived_at')

    with op.batch_alter_table('invitations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_invitations_created_by_id'))

    op.drop_table('invitations')
    op.drop_table('site_texts')
    op.drop_table('site_settings')
