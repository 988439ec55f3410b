"""``/health/``: is the admin up and can it reach its database? For the container's probe.

Answered by a middleware placed before every other one, because the probe is not a browser:
it connects to 127.0.0.1 over plain HTTP, with a Host header that DJANGO_ALLOWED_HOSTS need not
name. Past this point CommonMiddleware would refuse that Host (400, DisallowedHost) and
SecurityMiddleware would redirect to HTTPS, and the container would never become healthy. The
answer holds nothing but "ok", so the Host header has nothing to poison.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.db import DatabaseError, connection
from django.http import HttpRequest, HttpResponse

HEALTH_PATH = "/health/"

log = logging.getLogger(__name__)


class HealthCheckMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path_info != HEALTH_PATH:
            return self.get_response(request)
        return health()


def health() -> HttpResponse:
    """200 "ok" when a query goes through, 503 when the database cannot be reached."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError as error:
        log.warning("health check: the database is unreachable: %s", error)
        return plain(503, "database unreachable\n")
    return plain(200, "ok\n")


def plain(status: int, text: str) -> HttpResponse:
    response = HttpResponse(text, status=status, content_type="text/plain; charset=utf-8")
    response["Cache-Control"] = "no-store"
    return response
