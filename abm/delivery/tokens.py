"""Signed tokens in unsubscribe, open, click and accept links (itsdangerous with the app secret).

A token carries the outbox id, so one link identifies one message and its
contact; it never expires, because RFC 8058 one-click unsubscribes must keep
working for as long as the message sits in a mailbox.
"""

from __future__ import annotations

from itsdangerous import BadSignature, Serializer, Signer, URLSafeSerializer
from itsdangerous.encoding import base64_encode


class BadToken(ValueError):
    """A token that was altered, or signed with another secret."""


class _Serializer(URLSafeSerializer):
    """itsdangerous' URL-safe serializer, cheaper to write with: one signer, no zlib attempt.

    A send loop writes two or more tokens per message. The stock serializer
    builds a signer and tries to compress the payload every time; the
    payloads here are an id, or an id and a URL, which rarely shrink. Tokens
    written uncompressed are what the stock serializer reads (and writes, when
    compression would not help), so links already sent keep working.
    """

    def __init__(self, secret_key: str, salt: str) -> None:
        super().__init__(secret_key, salt=salt)
        self._signer = super().make_signer(salt)

    def make_signer(self, salt: str | bytes | None = None) -> Signer:
        return self._signer if salt in (None, self.salt) else super().make_signer(salt)

    def dump_payload(self, obj) -> bytes:
        return base64_encode(Serializer.dump_payload(self, obj))


class Tokens:
    """Signs and checks the tokens of one installation."""

    def __init__(self, secret_key: str) -> None:
        self._unsubscribe = _Serializer(secret_key, salt="abm.unsubscribe")
        self._open = _Serializer(secret_key, salt="abm.open")
        self._click = _Serializer(secret_key, salt="abm.click")
        self._accept = _Serializer(secret_key, salt="abm.accept")

    def unsubscribe(self, outbox_id: int) -> str:
        return self._unsubscribe.dumps(outbox_id)

    def open(self, outbox_id: int) -> str:
        return self._open.dumps(outbox_id)

    def click(self, outbox_id: int, url: str) -> str:
        return self._click.dumps([outbox_id, url])

    def accept(self, outbox_id: int) -> str:
        """The token of the link by which the recipient of an invitation accepts it."""
        return self._accept.dumps(outbox_id)

    def read_accept(self, token: str) -> int:
        return self._load(self._accept, token, int)

    def read_unsubscribe(self, token: str) -> int:
        return self._load(self._unsubscribe, token, int)

    def read_open(self, token: str) -> int:
        return self._load(self._open, token, int)

    def read_click(self, token: str) -> tuple[int, str]:
        value = self._load(self._click, token, list)
        if len(value) != 2 or not isinstance(value[0], int) or not isinstance(value[1], str):
            raise BadToken("malformed click token")
        return value[0], value[1]

    @staticmethod
    def _load(serializer: _Serializer, token: str, type_: type):
        try:
            value = serializer.loads(token)
        except BadSignature:
            raise BadToken("invalid or altered link") from None
        if not isinstance(value, type_) or isinstance(value, bool):
            raise BadToken("malformed token")
        return value
