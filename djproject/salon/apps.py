from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SalonConfig(AppConfig):
    name = "djproject.salon"
    label = "salon"
    verbose_name = _("Salon")

    def ready(self) -> None:
        from djproject.salon import waitlist

        waitlist.connect()
