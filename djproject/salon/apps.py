from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class SalonConfig(AppConfig):
    name = "djproject.salon"
    label = "salon"
    verbose_name = _("Salon")

    def ready(self) -> None:
        from djproject.salon import freshness, waitlist
        from djproject.salon.roles import sync_after_migrate

        waitlist.connect()
        freshness.connect()
        post_migrate.connect(sync_after_migrate, sender=self, dispatch_uid="salon.sync_role_groups")
