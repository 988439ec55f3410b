"""The studio project's booking setup: ``BOOKING`` pointed at its models, and a stylist."""

from datetime import time

import pytest

from tests.thirdparty.studio.models import ServiceCategory, StudioSettings, Stylist, StylistHours, Treatment

STUDIO_BOOKING = {
    "MASTER_MODEL": "studio.Stylist",
    "SERVICE_MODEL": "studio.Treatment",
    "APPOINTMENT_MODEL": "studio.Booking",
    "WORKING_DAY_MODEL": "studio.StylistHours",
    "DAY_OFF_MODEL": "studio.StylistDayOff",
    "BOOKING_SETTINGS_MODEL": "studio.StudioSettings",
    "MASTER_CATEGORIES_FIELD": "skills",
    "SERVICE_CATEGORY_FIELD": "kind",
}


@pytest.fixture
def studio(settings, db) -> None:
    """The studio's contract in force, and its settings row (no site settings at all)."""
    settings.BOOKING = STUDIO_BOOKING
    StudioSettings.objects.create(min_advance_minutes=0)


@pytest.fixture
def balayage(studio) -> Treatment:
    return Treatment.objects.create(
        title="Balayage", kind=ServiceCategory.objects.create(title="Colour"), duration=90
    )


@pytest.fixture
def mia(balayage) -> Stylist:
    """Works Monday to Friday, 09:00-13:00."""
    stylist = Stylist.objects.create(name="Mia")
    stylist.skills.add(balayage.kind)
    for weekday in range(5):
        StylistHours.objects.create(master=stylist, weekday=weekday, start_time=time(9), end_time=time(13))
    return stylist
