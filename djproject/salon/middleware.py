"""Show staff every time in the salon's local time zone."""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils import timezone


class SalonTimezoneMiddleware:
    """Activate the salon's time zone (SiteSettings, else TIME_ZONE) for each request.

    Django stores UTC and renders datetimes in the *current* time zone; without this, a salon
    whose SiteSettings zone differs from the TIME_ZONE setting would see shifted times.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        from djproject.salon.models import SiteSettings

        row = SiteSettings.objects.filter(pk=1).only("timezone").first()
        timezone.activate(row.tz if row else timezone.get_default_timezone())
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()
