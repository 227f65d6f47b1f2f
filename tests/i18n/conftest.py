"""The demo data loaded once, served in the pseudo-locale (see :mod:`tests.i18n.pseudo`)."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from abm.app import create_app
from abm.db import get_db, get_session, upgrade
from abm.demo import load_demo
from abm.web import labels
from tests.i18n.pseudo import build_pseudo_catalogue, data_words

TODAY = date(2026, 11, 23)
# The stored columns that hold the users' own words (names, places, notes, their
# templates), not the product's: a word of theirs on a page is data.
DATA = {"products": ("sku", "name", "category"), "users": ("email", "name"),
        "accounts": ("name", "external_id", "industry", "country", "region", "city", "website"),
        "loyalty_programmes": ("name",), "loyalty_tiers": ("name",), "promotions": ("name",),
        "api_tokens": ("name",), "campaigns": ("name", "price_list", "terms"),
        "exchange_rates": ("currency", "base"), "import_mappings": ("name",),
        "campaign_approvals": ("reason",),
        "campaign_templates": ("subject",),
        "contacts": ("external_id", "name", "email", "phone", "position"),
        "order_lines": ("document", "currency"), "receivables": ("document", "currency"),
        "tasks": ("title",), "tenders": ("title",)}
# Free text (notes, descriptions): a page shows it whole, so it is data as a whole, not
# word by word (its words would excuse the same English words anywhere).
TEXTS = {"tasks": ("description",), "tenders": ("reason",), "alert_events": ("note",),
         "interactions": ("text",), "task_comments": ("text",),
         "accounts": ("description", "history", "structure", "competitors", "current_supplier",
                      "win_plan"),
         "account_plans": ("objectives", "notes"), "account_losses": ("note",)}


@pytest.fixture(scope="package")
def pseudo_app(fresh_database, redis_url, tmp_path_factory):
    """The demo workspace with a campaign awaiting approval, served in the pseudo-locale."""
    url = fresh_database()
    upgrade(url)
    directory = build_pseudo_catalogue(tmp_path_factory.mktemp("pseudo"))
    app = create_app({"database_url": url, "redis_url": redis_url,
                      "instance_path": str(tmp_path_factory.mktemp("instance")),
                      "secret_key": "pseudo", "TESTING": True, "WTF_CSRF_ENABLED": False,
                      "BABEL_TRANSLATION_DIRECTORIES": str(directory)})
    labels._translated.cache_clear()
    with app.app_context():
        session = get_session()
        load_demo(session, seed=1, today=TODAY)
        _campaign(session)
        session.commit()
        session.close()
    yield app
    labels._translated.cache_clear()
    get_db(app).dispose()


def _campaign(session) -> None:
    """A campaign awaiting approval, and a tender on the salesperson's first account."""
    from abm.accounts.models import Account, Tender, TenderOutcome
    from abm.campaigns.services import create_campaign, request_approval
    from abm.demo import DEMO_USERS
    from abm.users.models import User

    sales = session.scalars(select(User).where(User.email == next(
        u[0] for u in DEMO_USERS if u[2] == "sales"))).one()
    account = session.scalars(select(Account).where(Account.owner_id == sales.id)
                              .order_by(Account.id)).first()
    session.add(Tender(account_id=account.id, title="Warehouse shelving 2027",
                       held_on=TODAY, outcome=TenderOutcome.LOST, reason="Price too high",
                       amount=125000.0))

    campaign = create_campaign(session, name="Spring bonus", kind="volume_bonus",
                               offer={"bonus_percent": 5, "bonus_threshold": 100000,
                                      "payment_days": 60})
    request_approval(session, campaign.id)


@pytest.fixture
def demo_words(pseudo_app) -> frozenset[str]:
    """Every word of the stored data values, the users' own words (read afresh: a test
    before may have added some, as an import adds accounts)."""
    from abm import models  # noqa: F401 - every table known to the metadata
    from abm.db import Base
    from abm.demo import DEMO_SENDER
    from tests.i18n.test_pages_in_pseudo_locale import ORDERS

    # The uploaded file's own headers are its data too.
    values = [*DEMO_SENDER.values(), ORDERS.splitlines()[0].replace(";", " ")]
    with pseudo_app.app_context():
        session = get_session()
        for name, columns in DATA.items():
            table = Base.metadata.tables[name]
            for column in columns:
                values.extend(session.scalars(select(table.c[column]).distinct()))
        # What an offer shows (its title...) is written by marketing, like its name.
        offers = Base.metadata.tables["campaigns"].c.offer
        for offer in session.scalars(select(offers)):
            values.extend(v for v in (offer or {}).values() if isinstance(v, str))
        session.close()
    return data_words(values)


@pytest.fixture
def demo_texts(pseudo_app) -> frozenset[str]:
    """The free texts stored, whole (see ``TEXTS``)."""
    from abm.db import Base

    values = set()
    with pseudo_app.app_context():
        session = get_session()
        for name, columns in TEXTS.items():
            table = Base.metadata.tables[name]
            for column in columns:
                values.update(v.strip() for v in session.scalars(select(table.c[column]))
                              if isinstance(v, str))
        session.close()
    return frozenset(values)
