"""statement verification (stated vs computed, across years)

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-01

A report's comparison with an earlier year ("比2016年增加34.3万元") is checked
against that year's own report when it is in the database.  The result is
stored on the statement (recomputed by ``db.crossyear`` whenever either report
is ingested), so ``report.statements`` can serve it without a join per row.
Every column is nullable: a statement not yet verified reads as such.
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = '0002'
down_revision: Union[str, Sequence[str], None] = '0001'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    with op.batch_alter_table('statement', schema=None) as batch_op:
        batch_op.add_column(sa.Column('verification', sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column('verified_against', sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column('verified_observation', sa.String(length=48), nullable=True))
        batch_op.add_column(sa.Column('claimed_base_value', sa.Numeric(precision=28, scale=6), nullable=True))
        batch_op.add_column(sa.Column('recorded_base_value', sa.Numeric(precision=28, scale=6), nullable=True))
        batch_op.add_column(sa.Column('verification_detail', sa.Text(), nullable=True))
        batch_op.create_index('ix_statement_publisher_base_year', ['publisher_id', 'base_year'], unique=False)


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table('statement', schema=None) as batch_op:
        batch_op.drop_index('ix_statement_publisher_base_year')
        batch_op.drop_column('verification_detail')
        batch_op.drop_column('recorded_base_value')
        batch_op.drop_column('claimed_base_value')
        batch_op.drop_column('verified_observation')
        batch_op.drop_column('verified_against')
        batch_op.drop_column('verification')
