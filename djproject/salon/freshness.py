"""Which salon writes make every cached answer stale (``booking.freshness``).

The catalogue and the settings — categories, services, masters and the categories they do,
weekly hours, days off, time blocks, the two settings rows — decide every answer about availability, so a
committed save or delete of any of them replaces the salon's cache token. Appointments are
not here: their writes replace only their masters' tokens, where the busy intervals are
invalidated (``booking.adapters.cache``).

Signals see ``save()``, ``delete()`` and the many-to-many ``add``/``remove``/``set``/``clear``
(the admin's paths); ``QuerySet.update()`` and ``bulk_create()`` send none, so code that
changes these tables that way calls ``booking.freshness.bump_salon`` after commit itself.
"""

from __future__ import annotations

from django.db.models.signals import m2m_changed, post_delete, post_save

from booking.freshness import bump_salon_on_commit


def connect() -> None:
    from djproject.salon.models import (
        BookingSettings,
        Category,
        DayOff,
        Master,
        Service,
        SiteSettings,
        TimeBlock,
        WorkingDay,
    )

    for model in (Category, Service, Master, WorkingDay, DayOff, TimeBlock, BookingSettings, SiteSettings):
        uid = f"salon.freshness.{model.__name__}"
        post_save.connect(bump_salon_on_commit, sender=model, dispatch_uid=f"{uid}.save")
        post_delete.connect(bump_salon_on_commit, sender=model, dispatch_uid=f"{uid}.delete")
    m2m_changed.connect(
        bump_salon_on_commit,
        sender=Master.categories.through,
        dispatch_uid="salon.freshness.master_categories",
    )
