"""One claimed batch of a campaign: check suppression and caps, render, send, mark each message.

The campaign's side of sending (who may be mailed, what they are sent, the
send window and the caps) is here; the mail itself goes through the
delivery package's plain parts: the message is built from the rendered text
(:func:`abm.delivery.messages.build_message`), sent over the transport
(:class:`abm.delivery.pipeline.Pipeline`) and its outcome recorded in the
outbox under the batch's claim token (:class:`abm.delivery.marking.Marker`).
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from functools import partial
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Row, bindparam, select
from sqlalchemy.orm import Session

from abm.accounts.models import Contact
from abm.campaigns.audiences import reachable_condition
from abm.campaigns.context import account_contexts, message_context
from abm.campaigns.occasions import OccasionNames
from abm.campaigns.rendering import CompiledTemplate, RenderError
from abm.campaigns.send_window import SendWindow, WindowGate
from abm.campaigns.services import pick_language
from abm.campaigns.settings import CampaignSettings
from abm.db import utcnow
from abm.delivery import marking, outbox
from abm.delivery.addresses import AddressError, Recipient, smtp_recipient
from abm.delivery.messages import Envelope, build_message, links
from abm.delivery.models import OutboxMessage, OutboxReason, OutboxState
from abm.delivery.pipeline import Pipeline
from abm.delivery.tracking import mark_bounced
from abm.delivery.transport import LOCAL, MAIL, RCPT, Outcome, Transport

OM = OutboxMessage
# How stale the suppression state of a contact may be when its message goes out.
RECHECK_EVERY = 25  # messages
RECHECK_SECONDS = 1.0


def retry_delay(settings: CampaignSettings, attempt: int) -> float:
    """Seconds before retrying after the ``attempt``-th temporary failure: doubling from the
    base delay, up to the longest delay."""
    return float(min(settings.retry_base_seconds * 2 ** (attempt - 1),
                     settings.retry_max_delay_seconds))


@dataclass
class Batch:
    """Sends the rows of one claim token; the caps and contexts carry over between batches."""

    session: Session
    campaign_id: int
    transport: Transport
    envelope: Envelope
    templates: dict[str, CompiledTemplate]
    offer: dict
    default_language: str
    contexts: dict[int, dict]
    settings: CampaignSettings
    stats: Counter[str]
    holiday: OccasionNames | None = None  # names a holiday greeting's occasion
    window: SendWindow | None = None
    default_zone: ZoneInfo = ZoneInfo("UTC")  # of recipients whose country has no known zone
    per_contact: Counter[int] = field(default_factory=Counter)  # messages in the cap window
    per_account: Counter[int] = field(default_factory=Counter)
    marker: marking.Marker | None = None  # set while a batch is sent
    smtputf8: bool | None = None  # whether the server takes UTF-8 addresses, once asked

    def run(self, token: str) -> None:
        s, cfg = self.session, self.settings
        rows = list(s.execute(
            select(OM.id, OM.account_id, OM.contact_id, OM.step, OM.attempts, Contact.email,
                   Contact.name, Contact.language, Contact.role, Contact.position,
                   reachable_condition().label("reachable"), *_SUPPRESSION_COLUMNS)
            .join(Contact, Contact.id == OM.contact_id)
            .where(OM.claim_token == token).order_by(OM.id)).all())
        since = utcnow() - timedelta(days=cfg.cap_window_days)
        self.per_contact = Counter(outbox.sent_counts(s, OM.contact_id,
                                                      [r.contact_id for r in rows], since))
        self.per_account = Counter(outbox.sent_counts(s, OM.account_id,
                                                      [r.account_id for r in rows], since))
        missing = {r.account_id for r in rows} - set(self.contexts)
        if missing:  # accounts added by a trigger scan after the job started
            self.contexts.update(account_contexts(s, missing))
        s.commit()  # end the read transaction before the first write
        gate = WindowGate(self.window, self.default_zone, utcnow())
        with marking.Marker(s) as marker, Pipeline(
                self.transport, self.envelope.mail_from, partial(self._record, token)) as pipeline:
            self.marker = marker
            for r, unreachable in self._rechecked(rows):
                pipeline.poll()
                if unreachable is not None:
                    self._mark(r.id, token, OutboxState.SUPPRESSED, "suppressed",
                               reason=unreachable)
                elif (until := gate.wait_until(self._country(r))) is not None:
                    if marker.postpone(r.id, token, until):
                        self.stats["waiting"] += 1
                elif (cap := self._cap(r)) is not None:
                    self._mark(r.id, token, OutboxState.CAPPED, "capped", reason=cap)
                else:
                    self._dispatch(pipeline, r, token)

    def _country(self, r: Row[Any]) -> str | None:
        country: str | None = self.contexts[r.account_id]["account"]["country"]
        return country or None

    def _cap(self, r: Row[Any]) -> OutboxReason | None:
        """Which frequency cap (across all campaigns) the message would break, if any."""
        if self.per_contact[r.contact_id] >= self.settings.cap_contact_max:
            return OutboxReason.CONTACT_CAP
        if self.per_account[r.account_id] >= self.settings.cap_account_max:
            return OutboxReason.ACCOUNT_CAP
        return None

    def _rechecked(self, rows: list[Any]) -> Iterator[tuple[Row[Any], OutboxReason | None]]:
        """Each row with why its contact may not be mailed (None: it may), re-read every few.

        The claim read the contacts' state once; before each window of
        :data:`RECHECK_EVERY` rows (or after :data:`RECHECK_SECONDS`, for slow
        servers) one query re-reads it for the rows of the window. So an
        unsubscribe or a bounce stops every message of its contact that goes
        out later than one window after it.
        """
        unreachable: dict[int, OutboxReason] = {}
        next_check, deadline = RECHECK_EVERY, time.monotonic() + RECHECK_SECONDS
        for n, r in enumerate(rows):
            if n >= next_check or time.monotonic() > deadline:
                window = rows[n : n + RECHECK_EVERY]
                unreachable = _unreachable(self.session, [x.contact_id for x in window])
                next_check, deadline = n + RECHECK_EVERY, time.monotonic() + RECHECK_SECONDS
            yield r, (suppression_reason(r) if not r.reachable
                      else unreachable.get(r.contact_id))

    def _dispatch(self, pipeline: Pipeline, r: Row[Any], token: str) -> None:
        """Render and build the message of ``r`` and hand it to the pipeline (or mark invalid).

        The pipeline is polled between the steps, so that the message in flight
        moves on as soon as the server answers while this one is prepared.
        """
        recipient = self._recipient(r, token)
        if recipient is None:
            return
        link = links(self.envelope, r.id)
        contact = {"id": r.contact_id, "name": r.name, "first_name": (r.name or "").split(" ")[0],
                   "email": r.email, "role": r.role.value, "position": r.position or "",
                   "language": r.language}
        lang = pick_language(self.templates, r.language, self.default_language)
        account_ctx = self.contexts[r.account_id]
        offer = self.offer
        if self.holiday:  # the occasion depends on the day and the account's country
            name = self.holiday.name(r.step, account_ctx["account"]["country"], r.account_id,
                                     lang)
            offer = {**offer, "occasion": name} if name else offer
        try:
            rendered = self.templates[lang].render(message_context(
                account_ctx, contact, offer, link["unsubscribe_url"], link["accept_url"]),
                between=pipeline.poll)
        except RenderError as exc:
            self._mark(r.id, token, OutboxState.INVALID, "invalid", str(exc),
                       reason=OutboxReason.TEMPLATE_ERROR)
            return
        pipeline.poll()
        try:
            message_id, data = build_message(
                self.envelope, outbox_id=r.id, campaign_id=self.campaign_id,
                to_email=recipient.header, to_name=r.name, rendered=rendered,
                unsubscribe_url=link["unsubscribe_url"], utf8=recipient.utf8,
                accept_url=link["accept_url"])
        except (UnicodeError, ValueError) as exc:  # a header that cannot be written
            self._mark(r.id, token, OutboxState.UNDELIVERABLE, "undeliverable",
                       f"cannot build the message: {exc}", reason=OutboxReason.INVALID_ADDRESS)
            return
        pipeline.poll()
        # The caps count the message now, so that the next ones see it while it is in flight.
        self.per_contact[r.contact_id] += 1
        self.per_account[r.account_id] += 1
        pipeline.send((r, message_id), recipient.address, data, name=f"{self.campaign_id}/{r.id}",
                      utf8=recipient.utf8)

    def _recipient(self, r: Row[Any], token: str) -> Recipient | None:
        """The address of ``r`` as SMTP takes it, or None: marked undeliverable, with why.

        An address with a UTF-8 local part goes only to a server that offers
        SMTPUTF8; the server is asked once per job, and only if such an
        address comes up.
        """
        try:
            recipient = smtp_recipient(r.email)
        except AddressError as exc:
            self._mark(r.id, token, OutboxState.UNDELIVERABLE, "undeliverable", str(exc),
                       reason=OutboxReason.INVALID_ADDRESS)
            return None
        if recipient.utf8:
            if self.smtputf8 is None:
                self.smtputf8 = self.transport.offers_smtputf8()
            if not self.smtputf8:
                self._mark(r.id, token, OutboxState.UNDELIVERABLE, "undeliverable",
                           reason=OutboxReason.NEEDS_SMTPUTF8)
                return None
        return recipient

    def _record(self, token: str, sent: tuple[Row[Any], str], outcome: Outcome) -> None:
        r, message_id = sent
        if outcome.ok:
            self._mark(r.id, token, OutboxState.SENT, "sent", message_id=message_id)
            return
        self.per_contact[r.contact_id] -= 1
        self.per_account[r.account_id] -= 1
        if outcome.permanent:
            self._refused(r, token, outcome)
        elif r.attempts >= self.settings.retry_max:
            self._mark(r.id, token, OutboxState.FAILED, "failed", outcome.detail,
                       reason=OutboxReason.TEMPORARY_FAILURE)
        else:  # stays pending: a later attempt, in this job if it is due soon enough
            delay = retry_delay(self.settings, r.attempts)
            self._mark(r.id, token, OutboxState.PENDING, "deferred", outcome.detail,
                       next_attempt_at=utcnow() + timedelta(seconds=delay))

    def _mark(self, outbox_id: int, token: str, state: OutboxState, stat: str,
              error: str | None = None, **kw: Any) -> None:
        assert self.marker is not None, "marks are made while a batch is sent"
        if self.marker.mark(outbox_id, token, state, error=error, **kw):
            self.stats[stat] += 1

    def _refused(self, r: Row[Any], token: str, outcome: Outcome) -> None:
        """A permanent refusal: only the recipient's (RCPT) bounces the contact.

        A refusal of the sender (MAIL) or of the message (DATA, the body: too
        long a line, content) says nothing about the address: that message
        fails with the server's reply and the contact stays reachable.
        """
        if outcome.stage == RCPT:
            if mark_bounced(self.session, r.id, token, contact_id=r.contact_id,
                            campaign_id=self.campaign_id, detail=outcome.detail):
                self.stats["bounced"] += 1
        elif outcome.stage == LOCAL:  # the server (reconnected) has no SMTPUTF8
            self._mark(r.id, token, OutboxState.UNDELIVERABLE, "undeliverable",
                       reason=OutboxReason.NEEDS_SMTPUTF8)
        else:
            reason = (OutboxReason.SENDER_REFUSED if outcome.stage == MAIL
                      else OutboxReason.MESSAGE_REFUSED)
            self._mark(r.id, token, OutboxState.REFUSED, "refused", outcome.detail,
                       reason=reason)


# What tells why a contact is not reachable (with its email, which the claim reads anyway).
_SUPPRESSION_COLUMNS = (Contact.marketing_consent, Contact.unsubscribed_at, Contact.bounced_at)
_UNREACHABLE = select(Contact.id, Contact.email, *_SUPPRESSION_COLUMNS).where(
    Contact.id.in_(bindparam("ids", expanding=True)), ~reachable_condition())


def suppression_reason(contact: Any) -> OutboxReason:
    """Why a contact that is not reachable may not be mailed (the first reason that holds)."""
    if contact.unsubscribed_at is not None:
        return OutboxReason.UNSUBSCRIBED
    if contact.bounced_at is not None:
        return OutboxReason.BOUNCED_BEFORE
    if not contact.email:
        return OutboxReason.NO_ADDRESS
    return OutboxReason.NO_CONSENT


def _unreachable(session: Session, contact_ids: list[int]) -> dict[int, OutboxReason]:
    """The contacts among ``contact_ids`` that may no longer be mailed, and why (one query)."""
    found = {row.id: suppression_reason(row) for row in session.execute(
        _UNREACHABLE, {"ids": contact_ids})}
    session.commit()
    return found
