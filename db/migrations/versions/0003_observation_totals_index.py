"""observation index for the totals of a metric-year, in list order

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-28

The observations list filters ``metric IN (…) AND year = ? AND dims_key IN
(the totals key of each metric)`` and sorts by ``year, publisher_id, id``.
With ``(metric, year, dims_key, publisher_id, id)`` a page is an index range
scan with no sort.  It replaces ``ix_obs_metric_year (metric, year,
dims_key)``, of which it is a superset.
"""
from typing import Sequence, Union

from alembic import op


# revision identifiers, used by Alembic.
revision: str = '0003'
down_revision: Union[str, Sequence[str], None] = '0002'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    with op.batch_alter_table('observation', schema=None) as batch_op:
        batch_op.create_index('ix_obs_metric_year_dims_pub', ['metric', 'year', 'dims_key', 'publisher_id', 'id'],
                              unique=False)
        batch_op.drop_index('ix_obs_metric_year')


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table('observation', schema=None) as batch_op:
        batch_op.create_index('ix_obs_metric_year', ['metric', 'year', 'dims_key'], unique=False)
        batch_op.drop_index('ix_obs_metric_year_dims_pub')
