"""Marks over the marker's own connection: the driver-level path writes what SQLAlchemy would."""

from datetime import timedelta

from sqlalchemy import select

from abm.accounts.models import Account, Contact
from abm.campaigns import services
from abm.db import get_session, utcnow
from abm.delivery import marking, outbox
from abm.delivery.models import OutboxMessage, OutboxState


def _claimed(session, n: int) -> tuple[str, list[int]]:
    account = Account(name="Marked")
    account.contacts = [Contact(name=f"P{i}", email=f"p{i}@client.test", marketing_consent=True)
                        for i in range(n)]
    session.add(account)
    session.flush()
    campaign = services.create_campaign(session, name="Marks", kind="promotion", holdout_share=0)
    outbox.fill_outbox(session, campaign.id, [(account.id, c.id) for c in account.contacts], 0)
    session.commit()
    token = outbox.claim_batch(session, campaign.id, n)
    ids = list(session.scalars(select(OutboxMessage.id).where(OutboxMessage.claim_token == token)
                               .order_by(OutboxMessage.id)))
    session.commit()  # the marks are other writers
    return token, ids


def test_marks_on_the_markers_connection_read_back_as_the_orm_writes_them(live_app):
    session = get_session()  # bound to the engine: the marker takes its own connection
    token, (sent, deferred, lost) = _claimed(session, 3)
    before = utcnow()
    with marking.Marker(session) as marker:
        assert marker.mark(sent, token, OutboxState.SENT, message_id="<abm-1@abm.test>")
        assert marker.mark(deferred, token, OutboxState.PENDING, error="451 busy",
                           next_attempt_at=before + timedelta(minutes=5))
        assert not marker.mark(lost, "another-token", OutboxState.SENT, message_id="<x>")
        assert not marker.mark(sent, token, OutboxState.SENT, message_id="<again>")
    session.expire_all()
    rows = {r.id: r for r in session.scalars(select(OutboxMessage)
                                             .where(OutboxMessage.id.in_([sent, deferred, lost])))}
    assert rows[sent].state == OutboxState.SENT
    assert rows[sent].message_id == "<abm-1@abm.test>"
    assert before <= rows[sent].sent_at <= utcnow()  # aware, in UTC, as every timestamp
    assert rows[sent].last_error is None
    assert (rows[deferred].state, rows[deferred].claim_token) == (OutboxState.PENDING, None)
    assert rows[deferred].next_attempt_at == before + timedelta(minutes=5)
    assert rows[lost].state == OutboxState.CLAIMED
    # A mark is committed when it returns: the sent row counts for the frequency caps.
    assert outbox.sent_counts(session, OutboxMessage.contact_id, [rows[sent].contact_id],
                              before) == {rows[sent].contact_id: 1}
