"""Where messages go: an SMTP server over one reused connection, or .eml files in a folder."""

from __future__ import annotations

import contextlib
import os
import smtplib
import socket
import ssl
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
        self._smtp: smtplib.SMTP | None = None

    def _connect(self) -> smtplib.SMTP:
        try:
            if self.tls:
                smtp = smtplib.SMTP_SSL(self.host, self.port, timeout=self.timeout,
                                        context=ssl.create_default_context())
            else:
                smtp = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
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

    def send(self, mail_from: str, to: str, message: bytes, *, name: str = "") -> Outcome:
        """Send one message; a dropped connection is reopened once."""
        for attempt in (1, 2):
            if self._smtp is None:
                self._smtp = self._connect()
            try:
                self._smtp.sendmail(mail_from, [to], message)
                return ACCEPTED
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

    def send(self, mail_from: str, to: str, message: bytes, *, name: str = "") -> Outcome:
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
