"""Where messages go: an SMTP server over one reused connection, or .eml files in a folder."""

from __future__ import annotations

import contextlib
import functools
import os
import re
import select
import smtplib
import socket
import ssl
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

# Where a transaction ended, so that a refusal can be told apart: a recipient
# refused (RCPT) is a bounce; a sender or message refused (MAIL, DATA, the body)
# fails that message only; LOCAL: nothing was sent, the server cannot take the
# address (a UTF-8 local part, and the server does not offer SMTPUTF8).
LOCAL, MAIL, RCPT, DATA, BODY = "local", "mail", "rcpt", "data", "body"


@dataclass(frozen=True)
class Outcome:
    """What the server said about one message: accepted, temporary or permanent failure.

    ``stage`` says at which command a refusal came (see :data:`RCPT` and the others).
    """

    ok: bool
    permanent: bool = False
    code: int | None = None
    detail: str = ""
    stage: str = ""


ACCEPTED = Outcome(True)


class TransportError(RuntimeError):
    """The server cannot be reached at all; nothing was sent."""


_LEADING_DOT = re.compile(rb"(?m)^\.")

# The sender is the same for every message: its parse is done once.
_quoted = functools.lru_cache(maxsize=64)(smtplib.quoteaddr)

# The steps of an SMTP transaction, by the command whose reply is awaited.
_MAIL, _RCPT, _DATA, _BODY, _LOCAL = range(5)
_STAGES = {_MAIL: MAIL, _RCPT: RCPT, _DATA: DATA, _BODY: BODY, _LOCAL: LOCAL}


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
        smtp: smtplib.SMTP
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
            smtp.ehlo_or_helo_if_needed()
            # Commands are small writes each awaiting a reply: do not let Nagle hold them.
            if smtp.sock is not None:
                with contextlib.suppress(OSError):
                    smtp.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            if self.user:
                smtp.login(self.user, self.password or "")
        except (OSError, smtplib.SMTPException) as exc:
            raise TransportError(f"cannot reach the SMTP server {self.host}:{self.port}: "
                                 f"{exc}") from exc
        return smtp

    def start(self, mail_from: str, to: str, message: bytes, *, name: str = "",
              utf8: bool = False) -> SMTPTransaction:
        """Begin sending one message: its MAIL command is on the wire when this returns.

        Args:
            utf8: the address or the headers are UTF-8: the message goes with
                SMTPUTF8, or, if the server does not offer it, not at all (a
                :data:`LOCAL` refusal).

        Raises:
            TransportError: the server cannot be reached.
        """
        return SMTPTransaction(self, mail_from, to, message, utf8)

    def send(self, mail_from: str, to: str, message: bytes, *, name: str = "",
             utf8: bool = False) -> Outcome:
        """Send one message, waiting for each reply; a dropped connection is reopened once."""
        return self.start(mail_from, to, message, name=name, utf8=utf8).finish()

    def offers_smtputf8(self) -> bool:
        """Whether the server takes UTF-8 addresses and headers (connects on first use).

        Raises:
            TransportError: the server cannot be reached.
        """
        return self._connection().has_extn("smtputf8")

    def open(self) -> None:
        """Connect now, if not connected yet: whether the server can be reached shows here.

        Raises:
            TransportError: the server cannot be reached.
        """
        self._connection()

    def _connection(self) -> smtplib.SMTP:
        if self._smtp is None:
            self._smtp = self._connect()
        return self._smtp

    def abort(self) -> None:
        """Give up the transaction in progress: closing the connection discards it."""
        self._drop()

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


