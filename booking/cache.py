"""Which Django cache the booking app uses, and how values are stored in Redis.

``BOOKING_CACHE_ALIAS`` (Django setting, default ``"default"``) names the cache. With
``RedisCache`` the project configures ``JSONSerializer`` so that what lands in Redis is JSON,
readable by any process or language, instead of Django's default pickle.
"""

import json
from typing import Any

from django.conf import settings
from django.core.cache import BaseCache, caches
from django.core.serializers.json import DjangoJSONEncoder


def booking_cache() -> BaseCache:
    return caches[getattr(settings, "BOOKING_CACHE_ALIAS", "default")]


class JSONSerializer:
    """Serializer for ``django.core.cache.backends.redis.RedisCache`` (OPTIONS["serializer"]).

    Integers stay raw so that ``incr``/``decr`` keep working, as in Django's own serializer.
    """

    def dumps(self, obj: Any) -> bytes | int:
        if type(obj) is int:
            return obj
        return json.dumps(obj, cls=DjangoJSONEncoder, separators=(",", ":")).encode()

    def loads(self, data: bytes | int) -> Any:
        if isinstance(data, int):
            return data
        return json.loads(data)
