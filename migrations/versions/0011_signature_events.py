"""co-signature history (issue 17): who signed for an association and who withdrew, every time

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-07 17:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'paper_signature_events',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('signature_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=10), nullable=False),
        sa.Column('actor_id', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['signature_id'], ['paper_signatures.id'],
                                name=op.f('fk_paper_signature_events_signature_id_paper_signatures')),
        sa.ForeignKeyConstraint(['actor_id'], ['users.id'],
                                name=op.f('fk_paper_signature_events_actor_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_paper_signature_events')),
    )
    op.create_index(op.f('ix_paper_signature_events_signature_id'), 'paper_signature_events',
                    ['signature_id'])
    # What the signatures already say: who signed each (last), and who withdrew it. A
    # withdrawal imported from an archive before this release has no author: NULL, "unknown",
    # rather than a name the row cannot vouch for.
    op.execute(
        "INSERT INTO paper_signature_events (signature_id, kind, actor_id, created_at) "
        "SELECT id, 'sign', signed_by_id, signed_at FROM paper_signatures"
    )
    op.execute(
        "INSERT INTO paper_signature_events (signature_id, kind, actor_id, created_at) "
        "SELECT id, 'withdraw', withdrawn_by_id, withdrawn_at "
        "FROM paper_signatures WHERE withdrawn_at IS NOT NULL"
    )


def downgrade():
    op.drop_index(op.f('ix_paper_signature_events_signature_id'),
                  table_name='paper_signature_events')
    op.drop_table('paper_signature_events')
