"""outbox reasons: why a message was not sent, in states and reason codes a user can act on

A message that did not go out was "invalid" (called "did not render") whatever
the cause, and any permanent refusal bounced the contact. The outbox now tells
apart an address the server cannot take (``undeliverable``: a UTF-8 local part
without SMTPUTF8, an invalid domain), a refusal of the message itself
(``refused``: MAIL or DATA answered 5xx, which no longer bounces the contact)
and a contact whose address another contact of the campaign already gets
(``duplicate``), and every message not sent keeps a reason code (``reason``)
that the campaign page translates, its details staying in ``last_error``.

Revision ID: 0013
Revises: 0012
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_OLD_STATES = ("pending", "claimed", "sent", "failed", "bounced", "suppressed", "capped",
               "invalid")
_NEW_STATES = ("pending", "claimed", "sent", "failed", "bounced", "refused", "undeliverable",
               "suppressed", "capped", "invalid", "duplicate")
_REASONS = ("template_error", "needs_smtputf8", "invalid_address", "recipient_refused",
            "sender_refused", "message_refused", "temporary_failure", "unsubscribed",
            "bounced_before", "no_consent", "no_address", "contact_cap", "account_cap",
            "duplicate_address")


def _enum(values: Sequence[str], name: str) -> sa.Enum:
    return sa.Enum(*values, name=name, native_enum=False, create_constraint=True,
                   length=max(len(v) for v in values))


def upgrade() -> None:
    with op.batch_alter_table("outbox") as batch:
        batch.alter_column("state", existing_type=_enum(_OLD_STATES, "outbox_state"),
                           type_=_enum(_NEW_STATES, "outbox_state"), existing_nullable=False)
        batch.add_column(sa.Column("reason", _enum(_REASONS, "outbox_reason"), nullable=True))


def downgrade() -> None:
    # The new states have no older equivalent but "invalid" (never sent) and "bounced".
    op.execute("UPDATE outbox SET state = 'invalid' "
               "WHERE state IN ('undeliverable', 'refused', 'duplicate')")
    with op.batch_alter_table("outbox") as batch:
        batch.drop_constraint(op.f("ck_outbox_outbox_reason"), type_="check")
        batch.drop_column("reason")
        batch.alter_column("state", existing_type=_enum(_NEW_STATES, "outbox_state"),
                           type_=_enum(_OLD_STATES, "outbox_state"), existing_nullable=False)
