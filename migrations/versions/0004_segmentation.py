"""segmentation schema: runs, segments, account assignments, potential fits

Revision ID: 0004
Revises: 0003
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('potential_fits',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('calibration_end', sa.Date(), nullable=False),
    sa.Column('unit', sa.String(length=10), nullable=False),
    sa.Column('horizon', sa.Double(), nullable=False),
    sa.Column('n_customers', sa.Integer(), nullable=False),
    sa.Column('params', sa.JSON(), nullable=False),
    sa.Column('log_likelihood', sa.Double(), nullable=False),
    sa.Column('settings', sa.JSON(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_potential_fits'))
    )
    op.create_table('segmentation_runs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('as_of', sa.Date(), nullable=False),
    sa.Column('k', sa.Integer(), nullable=False),
    sa.Column('k_chosen_by', sa.String(length=20), nullable=False),
    sa.Column('n_accounts', sa.Integer(), nullable=False),
    sa.Column('settings', sa.JSON(), nullable=False),
    sa.Column('metrics', sa.JSON(), nullable=False),
    sa.Column('feature_names', sa.JSON(), nullable=False),
    sa.Column('potential_fit_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['potential_fit_id'], ['potential_fits.id'], name=op.f('fk_segmentation_runs_potential_fit_id_potential_fits'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_segmentation_runs'))
    )
    op.create_table('segments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=300), nullable=False),
    sa.Column('first_run_id', sa.Integer(), nullable=False),
    sa.Column('last_run_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['first_run_id'], ['segmentation_runs.id'], name=op.f('fk_segments_first_run_id_segmentation_runs'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['last_run_id'], ['segmentation_runs.id'], name=op.f('fk_segments_last_run_id_segmentation_runs'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_segments'))
    )
    op.create_table('run_segments',
    sa.Column('run_id', sa.Integer(), nullable=False),
    sa.Column('segment_id', sa.Integer(), nullable=False),
    sa.Column('label', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=300), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('centroid', sa.JSON(), nullable=False),
    sa.Column('scaled_centroid', sa.JSON(), nullable=False),
    sa.Column('explanation', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['run_id'], ['segmentation_runs.id'], name=op.f('fk_run_segments_run_id_segmentation_runs'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['segment_id'], ['segments.id'], name=op.f('fk_run_segments_segment_id_segments'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('run_id', 'segment_id', name=op.f('pk_run_segments'))
    )
    op.create_index(op.f('ix_run_segments_segment_id'), 'run_segments', ['segment_id'], unique=False)
    op.create_table('account_segments',
    sa.Column('run_id', sa.Integer(), nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.Column('segment_id', sa.Integer(), nullable=False),
    sa.Column('distance', sa.Double(), nullable=False),
    sa.ForeignKeyConstraint(['account_id'], ['accounts.id'], name=op.f('fk_account_segments_account_id_accounts'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['run_id'], ['segmentation_runs.id'], name=op.f('fk_account_segments_run_id_segmentation_runs'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['segment_id'], ['segments.id'], name=op.f('fk_account_segments_segment_id_segments'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('run_id', 'account_id', name=op.f('pk_account_segments'))
    )
    op.create_index('ix_account_segments_account_run', 'account_segments', ['account_id', 'run_id'], unique=False)
    op.create_table('account_potentials',
    sa.Column('fit_id', sa.Integer(), nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('frequency', sa.Integer(), nullable=True),
    sa.Column('recency', sa.Double(), nullable=True),
    sa.Column('age', sa.Double(), nullable=True),
    sa.Column('mean_spend', sa.Double(), nullable=True),
    sa.Column('expected_purchases', sa.Double(), nullable=True),
    sa.Column('p_alive', sa.Double(), nullable=True),
    sa.Column('expected_spend', sa.Double(), nullable=True),
    sa.Column('clv', sa.Double(), nullable=True),
    sa.Column('lookalike', sa.Double(), nullable=True),
    sa.Column('qualified_ps', sa.Integer(), nullable=True),
    sa.Column('score', sa.Double(), nullable=True),
    sa.ForeignKeyConstraint(['account_id'], ['accounts.id'], name=op.f('fk_account_potentials_account_id_accounts'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['fit_id'], ['potential_fits.id'], name=op.f('fk_account_potentials_fit_id_potential_fits'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('fit_id', 'account_id', name=op.f('pk_account_potentials'))
    )
    op.create_index('ix_account_potentials_account_fit', 'account_potentials', ['account_id', 'fit_id'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_account_potentials_account_fit', table_name='account_potentials')
    op.drop_table('account_potentials')
    op.drop_index('ix_account_segments_account_run', table_name='account_segments')
    op.drop_table('account_segments')
    op.drop_index(op.f('ix_run_segments_segment_id'), table_name='run_segments')
    op.drop_table('run_segments')
    op.drop_table('segments')
    op.drop_table('segmentation_runs')
    op.drop_table('potential_fits')
