import pytest

from abm.accounts.models import Account
from abm.accounts.services import (
    Viewer,
    can_edit_account,
    can_see_account,
    get_visible_account,
)


@pytest.fixture
def accounts(session, people):
    own = Account(name="Own", owner_id=people["sales"].id)
    other = Account(name="Other", owner_id=people["rival"].id)
    orphan = Account(name="Orphan")
    session.add_all([own, other, orphan])
    session.flush()
    return own, other, orphan


def _viewer(user):
    return Viewer(user_id=user.id, role=user.role.value)


def test_sales_sees_only_accounts_they_own(session, people, accounts):
    own, other, orphan = accounts
    viewer = _viewer(people["sales"])
    assert can_see_account(session, own.id, viewer)
    assert not can_see_account(session, other.id, viewer)
    assert not can_see_account(session, orphan.id, viewer)


@pytest.mark.parametrize("role", ["admin", "manager", "marketing"])
def test_other_roles_see_every_account(session, people, accounts, role):
    viewer = Viewer(user_id=people["sales"].id, role=role)
    assert all(get_visible_account(session, a.id, viewer) is a for a in accounts)


def test_a_missing_account_is_not_visible(session, people):
    assert get_visible_account(session, 999_999, _viewer(people["manager"])) is None


def test_only_the_sales_owner_and_management_edit_a_dossier(people, accounts):
    own, other, _ = accounts
    assert can_edit_account(own, _viewer(people["sales"]))
    assert not can_edit_account(other, _viewer(people["sales"]))
    assert can_edit_account(other, _viewer(people["manager"]))
    assert not can_edit_account(own, _viewer(people["marketing"]))
