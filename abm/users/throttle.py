"""Login throttling that slows a guesser down without ever locking the owner out.

Failed logins are counted per account *and* source address together. After a
few free attempts, each further attempt from that address for that account
must wait twice as long as the one before (capped), so that guessing one
password from one machine becomes slow, while the owner's own address, which a
stranger's attempts never touch, keeps working. A success clears the count.

Counters live in Redis with an expiry, so nothing accumulates.
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass

from redis import Redis

KEY_PREFIX = "abm:login-failures:"


@dataclass(frozen=True)
class ThrottlePolicy:
    """Attempts allowed before the delay starts, the first delay and its cap (seconds)."""

    free_attempts: int = 5
    first_delay: float = 2.0
    max_delay: float = 900.0
    forget_after: int = 24 * 3600

    def delay(self, failures: int) -> float:
        """Seconds to wait after ``failures`` failed attempts before the next one."""
        if failures < self.free_attempts:
            return 0.0
        return min(self.max_delay, self.first_delay * 2 ** (failures - self.free_attempts))


class LoginThrottle:
    """Failed-login counters per (account, address), in Redis."""

    def __init__(self, redis: Redis, policy: ThrottlePolicy | None = None) -> None:
        self.redis = redis
        self.policy = policy or ThrottlePolicy()

    def wait_seconds(self, email: str, address: str, now: float | None = None) -> float:
        """How long this address must still wait before trying this account again (0: go)."""
        stored = self.redis.hmget(self._key(email, address), "failures", "last")
        if stored[0] is None:
            return 0.0
        failures, last = int(stored[0]), float(stored[1] or 0)
        remaining = last + self.policy.delay(failures) - (now or time.time())
        return max(0.0, remaining)

    def failed(self, email: str, address: str, now: float | None = None) -> int:
        """Count a failed attempt; returns the failures so far."""
        key = self._key(email, address)
        pipe = self.redis.pipeline()
        pipe.hincrby(key, "failures", 1)
        pipe.hset(key, "last", str(now or time.time()))
        pipe.expire(key, self.policy.forget_after)
        return int(pipe.execute()[0])

    def succeeded(self, email: str, address: str) -> None:
        self.redis.delete(self._key(email, address))

    @staticmethod
    def _key(email: str, address: str) -> str:
        # Hashed: the counters' names carry no e-mail addresses.
        pair = f"{email.strip().lower()}\n{address}".encode()
        return KEY_PREFIX + hashlib.sha256(pair).hexdigest()[:32]
