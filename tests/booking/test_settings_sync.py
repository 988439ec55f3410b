"""Saving booking settings publishes them as JSON through the cache, and a dead cache blocks nothing."""

import json
import logging

import pytest
from django.core.cache import cache

from booking.mixins.settings import SETTINGS_CACHE_KEY, read_published_settings
from djproject.salon.models import BookingSettings

pytestmark = pytest.mark.django_db


def test_saved_settings_land_in_redis_as_json(redis_cache, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        bs = BookingSettings.load()
        bs.step_minutes = 15
        bs.work_start_weekdays = "09:30"
        bs.work_end_weekdays = "18:00"
        bs.save()

    raw = redis_cache.get(cache.make_key(SETTINGS_CACHE_KEY))
    document = json.loads(raw)
    assert document["step_minutes"] == 15
    assert document["work_start_weekdays"] == "09:30:00"
    assert document["reminder_offsets_minutes"] == [1440, 120]
    assert read_published_settings() == document


def test_settings_are_published_only_after_commit(redis_cache, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        BookingSettings(step_minutes=20).save()

    assert redis_cache.get(cache.make_key(SETTINGS_CACHE_KEY)) is None
    for callback in callbacks:
        callback()
    assert json.loads(redis_cache.get(cache.make_key(SETTINGS_CACHE_KEY)))["step_minutes"] == 20


def test_saving_settings_survives_redis_being_unreachable(
    dead_redis_cache, django_capture_on_commit_callbacks, caplog
):
    with caplog.at_level(logging.WARNING), django_capture_on_commit_callbacks(execute=True):
        BookingSettings(step_minutes=45).save()

    assert BookingSettings.load().step_minutes == 45
    assert "Could not publish booking settings" in caplog.text
    assert read_published_settings() is None
