"""the reader's calendar (issue 17): an English, German or French reader may choose Jalali dates

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-07 17:40:00.000000

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade():
    # "" keeps every existing account on its interface language's calendar.
    with op.batch_alter_table('users') as batch:
        batch.add_column(sa.Column('calendar', sa.String(length=10), nullable=False, server_default=''))


def downgrade():
    with op.batch_alter_table('users') as batch:
        batch.drop_column('calendar')
