from django.apps import AppConfig
from django.core import checks
from django.utils.translation import gettext_lazy as _


class BookingConfig(AppConfig):
    name = "booking"
    verbose_name = _("Booking")

    def ready(self) -> None:
        """Register the ``BOOKING`` contract's checks (``manage.py check`` runs them)."""
        from booking.checks import check_booking_models

        checks.register(check_booking_models, checks.Tags.models)
