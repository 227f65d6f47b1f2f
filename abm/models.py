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
from abm.db import Base  # noqa: F401
from abm.runs.models import JobRun  # noqa: F401
from abm.sales.models import (  # noqa: F401
    MonthlyAccountProductSales,
    MonthlyAccountSales,
    OrderLine,
    Product,
    Receivable,
)
from abm.users.models import User  # noqa: F401
