"""One request budget per Lexoffice API key, shared by every process and machine that uses the key.

Algorithm: a reservation form of the generic cell rate algorithm. The bucket stores the next free
send time ("tat"). A caller atomically reserves the slot `max(tat, now)` and moves tat one interval
on, then sleeps until its slot: requests leave evenly spaced, never faster than the rate.

Priority lanes decide how far ahead a caller may reserve. A person's request (interactive) takes
the next free slot however far it is (up to its max wait); webhook re-fetches reserve at most two
intervals ahead, backfill at most one. Lower lanes that cannot reserve poll again shortly, so the
queue of reserved slots stays short and a click never waits behind a long sync.

Redis holds the buckets when REDIS_URL is set (one Lua script, Redis's clock); otherwise a file
per bucket under var/ratelimit with an exclusive lock does the same for the processes of one machine.
"""

import fcntl
import hashlib
import logging
import os
import random
import time
from functools import cache
from pathlib import Path

from django.conf import settings

from lexoffice.errors import RateLimited

log = logging.getLogger(__name__)

LANES = ("interactive", "webhook", "backfill")
# How many intervals ahead a lane may reserve; interactive: as far as its max wait allows.
LANE_HORIZON_INTERVALS = {"webhook": 2.0, "backfill": 1.0}
# Our side sends a little under the key's limit: network jitter must not trip Lexoffice's bucket.
HEADROOM = 0.98


class RateLimitWaitExceeded(RateLimited):
    """No send slot within the caller's max wait; nothing was sent."""


def bucket_id(api_key: str, base_url: str) -> str:
    """A stable name for a key's bucket; a hash, so the key never reaches Redis or the disk."""
    return hashlib.sha256(f"{base_url.rstrip('/')}\n{api_key}".encode()).hexdigest()[:32]


class RateLimiter:
    def reserve(self, bucket: str, *, interval: float, horizon: float) -> tuple[bool, float]:
        """(True, seconds until the reserved slot) or (False, seconds until a retry may succeed)."""
        raise NotImplementedError

    def backlog(self, bucket: str) -> float:
        """Seconds of requests already reserved ahead of now: 0 when the key's budget is idle."""
        return self.backlogs([bucket])[0]

    def backlogs(self, buckets: list[str]) -> list[float]:
        """backlog of each bucket, in order, read at once (one round trip to Redis for a whole dashboard)."""
        raise NotImplementedError

    def acquire(self, bucket: str, *, rate: float, lane: str, max_wait: float) -> float:
        """Wait for this caller's send slot; returns the seconds waited."""
        if rate <= 0:
            return 0.0
        interval = 1.0 / (rate * HEADROOM)
        started = time.monotonic()
        while True:
            remaining = max_wait - (time.monotonic() - started)
            horizon = remaining if lane == "interactive" else min(remaining, LANE_HORIZON_INTERVALS[lane] * interval)
            if remaining < 0:
                raise RateLimitWaitExceeded(f"no request slot within {max_wait:.0f}s", path=bucket)
            granted, wait = self.reserve(bucket, interval=interval, horizon=max(horizon, 0.0))
            if granted:
                if wait > 0:
                    time.sleep(wait)
                return time.monotonic() - started
            # Another caller holds the next slots: come back about when one could be ours.
            time.sleep(min(max(wait, 0.001) + random.uniform(0, interval / 10), max(remaining, 0.001)))


RESERVE_SCRIPT = """
local now_parts = redis.call('TIME')
local now = tonumber(now_parts[1]) + tonumber(now_parts[2]) / 1000000
local interval = tonumber(ARGV[1])
local horizon = tonumber(ARGV[2])
local tat = tonumber(redis.call('GET', KEYS[1]) or '0')
if tat < now then tat = now end
local wait = tat - now
if wait > horizon then
  return {0, tostring(wait - horizon)}
end
redis.call('SET', KEYS[1], tostring(tat + interval), 'PX', math.ceil((wait + interval) * 1000) + 60000)
return {1, tostring(wait)}
"""


class RedisRateLimiter(RateLimiter):
    def __init__(self, url: str) -> None:
        import redis

        self._redis = redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2)
        self._script = self._redis.register_script(RESERVE_SCRIPT)
        self._fallback: FileRateLimiter | None = None

    def reserve(self, bucket: str, *, interval: float, horizon: float) -> tuple[bool, float]:
        import redis

        try:
            granted, wait = self._script(keys=[f"lexhub:ratelimit:{bucket}"], args=[interval, horizon])
        except redis.RedisError as exc:
            # Redis down: keep this machine inside the budget until it is back.
            log.warning("rate limiter: Redis unavailable (%s); using the local limiter", type(exc).__name__)
            self._fallback = self._fallback or FileRateLimiter(Path(settings.VAR_DIR) / "ratelimit")
            return self._fallback.reserve(bucket, interval=interval, horizon=horizon)
        return bool(int(granted)), float(wait)

    def backlogs(self, buckets: list[str]) -> list[float]:
        import redis

        if not buckets:
            return []
        try:
            with self._redis.pipeline(transaction=False) as pipe:
                pipe.time()
                for bucket in buckets:
                    pipe.get(f"lexhub:ratelimit:{bucket}")
                (seconds, micros), *tats = pipe.execute()
        except redis.RedisError:
            return [0.0] * len(buckets)
        now = float(seconds) + float(micros) / 1_000_000
        return [max(float(tat or 0) - now, 0.0) for tat in tats]


class FileRateLimiter(RateLimiter):
    def __init__(self, directory: Path) -> None:
        self._directory = directory
        directory.mkdir(parents=True, exist_ok=True)

    def reserve(self, bucket: str, *, interval: float, horizon: float) -> tuple[bool, float]:
        path = self._directory / bucket
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            raw = os.pread(fd, 64, 0).decode().strip()
            now = time.time()
            tat = max(float(raw) if raw else 0.0, now)
            wait = tat - now
            if wait > horizon:
                return False, wait - horizon
            encoded = f"{tat + interval:.6f}".encode()
            os.ftruncate(fd, 0)
            os.pwrite(fd, encoded, 0)
            return True, wait
        finally:
            os.close(fd)  # closing releases the lock

    def backlogs(self, buckets: list[str]) -> list[float]:
        now = time.time()
        return [max(self._tat(bucket) - now, 0.0) for bucket in buckets]

    def _tat(self, bucket: str) -> float:
        try:
            raw = (self._directory / bucket).read_text().strip()
        except OSError:
            return 0.0
        return float(raw or 0)


@cache
def _limiter(redis_url: str, var_dir: str) -> RateLimiter:
    if redis_url:
        return RedisRateLimiter(redis_url)
    return FileRateLimiter(Path(var_dir) / "ratelimit")


def get_limiter() -> RateLimiter:
    return _limiter(settings.REDIS_URL, str(settings.VAR_DIR))
