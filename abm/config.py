"""Settings read from ``ABM_*`` environment variables, with embedded defaults.

Every setting has a default that works on a fresh machine: a SQLite file, an
embedded Redis server and an outbox folder, all under the instance folder.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

ENV_PREFIX = "ABM_"


@dataclass
class Settings:
    """The settings of one abm installation.

    Attributes:
        instance_path: folder for the SQLite file, secret key, embedded Redis and outbox.
        database_url: SQLAlchemy URL; empty means ``sqlite:///<instance>/abm.sqlite3``.
        redis_url: Redis URL; empty means an embedded server under the instance folder.
        smtp_url: ``smtp://user:pass@host:port``; empty means the outbox folder.
        secret_key: Flask secret; empty means generated once into the instance folder.
        mail_from: the sender address of campaign messages.
        public_url: the address recipients reach the web UI at (unsubscribe and tracking links).
        default_language: the UI language when the user has not chosen one.
        trusted_proxies: how many reverse proxies in front of abm set X-Forwarded-*
            headers (0: none; their headers are then ignored, as a client could forge them).
        password_hash: how new passwords are hashed (werkzeug's method string); scrypt
            unless a test suite lowers the cost.
    """

    instance_path: str = ""
    database_url: str = ""
    redis_url: str = ""
    smtp_url: str = ""
    secret_key: str = ""
    mail_from: str = "abm@localhost"
    public_url: str = "http://127.0.0.1:5000"
    default_language: str = "en"
    trusted_proxies: str = "0"
    password_hash: str = "scrypt"  # noqa: S105 - a method name, not a password
    extra: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        environ = os.environ if environ is None else environ
        values: dict[str, Any] = {}
        for f in fields(cls):
            if f.name == "extra":
                continue
            key = ENV_PREFIX + f.name.upper()
            if key in environ:
                values[f.name] = environ[key]
        return cls(**values)

    def resolve(self, default_instance: str | Path) -> Settings:
        """Fill in the defaults that depend on the instance folder (creating it)."""
        instance = Path(self.instance_path or default_instance).resolve()
        instance.mkdir(parents=True, exist_ok=True)
        self.instance_path = str(instance)
        if not self.database_url:
            self.database_url = f"sqlite:///{instance / 'abm.sqlite3'}"
        if not self.secret_key:
            self.secret_key = _instance_secret(instance / "secret_key")
        return self

    @property
    def outbox_path(self) -> Path:
        return Path(self.instance_path) / "outbox"


def command_language(languages: tuple[str, ...], default: str,
                     environ: Mapping[str, str] | None = None) -> str:
    """The language of the command line: ``ABM_LANGUAGE``, else the locale the shell says
    (``LC_ALL``, then ``LC_MESSAGES``, then ``LANG``, as gettext reads them), else ``default``.

    ``ru_RU.UTF-8`` and ``ru`` both choose Russian; ``C`` and ``POSIX`` choose nothing.
    """
    environ = os.environ if environ is None else environ
    for key in (ENV_PREFIX + "LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
        value = environ.get(key, "")
        if not value:
            continue
        code = value.split(".")[0].split("_")[0].split("-")[0].lower()
        if code in languages:
            return code
        if key == ENV_PREFIX + "LANGUAGE" or code not in ("c", "posix"):
            return default  # a language asked for that abm does not speak
    return default


def _instance_secret(path: Path) -> str:
    """Read the secret key kept in the instance folder, generating it on first use."""
    try:
        return path.read_text().strip()
    except FileNotFoundError:
        key = secrets.token_hex(32)
        # O_EXCL: two processes starting at once agree on one key.
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            return path.read_text().strip()
        with os.fdopen(fd, "w") as fh:
            fh.write(key)
        return key
