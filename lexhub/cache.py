"""The Redis cache with the one-round-trip counter the API throttle uses (web.api.count_hit)."""

from django.core.cache.backends.redis import RedisCache as DjangoRedisCache


class RedisCache(DjangoRedisCache):
    def count_hit(self, key: str, previous_key: str, timeout: int) -> tuple[int, int]:
        """Add one to `key` (created with `timeout`) and read `previous_key`: one round trip."""
        current, previous = self.make_and_validate_key(key), self.make_and_validate_key(previous_key)
        pipe = self._cache.get_client(current, write=True).pipeline(transaction=False)
        pipe.set(current, 0, ex=timeout, nx=True).incr(current).get(previous)
        _created, count, before = pipe.execute()
        return count, int(before or 0)
