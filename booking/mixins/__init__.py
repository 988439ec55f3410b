"""Abstract models a project builds its concrete booking models from."""

from booking.mixins.appointment import (
    AbstractBookableAppointment,
    AppointmentCoreMixin,
    AppointmentStatusMixin,
)
from booking.mixins.master import (
    AbstractBookableMaster,
    MasterBufferMixin,
    MasterCapacityMixin,
    MasterScheduleMixin,
    MasterTimezoneMixin,
)
from booking.mixins.schedule import AbstractWorkingDay, MasterDayOffMixin
from booking.mixins.service import (
    AbstractBookableService,
    ServiceDurationMixin,
    ServiceGapMixin,
    ServiceParallelMixin,
)
from booking.mixins.settings import (
    SETTINGS_CACHE_KEY,
    AbstractBookingSettings,
    BookingSettingsMixin,
    BookingSettingsSyncMixin,
)

__all__ = [
    "SETTINGS_CACHE_KEY",
    "AbstractBookableAppointment",
    "AbstractBookableMaster",
    "AbstractBookableService",
    "AbstractBookingSettings",
    "AbstractWorkingDay",
    "AppointmentCoreMixin",
    "AppointmentStatusMixin",
    "BookingSettingsMixin",
    "BookingSettingsSyncMixin",
    "MasterBufferMixin",
    "MasterCapacityMixin",
    "MasterDayOffMixin",
    "MasterScheduleMixin",
    "MasterTimezoneMixin",
    "ServiceDurationMixin",
    "ServiceGapMixin",
    "ServiceParallelMixin",
]
