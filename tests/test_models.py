from datetime import UTC, date, datetime

import pytest
from sqlalchemy import insert
from sqlalchemy.exc import IntegrityError, StatementError

from abm.accounts.models import Account, AccountCategory, AccountKind, Category, Contact
from abm.sales.models import OrderLine, Product, Receivable
from abm.users.models import User
from abm.users.services import authenticate, create_user


def _account(session, **kw):
    account = Account(name=kw.pop("name", "Acme"), **kw)
    session.add(account)
    session.flush()
    return account


def test_user_email_is_unique(session):
    create_user(session, email="a@x.io", name="A", role="sales", password="pw")
    with pytest.raises(IntegrityError):
        create_user(session, email="A@x.io ", name="B", role="sales", password="pw")


def test_user_role_must_be_known(session):
    with pytest.raises(ValueError):
        create_user(session, email="a@x.io", name="A", role="boss", password="pw")


def test_passwords_are_hashed_and_checked(session):
    user = create_user(session, email="a@x.io", name="A", role="sales", password="pw-1")
    assert "pw-1" not in user.password_hash
    assert authenticate(session, "A@X.io", "pw-1") is user
    assert authenticate(session, "a@x.io", "wrong") is None
    user.active = False
    assert authenticate(session, "a@x.io", "pw-1") is None



def test_a_user_is_what_flask_login_asks_for_without_loading_it(session):
    user = create_user(session, email="a@x.io", name="A", role="sales", password="pw")
    copy = User(id=user.id, email="a@x.io", name="A", role="sales", password_hash="-")
    assert (user.get_id(), user.is_authenticated, user.is_anonymous) == (str(user.id), True, False)
    assert user == copy and user != User(email="b@x.io")
    user.active = False
    assert not user.is_active and not user.is_authenticated

def test_account_external_id_is_unique_but_optional(session):
    _account(session, external_id="C1")
    _account(session, name="No id 1")
    _account(session, name="No id 2")
    with pytest.raises(IntegrityError):
        _account(session, name="Dup", external_id="C1")


def test_account_name_is_required(session):
    session.add(Account(kind=AccountKind.CUSTOMER))
    with pytest.raises(IntegrityError):
        session.flush()


def test_account_kind_is_checked_by_the_database(session):
    with pytest.raises((StatementError, LookupError)):
        session.add(Account(name="X", kind="partner"))
        session.flush()


def test_an_account_has_several_categories(session):
    account = _account(session)
    account.categories = [AccountCategory(category=Category.BREADWINNER),
                          AccountCategory(category=Category.LOYAL)]
    session.flush()
    assert account.category_names == ["breadwinner", "loyal"]
    with pytest.raises(IntegrityError):
        session.execute(insert(AccountCategory).values(account_id=account.id, category="loyal"))


def test_a_prospect_is_qualified_only_with_all_three_ps(session):
    prospect = _account(session, kind=AccountKind.PROSPECT, has_need=True, can_pay=True)
    assert not prospect.qualified
    prospect.has_authority = True
    assert prospect.qualified


def test_contact_reachability_follows_consent_and_state(session):
    account = _account(session)
    contact = Contact(account=account, name="Olga", email="o@x.io", marketing_consent=True)
    session.add(contact)
    session.flush()
    assert contact.reachable
    contact.unsubscribed_at = datetime.now(UTC)
    assert not contact.reachable


def test_product_sku_is_unique(session):
    session.add_all([Product(sku="A", name="a"), Product(sku="A", name="b")])
    with pytest.raises(IntegrityError):
        session.flush()


def test_order_line_natural_key_is_document_date_and_line(session):
    account = _account(session)
    day = date(2026, 1, 5)

    def line(doc, line_no, when=day):
        return OrderLine(account_id=account.id, document=doc, line_no=line_no, date=when,
                         month=when.replace(day=1), quantity=1, revenue=10)

    session.add_all([line("D1", 1), line("D1", 2), line("D1", 1, date(2027, 1, 5))])
    session.flush()
    session.add(line("D1", 1))
    with pytest.raises(IntegrityError):
        session.flush()


def test_order_line_revenue_is_required(session):
    account = _account(session)
    session.add(OrderLine(account_id=account.id, document="D", date=date(2026, 1, 1),
                          month=date(2026, 1, 1)))
    with pytest.raises(IntegrityError):
        session.flush()


def test_receivable_amount_cannot_be_negative(session):
    account = _account(session)
    session.add(Receivable(account_id=account.id, document="I1", due_on=date(2026, 1, 1),
                           amount=-5))
    with pytest.raises(IntegrityError):
        session.flush()


def test_timestamps_come_back_aware_in_utc(session):
    user = create_user(session, email="t@x.io", name="T", role="admin", password="pw")
    session.commit()
    session.expire_all()
    again = session.get(User, user.id)
    assert again.created_at.tzinfo is not None
    assert again.created_at.utcoffset().total_seconds() == 0


def test_naive_timestamps_are_refused(session):
    account = _account(session)
    session.add(Contact(account=account, name="N", unsubscribed_at=datetime(2026, 1, 1)))
    with pytest.raises(StatementError, match="naive datetime"):
        session.flush()
