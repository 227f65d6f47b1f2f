"""Signed tokens in unsubscribe, open and click links (itsdangerous with the app secret).

A token carries the outbox id, so one link identifies one message and its
contact; it never expires, because RFC 8058 one-click unsubscribes must keep
working for as long as the message sits in a mailbox.
"""

from __future__ import annotations

from itsdangerous import BadSignature, URLSafeSerializer


class BadToken(ValueError):
    """A token that was altered, or signed with another secret."""


class Tokens:
    """Signs and checks the tokens of one installation."""

    def __init__(self, secret_key: str) -> None:
        self._unsubscribe = URLSafeSerializer(secret_key, salt="abm.unsubscribe")
        self._open = URLSafeSerializer(secret_key, salt="abm.open")
        self._click = URLSafeSerializer(secret_key, salt="abm.click")

    def unsubscribe(self, outbox_id: int) -> str:
        return self._unsubscribe.dumps(outbox_id)

    def open(self, outbox_id: int) -> str:
        return self._open.dumps(outbox_id)

    def click(self, outbox_id: int, url: str) -> str:
        return self._click.dumps([outbox_id, url])

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
    def _load(serializer: URLSafeSerializer, token: str, type_: type):
        try:
            value = serializer.loads(token)
        except BadSignature:
            raise BadToken("invalid or altered link") from None
        if not isinstance(value, type_) or isinstance(value, bool):
            raise BadToken("malformed token")
        return value
