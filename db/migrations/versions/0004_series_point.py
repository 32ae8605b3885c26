"""series_point: each series' figure per publisher-year, chosen once at ingest

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-28

Deltas and rankings compare a publisher's figure with the year before, for
thousands of publishers per request.  Choosing each year's figure (the first
printed with a value, ``db.crossyear.ranked_points``) with window functions
over ``observation`` on every request cost ten times the comparison itself,
so the choice is stored: one row per (publisher, metric, dims_key, year),
written by the loader in the ingest transaction of the report it comes from.

This migration creates the table and fills it from the observations already
there with one INSERT … SELECT (the same choice as ``ranked_points`` with
``rn = 1`` and a value; ``conflict`` when the report prints another, different
figure for the point; ``headline`` when every dimension member is ``total``).
The SQL is written out here rather than imported, so that the migration keeps
meaning what it meant when later code changes.  The windows partition in the
order of ``ix_obs_publisher_metric`` (observations are read about in the order
they were written), the rows are then inserted in primary-key order (SQLite
clusters the table by it, ``WITHOUT ROWID``), and the secondary index is built
after the fill: sorting once is cheaper than maintaining it row by row.  On
4.4 million observations this takes about a minute on SQLite.
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = '0004'
down_revision: Union[str, Sequence[str], None] = '0003'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

BACKFILL = """
INSERT INTO series_point (publisher_id, metric, dims_key, year, value, qualifier, report_id, format, "conflict",
                          observation_id, headline)
SELECT publisher_id, metric, dims_key, year, value, qualifier, report_id, format, vmin <> vmax, id,
       replace(';' || dims_key || ';', '=total;', ';') NOT LIKE '%=%'
FROM (
    SELECT o.id, o.report_id, o.publisher_id, o.metric, o.dims_key, o.year, o.value, o.qualifier, r.format,
           row_number() OVER (PARTITION BY o.publisher_id, o.metric, o.dims_key, o.year
                              ORDER BY CASE WHEN o.value IS NULL THEN 1 ELSE 0 END, o.ordinal, o.id) AS rn,
           min(o.value) OVER (PARTITION BY o.publisher_id, o.metric, o.dims_key, o.year) AS vmin,
           max(o.value) OVER (PARTITION BY o.publisher_id, o.metric, o.dims_key, o.year) AS vmax
    FROM observation o JOIN report r ON r.id = o.report_id
    WHERE o.status = 'reported' AND o.metric IS NOT NULL AND o.subunit IS NULL AND o.year = o.report_year
      AND o.period IS NULL
) ranked
WHERE rn = 1 AND value IS NOT NULL
ORDER BY metric, dims_key, year, publisher_id
"""


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table('series_point',
    sa.Column('publisher_id', sa.String(length=32), nullable=False),
    sa.Column('metric', sa.String(length=128), nullable=False),
    sa.Column('dims_key', sa.String(length=256), nullable=False),
    sa.Column('year', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('value', sa.Numeric(precision=28, scale=6), nullable=False),
    sa.Column('qualifier', sa.String(length=8), nullable=False),
    sa.Column('report_id', sa.String(length=32), nullable=False),
    sa.Column('format', sa.String(length=16), nullable=False),
    sa.Column('conflict', sa.Boolean(), nullable=False),
    sa.Column('observation_id', sa.String(length=48), nullable=False),
    sa.Column('headline', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('metric', 'dims_key', 'year', 'publisher_id'),
    sqlite_with_rowid=False,
    )
    op.execute(BACKFILL)
    with op.batch_alter_table('series_point', schema=None) as batch_op:
        batch_op.create_index('ix_series_point_publisher', ['publisher_id', 'metric', 'dims_key', 'year'], unique=True)
    # planner statistics for the new table, as the bulk loader gathers them for the others
    op.execute('ANALYZE series_point')


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table('series_point', schema=None) as batch_op:
        batch_op.drop_index('ix_series_point_publisher')
    op.drop_table('series_point')
