import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy.exc import IntegrityError

from abm.campaigns.models import Campaign, CampaignKind
from abm.delivery.models import OutboxMessage
from abm.models import Base

MINE = {"campaigns", "campaign_templates", "campaign_approvals", "account_plans",
        "account_plan_campaigns", "outbox", "tracking_events", "holdout_members"}


def _table_of(diff) -> str | None:
    for item in diff if isinstance(diff, list) else [diff]:
        for part in item[1:]:
            name = getattr(part, "name", None)
            table = getattr(part, "table", None)
            if table is not None:
                return table.name
            if isinstance(part, str) and part in MINE:
                return part
            if name in MINE:
                return name
    return None


def test_the_migration_creates_the_campaign_tables_as_the_models_say(session):
    context = MigrationContext.configure(session.connection(), opts={"compare_type": True})
    diffs = [d for d in compare_metadata(context, Base.metadata) if _table_of(d) in MINE]
    assert diffs == []


def test_one_outbox_row_per_campaign_contact_and_step(session, make_accounts):
    account = make_accounts(1)[0]
    campaign = Campaign(name="c", kind=CampaignKind.PROMOTION)
    session.add(campaign)
    session.flush()
    contact = account.contacts[0]
    row = dict(campaign_id=campaign.id, contact_id=contact.id, account_id=account.id)
    session.add_all([OutboxMessage(**row, step=0), OutboxMessage(**row, step=1)])
    session.flush()
    session.add(OutboxMessage(**row, step=0))
    with pytest.raises(IntegrityError):
        session.flush()
