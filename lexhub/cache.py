"""The Redis cache with one client per process, and the one-round-trip counter the API throttle uses
(web.api.count_hit)."""

from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.core.cache.backends.redis import RedisCacheClient
from django.utils.functional import cached_property


class _ReusedClients(RedisCacheClient):
    """Django builds a new redis.Redis for every operation (~0.1 ms of Python each); a client is
    thread-safe and only borrows connections from the pool, so one per pool serves every call."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self._clients: dict[int, object] = {}

    def get_client(self, key: object = None, *, write: bool = False) -> object:
        index = self._get_connection_pool_index(write)
        client = self._clients.get(index)
        if client is None:
            client = self._clients[index] = self._client(connection_pool=self._get_connection_pool(write))
        return client


class RedisCache(DjangoRedisCache):
    @cached_property
    def _cache(self) -> RedisCacheClient:
        return _ReusedClients(self._servers, **self._options)

    def count_hit(self, key: str, previous_key: str, timeout: int) -> tuple[int, int]:
        """Add one to `key` (created with `timeout`) and read `previous_key`: one round trip."""
        current, previous = self.make_and_validate_key(key), self.make_and_validate_key(previous_key)
        pipe = self._cache.get_client(current, write=True).pipeline(transaction=False)
        pipe.set(current, 0, ex=timeout, nx=True).incr(current).get(previous)
        _created, count, before = pipe.execute()
        return count, int(before or 0)
