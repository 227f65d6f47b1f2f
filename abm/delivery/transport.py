"""Where messages go: an SMTP server over one reused connection, or .eml files in a folder."""

from __future__ import annotations

import contextlib
import os
import re
import smtplib
import socket
import ssl
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit


@dataclass(frozen=True)
class Outcome:
    """What the server said about one message: accepted, temporary or permanent failure."""

    ok: bool
    permanent: bool = False
    code: int | None = None
    detail: str = ""


ACCEPTED = Outcome(True)


class TransportError(RuntimeError):
    """The server cannot be reached at all; nothing was sent."""


class SendAborted(RuntimeError):
    """Raised by a ``before_body`` hook: the message must not be sent after all."""


_LEADING_DOT = re.compile(rb"(?m)^\.")


class _BodyHook:
    """smtplib's DATA command, calling ``before_body`` between the server's 354 and the body."""

    before_body: Callable[[], None] | None = None

    def data(self, msg: bytes) -> tuple[int, bytes]:
        code, reply = self.docmd("data")
        if code != 354:
            raise smtplib.SMTPDataError(code, reply)
        if self.before_body is not None:
            self.before_body()
        body = _LEADING_DOT.sub(b"..", msg)  # dot-stuffing, as smtplib does
        self.send(body + (b".\r\n" if body.endswith(b"\r\n") else b"\r\n.\r\n"))
        return self.getreply()


class _SMTP(_BodyHook, smtplib.SMTP):
    pass


class _SMTPSSL(_BodyHook, smtplib.SMTP_SSL):
    pass


class SMTPTransport:
    """Sends over one SMTP connection, opened on first use and reopened if the server drops it.

    URL forms: ``smtp://user:pass@host:port`` (STARTTLS when the server offers
    it), ``smtps://...`` (TLS from the start).
    """

    def __init__(self, url: str, timeout: float = 30.0) -> None:
        parts = urlsplit(url)
        if parts.scheme not in ("smtp", "smtps"):
            raise ValueError(f"unsupported mail URL scheme {parts.scheme!r}")
        self.tls = parts.scheme == "smtps"
        self.host = parts.hostname or "localhost"
        self.port = parts.port or (465 if self.tls else 25)
        self.user = unquote(parts.username) if parts.username else None
        self.password = unquote(parts.password) if parts.password else None
        self.timeout = timeout
        self._smtp: _SMTP | _SMTPSSL | None = None

    def _connect(self) -> _SMTP | _SMTPSSL:
        try:
            if self.tls:
                smtp = _SMTPSSL(self.host, self.port, timeout=self.timeout,
                                context=ssl.create_default_context())
            else:
                smtp = _SMTP(self.host, self.port, timeout=self.timeout)
                smtp.ehlo()
                if smtp.has_extn("starttls"):
                    smtp.starttls(context=ssl.create_default_context())
                    smtp.ehlo()
            # Commands are small writes each awaiting a reply: do not let Nagle hold them.
            with contextlib.suppress(OSError):
                smtp.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            if self.user:
                smtp.login(self.user, self.password or "")
        except (OSError, smtplib.SMTPException) as exc:
            raise TransportError(f"cannot reach the SMTP server {self.host}:{self.port}: "
                                 f"{exc}") from exc
        return smtp

    def send(self, mail_from: str, to: str, message: bytes, *, name: str = "",
             before_body: Callable[[], None] | None = None) -> Outcome:
        """Send one message; a dropped connection is reopened once.

        Args:
            before_body: called once the server is ready for the body, the last
                moment before it can accept the message; it may wait, or raise
                :class:`SendAborted` to give the message up (the connection is
                then closed, which discards the transaction).
        """
        for attempt in (1, 2):
            if self._smtp is None:
                self._smtp = self._connect()
            self._smtp.before_body = before_body
            try:
                self._smtp.sendmail(mail_from, [to], message)
                return ACCEPTED
            except SendAborted:
                self._drop()
                raise
            except smtplib.SMTPRecipientsRefused as exc:
                code, detail = next(iter(exc.recipients.values()))
                return _outcome(code, detail)
            except (smtplib.SMTPSenderRefused, smtplib.SMTPDataError) as exc:
                return _outcome(exc.smtp_code, exc.smtp_error)
            except (smtplib.SMTPServerDisconnected, OSError) as exc:
                self._drop()
                if attempt == 2:
                    raise TransportError(f"the SMTP server dropped the connection: {exc}") \
                        from exc
            except smtplib.SMTPResponseException as exc:
                self._drop()
                return _outcome(exc.smtp_code, exc.smtp_error)
            except smtplib.SMTPException as exc:  # e.g. the server lacks SMTPUTF8
                return Outcome(False, permanent=True, detail=str(exc))
        raise AssertionError("unreachable")  # pragma: no cover

    def _drop(self) -> None:
        smtp, self._smtp = self._smtp, None
        if smtp is not None:
            with contextlib.suppress(OSError):
                smtp.close()

    def close(self) -> None:
        if self._smtp is not None:
            with contextlib.suppress(OSError, smtplib.SMTPException):
                self._smtp.quit()
        self._drop()


def _outcome(code: int, detail) -> Outcome:
    text = detail.decode("utf-8", "replace") if isinstance(detail, bytes) else str(detail)
    return Outcome(False, permanent=code >= 500, code=code, detail=f"{code} {text}")


class FolderTransport:
    """Writes each message as ``<folder>/<campaign>/<message>.eml``; nothing leaves the machine."""

    def __init__(self, folder: str | Path) -> None:
        self.folder = Path(folder)

    def send(self, mail_from: str, to: str, message: bytes, *, name: str = "",
             before_body: Callable[[], None] | None = None) -> Outcome:
        if before_body is not None:
            before_body()
        folder = self.folder / (name.rpartition("/")[0] or ".")
        folder.mkdir(parents=True, exist_ok=True)
        target = self.folder / f"{name or os.urandom(8).hex()}.eml"
        tmp = target.with_suffix(".tmp")
        tmp.write_bytes(message)
        os.replace(tmp, target)  # a reader never sees half a message
        return ACCEPTED

    def close(self) -> None:
        pass


def make_transport(smtp_url: str, outbox_path: str | Path):
    """The SMTP transport for ``smtp_url``, or the folder transport when it is empty."""
    return SMTPTransport(smtp_url) if smtp_url else FolderTransport(outbox_path)
