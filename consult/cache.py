"""A Redis cache that degrades instead of failing when Redis is down.

The cache holds rate-limit counters and a few cached counts; none is worth a failed request. With
Redis unreachable, reads miss, writes are dropped and a rate-limit count is unknown, which
django-ratelimit treats as allowed (`RATELIMIT_FAIL_OPEN`): a respondent's answer is still saved,
the API still answers. Each outage is logged once a minute, not once a request.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

log = logging.getLogger(__name__)

UNREACHABLE = (RedisConnectionError, RedisTimeoutError, OSError)
LOG_EVERY_SECONDS = 60


class ResilientRedisCache(RedisCache):
    """Django's Redis cache, answering as an empty cache while Redis cannot be reached."""

    _last_logged = 0.0

    def _unreachable(self, operation: str, error: Exception) -> None:
        now = time.monotonic()
        if now - ResilientRedisCache._last_logged >= LOG_EVERY_SECONDS:
            ResilientRedisCache._last_logged = now
            log.warning("Cache unreachable (%s failed: %s); carrying on without it.", operation, error)

    def add(self, key: str, value: Any, timeout: float | None = DEFAULT_TIMEOUT, version: int | None = None) -> bool:
        try:
            return super().add(key, value, timeout, version)
        except UNREACHABLE as error:
            self._unreachable("add", error)
            return False

    def get(self, key: str, default: Any = None, version: int | None = None) -> Any:
        try:
            return super().get(key, default, version)
        except UNREACHABLE as error:
            self._unreachable("get", error)
            return default

    def set(self, key: str, value: Any, timeout: float | None = DEFAULT_TIMEOUT, version: int | None = None) -> None:
        try:
            super().set(key, value, timeout, version)
        except UNREACHABLE as error:
            self._unreachable("set", error)

    def touch(self, key: str, timeout: float | None = DEFAULT_TIMEOUT, version: int | None = None) -> bool:
        try:
            return super().touch(key, timeout, version)
        except UNREACHABLE as error:
            self._unreachable("touch", error)
            return False

    def delete(self, key: str, version: int | None = None) -> bool:
        try:
            return super().delete(key, version)
        except UNREACHABLE as error:
            self._unreachable("delete", error)
            return False

    def get_many(self, keys: Any, version: int | None = None) -> dict[str, Any]:
        try:
            return super().get_many(keys, version)
        except UNREACHABLE as error:
            self._unreachable("get_many", error)
            return {}

    def has_key(self, key: str, version: int | None = None) -> bool:
        try:
            return super().has_key(key, version)
        except UNREACHABLE as error:
            self._unreachable("has_key", error)
            return False

    def incr(self, key: str, delta: int = 1, version: int | None = None) -> Any:
        """The new value; None (an unknown count) while Redis is unreachable."""
        try:
            return super().incr(key, delta, version)
        except UNREACHABLE as error:
            self._unreachable("incr", error)
            return None

    def set_many(
        self, data: dict[str, Any], timeout: float | None = DEFAULT_TIMEOUT, version: int | None = None
    ) -> list[str]:
        try:
            return super().set_many(data, timeout, version)
        except UNREACHABLE as error:
            self._unreachable("set_many", error)
            return list(data)

    def delete_many(self, keys: Any, version: int | None = None) -> None:
        try:
            super().delete_many(keys, version)
        except UNREACHABLE as error:
            self._unreachable("delete_many", error)