class SMTPTransaction:
    """One message's SMTP transaction, advanced one command at a time.

    Each :meth:`advance` reads the reply to the command on the wire and writes
    the next one (MAIL, RCPT, DATA, then the body), so the caller can do other
    work while the server answers, in one thread: the caller is never
    preempted in the middle of a reply, and nothing waits on another thread.
    smtplib's ``sendmail`` does the same commands waiting for each reply; its
    handling of refusals is kept: a 421 closes the connection, any other
    refusal resets the transaction.
    """

    def __init__(self, transport: SMTPTransport, mail_from: str, to: str,
                 message: bytes, utf8: bool = False) -> None:
        self._transport = transport
        self._mail_from = mail_from
        self._to = to
        self._message = message
        self._utf8 = utf8
        self._attempt = 1
        self.body_sent = False
        self._begin()

    def _begin(self) -> None:
        smtp = self._smtp = self._transport._connection()
        size = f" SIZE={len(self._message)}" if smtp.has_extn("size") else ""
        options = self._utf8_options(smtp) if self._utf8 else ""
        if options is None:
            self._step = _LOCAL
            return
        try:
            smtp.putcmd("mail", f"FROM:{_quoted(self._mail_from)}{size}{options}")
        except (smtplib.SMTPServerDisconnected, OSError) as exc:
            self._reconnect(exc)
            return
        self._step = _MAIL

    @staticmethod
    def _utf8_options(smtp: smtplib.SMTP) -> str | None:
        """The MAIL parameters of a UTF-8 message (RFC 6531), or None: the server has no SMTPUTF8.

        As smtplib's ``send_message`` does: SMTPUTF8, and BODY=8BITMIME as the
        headers are 8-bit; the commands of the connection go out in UTF-8.
        """
        if not smtp.has_extn("smtputf8"):
            return None
        smtp.command_encoding = "utf-8"
        return " SMTPUTF8" + (" BODY=8BITMIME" if smtp.has_extn("8bitmime") else "")

    def reply_ready(self) -> bool:
        """Whether the awaited reply is in (or the connection closed): advance() won't wait."""
        if self._step == _LOCAL:
            return True
        sock = self._smtp.sock
        if sock is None or (isinstance(sock, ssl.SSLSocket) and sock.pending()):
            return True
        # smtplib reads each reply whole and the server says nothing unasked, so
        # no reply waits in smtplib's own buffer: the socket tells.
        return bool(select.select((sock,), (), (), 0)[0])

    def advance(self) -> Outcome | None:
        """Read the awaited reply and write the next command; the outcome once there is one.

        Raises:
            TransportError: the server dropped the connection twice, or cannot be reached.
        """
        smtp = self._smtp
        if self._step == _LOCAL:  # nothing was sent: the server cannot take the address
            return Outcome(False, permanent=True, stage=LOCAL, detail="SMTPUTF8")
        try:
            code, reply = smtp.getreply()
            step = self._step
            if step == _MAIL:
                if code != 250:
                    return self._refused(code, reply)
                try:
                    smtp.putcmd("rcpt", f"TO:{smtplib.quoteaddr(self._to)}")
                except UnicodeEncodeError:  # a UTF-8 address not announced as such
                    self._reset()
                    return Outcome(False, permanent=True, stage=LOCAL, detail="SMTPUTF8")
                self._step = _RCPT
            elif step == _RCPT:
                if code not in (250, 251):
                    return self._refused(code, reply)
                smtp.putcmd("data")
                self._step = _DATA
            elif step == _DATA:
                if code != 354:
                    return self._refused(code, reply)
                body = _LEADING_DOT.sub(b"..", self._message)  # dot-stuffing, as smtplib does
                smtp.send(body + (b".\r\n" if body.endswith(b"\r\n") else b"\r\n.\r\n"))
                self.body_sent = True
                self._step = _BODY
            else:
                return ACCEPTED if code == 250 else self._refused(code, reply)
        except (smtplib.SMTPServerDisconnected, OSError) as exc:
            self._reconnect(exc)
        except smtplib.SMTPResponseException as exc:  # a reply smtplib cannot read
            self._transport._drop()
            return _outcome(exc.smtp_code, exc.smtp_error, _STAGES[self._step])
        return None

    def finish(self) -> Outcome:
        """Advance to the end of the transaction."""
        outcome = None
        while outcome is None:
            outcome = self.advance()
        return outcome

    def _reconnect(self, exc: Exception) -> None:
        """Start again on a fresh connection, once.

        A drop while the reply to the body is awaited leaves unknown whether the
        server kept the message; it is sent again, as a retrying sendmail would.
        """
        self._transport._drop()
        if self._attempt == 2:
            raise TransportError(f"the SMTP server dropped the connection: {exc}") from exc
        self._attempt = 2
        self.body_sent = False
        self._begin()

    def _refused(self, code: int, reply: bytes) -> Outcome:
        if code == 421:  # the server is closing the connection
            self._transport._drop()
        else:
            self._reset()
        return _outcome(code, reply, _STAGES[self._step])

    def _reset(self) -> None:
        try:
            self._smtp.rset()
        except (smtplib.SMTPException, OSError):
            self._transport._drop()


def _outcome(code: int, detail, stage: str) -> Outcome:
    text = detail.decode("utf-8", "replace") if isinstance(detail, bytes) else str(detail)
    return Outcome(False, permanent=code >= 500, code=code, detail=f"{code} {text}", stage=stage)


class FolderTransport:
    """Writes each message as ``<folder>/<campaign>/<message>.eml``; nothing leaves the machine."""

    def __init__(self, folder: str | Path) -> None:
        self.folder = Path(folder)

    def start(self, mail_from: str, to: str, message: bytes, *, name: str = "",
              utf8: bool = False) -> FolderTransaction:
        return FolderTransaction(self.folder, message, name)

    def send(self, mail_from: str, to: str, message: bytes, *, name: str = "",
             utf8: bool = False) -> Outcome:
        return self.start(mail_from, to, message, name=name).finish()

    def offers_smtputf8(self) -> bool:
        """A file takes UTF-8 headers as they are (an .eml file per RFC 6532)."""
        return True

    def open(self) -> None:
        """A folder is always there (it is made with the first message)."""

    def abort(self) -> None:
        pass

    def close(self) -> None:
        pass


@dataclass
class FolderTransaction:
    """A message written on its one :meth:`advance`, as the SMTP transaction's body would go."""

    folder: Path
    message: bytes
    name: str
    body_sent: bool = False

    def advance(self) -> Outcome:
        folder = self.folder / (self.name.rpartition("/")[0] or ".")
        folder.mkdir(parents=True, exist_ok=True)
        target = self.folder / f"{self.name or os.urandom(8).hex()}.eml"
        tmp = target.with_suffix(".tmp")
        tmp.write_bytes(self.message)
        os.replace(tmp, target)  # a reader never sees half a message
        self.body_sent = True
        return ACCEPTED

    finish = advance

    def reply_ready(self) -> bool:
        return True


Transport = SMTPTransport | FolderTransport


def make_transport(smtp_url: str, outbox_path: str | Path) -> Transport:
    """The SMTP transport for ``smtp_url``, or the folder transport when it is empty."""
    return SMTPTransport(smtp_url) if smtp_url else FolderTransport(outbox_path)
