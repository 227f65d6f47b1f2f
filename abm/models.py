"""Every model, imported once so that the metadata is complete (Alembic, tests)."""

from abm.accounts.models import (  # noqa: F401
    Account,
    AccountCategory,
    Contact,
    Interaction,
    Task,
    TaskComment,
    Tender,
)
from abm.analytics.models import (  # noqa: F401
    AccountAnalytics,
    AccountLoss,
    Alert,
    AlertEvent,
    AnalyticsSnapshot,
    ChurnState,
    KamReportMailing,
    KeyAccountReport,
    KeyAccountReportRow,
)
from abm.audit.models import AuditEvent  # noqa: F401
from abm.campaigns.models import (  # noqa: F401
    AccountPlan,
    AccountPlanCampaign,
    Campaign,
    CampaignApproval,
    CampaignTemplate,
)
from abm.currencies.models import ExchangeRate  # noqa: F401
from abm.db import Base  # noqa: F401
from abm.delivery.models import HoldoutMember, OutboxMessage, TrackingEvent  # noqa: F401
from abm.imports.models import ImportMapping, StaleAggregateMonths  # noqa: F401
from abm.loyalty.models import (  # noqa: F401
    LoyaltyMembership,
    LoyaltyProgramme,
    LoyaltyTier,
    TierProposal,
)
from abm.notifications.models import (  # noqa: F401
    Notification,
    NotificationDigest,
    NotificationPreference,
)
from abm.runs.models import JobRun  # noqa: F401
from abm.sales.models import (  # noqa: F401
    MonthlyAccountProductSales,
    MonthlyAccountSales,
    OrderLine,
    Product,
    Receivable,
)
from abm.sales.price_models import ProductPrice, Promotion, PromotionProduct  # noqa: F401
from abm.segments.models import (  # noqa: F401
    AccountPotential,
    AccountSegment,
    PotentialFit,
    RunSegment,
    Segment,
    SegmentationRun,
)
from abm.users.models import User  # noqa: F401
from abm.users.tokens import ApiToken  # noqa: F401
from abm.workspace.models import WorkspaceSetting  # noqa: F401
