"""hardening (issue 13): the TOTP secret being set up lives with its server-side session

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-07 10:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade():
    # A set-up begun before the upgrade was kept in the session cookie; it is simply begun again.
    with op.batch_alter_table('user_sessions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('two_factor_setup', sa.String(length=64), nullable=True))


def downgrade():
    with op.batch_alter_table('user_sessions', schema=None) as batch_op:
        batch_op.drop_column('two_factor_setup')
