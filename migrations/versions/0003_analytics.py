"""analytics schema: workspace settings, account labels, key-account reports, alerts, churn

Revision ID: 0003
Revises: 0002
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('analytics_snapshots',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('computed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('today', sa.Date(), nullable=False),
    sa.Column('period_start', sa.Date(), nullable=False),
    sa.Column('period_end', sa.Date(), nullable=False),
    sa.Column('measure', sa.String(length=10), nullable=False),
    sa.Column('total', sa.Numeric(precision=18, scale=2, asdecimal=False), nullable=False),
    sa.Column('accounts', sa.Integer(), nullable=False),
    sa.Column('hhi', sa.Float(), nullable=False),
    sa.Column('core_accounts', sa.Integer(), nullable=False),
    sa.Column('settings', sa.JSON(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_analytics_snapshots'))
    )
    op.create_table('key_account_reports',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('month', sa.Date(), nullable=False),
    sa.Column('top_n', sa.Integer(), nullable=False),
    sa.Column('months', sa.Integer(), nullable=False),
    sa.Column('measure', sa.String(length=10), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_key_account_reports')),
    sa.UniqueConstraint('month', name=op.f('uq_key_account_reports_month'))
    )
    op.create_table('workspace_settings',
    sa.Column('key', sa.String(length=100), nullable=False),
    sa.Column('value', sa.JSON(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['updated_by_id'], ['users.id'], name=op.f('fk_workspace_settings_updated_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_workspace_settings'))
    )
    op.create_table('account_analytics',
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.Column('snapshot_id', sa.Integer(), nullable=False),
    sa.Column('value', sa.Numeric(precision=18, scale=2, asdecimal=False), nullable=False),
    sa.Column('share', sa.Float(), nullable=False),
    sa.Column('rank', sa.Integer(), nullable=False),
    sa.Column('cumulative_share', sa.Float(), nullable=False),
    sa.Column('is_key', sa.Boolean(), nullable=False),
    sa.Column('dependency', sa.Boolean(), nullable=False),
    sa.Column('mono_client', sa.Boolean(), nullable=False),
    sa.Column('pareto_core', sa.Boolean(), nullable=False),
    sa.Column('near_key', sa.Boolean(), nullable=False),
    sa.Column('growth', sa.Float(), nullable=True),
    sa.Column('abc', sa.String(length=1), nullable=True),
    sa.Column('xyz', sa.String(length=1), nullable=True),
    sa.Column('cv', sa.Float(), nullable=True),
    sa.Column('mean_monthly', sa.Numeric(precision=18, scale=2, asdecimal=False), nullable=False),
    sa.ForeignKeyConstraint(['account_id'], ['accounts.id'], name=op.f('fk_account_analytics_account_id_accounts'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['snapshot_id'], ['analytics_snapshots.id'], name=op.f('fk_account_analytics_snapshot_id_analytics_snapshots'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('account_id', name=op.f('pk_account_analytics'))
    )
    op.create_index(op.f('ix_account_analytics_snapshot_id'), 'account_analytics', ['snapshot_id'], unique=False)
    op.create_table('alerts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('no_shipments', 'white_space', 'decline_vs_previous', 'decline_vs_last_year', 'terms_review_due', 'overdue_receivable', 'no_interaction', name='alert_kind', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('cause', sa.String(length=100), nullable=False),
    sa.Column('status', sa.Enum('open', 'acknowledged', 'resolved', name='alert_status', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('owner_id', sa.Integer(), nullable=True),
    sa.Column('message', sa.String(length=500), nullable=False),
    sa.Column('details', sa.JSON(), nullable=False),
    sa.Column('raised_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('resolved_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['account_id'], ['accounts.id'], name=op.f('fk_alerts_account_id_accounts'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['owner_id'], ['users.id'], name=op.f('fk_alerts_owner_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_alerts')),
    sa.UniqueConstraint('account_id', 'kind', 'cause', name='uq_alerts_account_kind_cause')
    )
    op.create_index(op.f('ix_alerts_owner_id'), 'alerts', ['owner_id'], unique=False)
    op.create_index('ix_alerts_status_raised', 'alerts', ['status', 'raised_at'], unique=False)
    op.create_table('churn_states',
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.Column('state', sa.Enum('active', 'at_risk', 'lost', name='churn_state', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('since', sa.Date(), nullable=False),
    sa.Column('last_purchase_on', sa.Date(), nullable=False),
    sa.Column('rhythm_days', sa.Float(), nullable=False),
    sa.Column('silence_days', sa.Integer(), nullable=False),
    sa.Column('revenue_drop', sa.Float(), nullable=True),
    sa.Column('revenue_at_stake', sa.Numeric(precision=18, scale=2, asdecimal=False), nullable=False),
    sa.Column('reasons', sa.JSON(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['account_id'], ['accounts.id'], name=op.f('fk_churn_states_account_id_accounts'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('account_id', name=op.f('pk_churn_states'))
    )
    op.create_index('ix_churn_states_state_stake', 'churn_states', ['state', 'revenue_at_stake'], unique=False)
    op.create_table('key_account_report_rows',
    sa.Column('report_id', sa.Integer(), nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.Column('rank', sa.Integer(), nullable=False),
    sa.Column('average', sa.Numeric(precision=18, scale=2, asdecimal=False), nullable=False),
    sa.Column('monthly', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['account_id'], ['accounts.id'], name=op.f('fk_key_account_report_rows_account_id_accounts'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['report_id'], ['key_account_reports.id'], name=op.f('fk_key_account_report_rows_report_id_key_account_reports'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('report_id', 'account_id', name=op.f('pk_key_account_report_rows'))
    )
    op.create_index(op.f('ix_key_account_report_rows_account_id'), 'key_account_report_rows', ['account_id'], unique=False)
    op.create_table('alert_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('alert_id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('action', sa.String(length=20), nullable=False),
    sa.Column('status', sa.Enum('open', 'acknowledged', 'resolved', name='alert_status', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('owner_id', sa.Integer(), nullable=True),
    sa.Column('note', sa.String(length=500), nullable=False),
    sa.ForeignKeyConstraint(['alert_id'], ['alerts.id'], name=op.f('fk_alert_events_alert_id_alerts'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['owner_id'], ['users.id'], name=op.f('fk_alert_events_owner_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_alert_events_user_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_alert_events'))
    )
    op.create_index(op.f('ix_alert_events_alert_id'), 'alert_events', ['alert_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_alert_events_alert_id'), table_name='alert_events')
    op.drop_table('alert_events')
    op.drop_index(op.f('ix_key_account_report_rows_account_id'), table_name='key_account_report_rows')
    op.drop_table('key_account_report_rows')
    op.drop_index('ix_churn_states_state_stake', table_name='churn_states')
    op.drop_table('churn_states')
    op.drop_index('ix_alerts_status_raised', table_name='alerts')
    op.drop_index(op.f('ix_alerts_owner_id'), table_name='alerts')
    op.drop_table('alerts')
    op.drop_index(op.f('ix_account_analytics_snapshot_id'), table_name='account_analytics')
    op.drop_table('account_analytics')
    op.drop_table('workspace_settings')
    op.drop_table('key_account_reports')
    op.drop_table('analytics_snapshots')
