"""The Redis cache with the one-round-trip counter the API throttle uses (web.api.count_hit)."""

import re
from functools import cache

import redis
from django.core.cache.backends.redis import RedisCache as DjangoRedisCache


@cache
def _client(url: str) -> redis.Redis:
    # Shared by the process's threads (its pool hands each command a connection; redis-py starts a new
    # pool after a fork). Django's cache builds a new redis.Redis for every call, which fills a table of
    # ~170 response callbacks each time: on the throttle's path that is paid by every API request.
    return redis.Redis.from_url(url)


class RedisCache(DjangoRedisCache):
    def __init__(self, server: str | list[str], params: dict) -> None:
        super().__init__(server, params)
        servers = re.split("[;,]", server) if isinstance(server, str) else server
        self.counter_url = servers[0]  # counts live on the first server, where Django's cache writes too

    def count_hit(self, key: str, previous_key: str, timeout: int) -> tuple[int, int]:
        """Add one to `key` (created with `timeout`) and read `previous_key`: one round trip."""
        current, previous = self.make_and_validate_key(key), self.make_and_validate_key(previous_key)
        pipe = _client(self.counter_url).pipeline(transaction=False)
        pipe.set(current, 0, ex=timeout, nx=True).incr(current).get(previous)
        _created, count, before = pipe.execute()
        return count, int(before or 0)
