"""campaigns schema: campaigns, templates, approvals, account plans, outbox, tracking, holdout

Revision ID: 0005
Revises: 0004
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('campaigns',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('kind', sa.Enum('personal_offer', 'loyalty_invitation', 'win_back', 'greeting', 'event_invitation', 'promotion', 'volume_bonus', 'individual_terms', name='campaign_kind', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('status', sa.Enum('draft', 'pending_approval', 'approved', 'rejected', 'scheduled', 'sending', 'done', 'cancelled', name='campaign_status', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('audience', sa.JSON(), nullable=False),
    sa.Column('offer', sa.JSON(), nullable=False),
    sa.Column('default_language', sa.String(length=8), nullable=False),
    sa.Column('schedule_mode', sa.Enum('now', 'at', 'trigger', name='campaign_schedule_mode', native_enum=False, create_constraint=True), nullable=True),
    sa.Column('scheduled_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('trigger', sa.Enum('win_back', 'birthday', 'holiday', name='campaign_trigger', native_enum=False, create_constraint=True), nullable=True),
    sa.Column('holdout_share', sa.Double(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint('holdout_share >= 0 AND holdout_share < 1', name=op.f('ck_campaigns_holdout_share_range')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_campaigns_created_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_campaigns'))
    )
    op.create_index('ix_campaigns_status_kind', 'campaigns', ['status', 'kind'], unique=False)
    op.create_table('account_plans',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.Column('objectives', sa.Text(), nullable=False),
    sa.Column('terms', sa.JSON(), nullable=False),
    sa.Column('notes', sa.Text(), nullable=False),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['account_id'], ['accounts.id'], name=op.f('fk_account_plans_account_id_accounts'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['updated_by_id'], ['users.id'], name=op.f('fk_account_plans_updated_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_account_plans')),
    sa.UniqueConstraint('account_id', name=op.f('uq_account_plans_account_id'))
    )
    op.create_table('campaign_approvals',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('campaign_id', sa.Integer(), nullable=False),
    sa.Column('decision', sa.Enum('approved', 'rejected', name='approval_decision', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['campaign_id'], ['campaigns.id'], name=op.f('fk_campaign_approvals_campaign_id_campaigns'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_campaign_approvals_user_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_campaign_approvals'))
    )
    op.create_index(op.f('ix_campaign_approvals_campaign_id'), 'campaign_approvals', ['campaign_id'], unique=False)
    op.create_table('campaign_templates',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('campaign_id', sa.Integer(), nullable=False),
    sa.Column('language', sa.String(length=8), nullable=False),
    sa.Column('subject', sa.Text(), nullable=False),
    sa.Column('html', sa.Text(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['campaign_id'], ['campaigns.id'], name=op.f('fk_campaign_templates_campaign_id_campaigns'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_campaign_templates')),
    sa.UniqueConstraint('campaign_id', 'language', name='uq_campaign_templates_campaign_language')
    )
    op.create_table('holdout_members',
    sa.Column('campaign_id', sa.Integer(), nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['account_id'], ['accounts.id'], name=op.f('fk_holdout_members_account_id_accounts'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['campaign_id'], ['campaigns.id'], name=op.f('fk_holdout_members_campaign_id_campaigns'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('campaign_id', 'account_id', name=op.f('pk_holdout_members'))
    )
    op.create_index(op.f('ix_holdout_members_account_id'), 'holdout_members', ['account_id'], unique=False)
    op.create_table('account_plan_campaigns',
    sa.Column('plan_id', sa.Integer(), nullable=False),
    sa.Column('campaign_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['campaign_id'], ['campaigns.id'], name=op.f('fk_account_plan_campaigns_campaign_id_campaigns'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['plan_id'], ['account_plans.id'], name=op.f('fk_account_plan_campaigns_plan_id_account_plans'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('plan_id', 'campaign_id', name=op.f('pk_account_plan_campaigns'))
    )
    op.create_index(op.f('ix_account_plan_campaigns_campaign_id'), 'account_plan_campaigns', ['campaign_id'], unique=False)
    op.create_table('outbox',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('campaign_id', sa.Integer(), nullable=False),
    sa.Column('contact_id', sa.Integer(), nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.Column('step', sa.Integer(), nullable=False),
    sa.Column('state', sa.Enum('pending', 'claimed', 'sent', 'failed', 'bounced', 'suppressed', 'capped', 'invalid', name='outbox_state', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('claim_token', sa.String(length=32), nullable=True),
    sa.Column('claimed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('next_attempt_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('message_id', sa.String(length=250), nullable=True),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['account_id'], ['accounts.id'], name=op.f('fk_outbox_account_id_accounts'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['campaign_id'], ['campaigns.id'], name=op.f('fk_outbox_campaign_id_campaigns'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['contact_id'], ['contacts.id'], name=op.f('fk_outbox_contact_id_contacts'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_outbox')),
    sa.UniqueConstraint('campaign_id', 'contact_id', 'step', name='uq_outbox_campaign_contact_step')
    )
    op.create_index('ix_outbox_account_sent', 'outbox', ['account_id', 'sent_at'], unique=False)
    op.create_index('ix_outbox_campaign_state_next', 'outbox', ['campaign_id', 'state', 'next_attempt_at'], unique=False)
    op.create_index('ix_outbox_claim_token', 'outbox', ['claim_token'], unique=False)
    op.create_index('ix_outbox_contact_sent', 'outbox', ['contact_id', 'sent_at'], unique=False)
    op.create_table('tracking_events',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('outbox_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('campaign_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('open', 'click', 'unsubscribe', 'bounce', name='tracking_event_kind', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('url', sa.Text(), nullable=True),
    sa.Column('occurred_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['campaign_id'], ['campaigns.id'], name=op.f('fk_tracking_events_campaign_id_campaigns'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['outbox_id'], ['outbox.id'], name=op.f('fk_tracking_events_outbox_id_outbox'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_tracking_events'))
    )
    op.create_index('ix_tracking_events_campaign_kind', 'tracking_events', ['campaign_id', 'kind'], unique=False)
    op.create_index(op.f('ix_tracking_events_outbox_id'), 'tracking_events', ['outbox_id'], unique=False)


def downgrade() -> None:
    # Dropping a table drops its indexes too, on SQLite and PostgreSQL alike.
    for name in ("tracking_events", "outbox", "account_plan_campaigns", "holdout_members",
                 "campaign_templates", "campaign_approvals", "account_plans", "campaigns"):
        op.drop_table(name)
