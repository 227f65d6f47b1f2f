"""Security settings of the web app: cookies, proxies and the login rate limit.

The login form is limited by client address with Flask-Limiter on the
application's Redis (one machine guessing many accounts). Guessing one
account's password is slowed per account and address together, with a growing
delay (:mod:`abm.users.throttle`): a limit per account alone would let any
stranger lock the owner out. Only failed attempts count, so a user who types
their password right is never slowed down.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Flask
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from limits.storage import RedisStorage, Storage
from redis.exceptions import RedisError
from werkzeug.middleware.proxy_fix import ProxyFix

LOGIN_ENDPOINT = "auth.login"
DEFAULTS = {
    "LOGIN_LIMIT_PER_ADDRESS": "20 per minute; 200 per hour",
}


class AppRedisStorage(Storage):
    """Rate-limit counters in the app's Redis, connected on first use.

    The embedded Redis server starts only when something needs it, and its
    socket is known only then; the limits library wants a URL when the app is
    built, so this storage asks the app's Redis extension for it lazily.
    """

    STORAGE_SCHEME = ["abm-redis"]

    def __init__(self, uri: str, wrap_exceptions: bool = False, **options) -> None:
        self._extension = options.pop("redis_extension")
        self._inner: RedisStorage | None = None
        super().__init__(uri, wrap_exceptions=wrap_exceptions)

    @property
    def inner(self) -> RedisStorage:
        if self._inner is None:
            url = self._extension.url
            if url.startswith("unix://"):
                url = "redis+unix://" + url.removeprefix("unix://")
            self._inner = RedisStorage(url)
        return self._inner

    @property
    def base_exceptions(self):
        return RedisError

    def incr(self, key: str, expiry: int, amount: int = 1) -> int:
        return self.inner.incr(key, expiry, amount)

    def get(self, key: str) -> int:
        return self.inner.get(key)

    def get_expiry(self, key: str) -> float:
        return self.inner.get_expiry(key)

    def check(self) -> bool:
        return self.inner.check()

    def reset(self) -> int | None:
        return self.inner.reset()

    def clear(self, key: str) -> None:
        self.inner.clear(key)


def _failed(response) -> bool:
    return response.status_code != 302  # a successful login redirects


def init_app(app: Flask, settings) -> None:
    """Secure cookies behind HTTPS, trusted proxies, and the login rate limit."""
    from abm.queue import get_redis

    # Cookies travel only over HTTPS when the site is served over HTTPS.
    if settings.public_url.startswith("https://"):
        app.config["SESSION_COOKIE_SECURE"] = True
        app.config["REMEMBER_COOKIE_SECURE"] = True

        @app.after_request
        def _strict_transport(response):
            # Browsers that saw the site over HTTPS never try plain HTTP again.
            response.headers.setdefault("Strict-Transport-Security", "max-age=31536000")
            return response
    app.config.setdefault("REMEMBER_COOKIE_HTTPONLY", True)
    app.config.setdefault("REMEMBER_COOKIE_SAMESITE", "Lax")
    for key, value in DEFAULTS.items():
        app.config.setdefault(key, value)

    # Behind N reverse proxies, trust their X-Forwarded-* headers (and only theirs):
    # the client address the limit counts by, and the scheme.
    hops = int(settings.trusted_proxies or 0)
    if hops:
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]  # Flask's documented way
            app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)

    limiter = Limiter(key_func=get_remote_address, storage_uri="abm-redis://",
                      storage_options={"redis_extension": get_redis(app)},  # type: ignore[dict-item]
                      strategy="fixed-window", key_prefix="abm-limits")
    limiter.init_app(app)
    app.extensions["abm.limiter"] = limiter
    view: Callable[..., Any] = app.view_functions[LOGIN_ENDPOINT]
    view = limiter.limit(lambda: app.config["LOGIN_LIMIT_PER_ADDRESS"], methods=["POST"],
                         key_func=get_remote_address, deduct_when=_failed,
                         scope="login-address")(view)
    app.view_functions[LOGIN_ENDPOINT] = view
