"""``python -m bot --webhook --workers 2``: two real server processes on one port
(SO_REUSEPORT), driven by ``bot.bench`` through the webhook path, as Telegram would: every
update an HTTP POST with the secret header, the Bot API a fake server in this process.

The processes read the real clock (they are not this test's process): the conversations only
book the nearest free time, which exists at any time of day in the demo salon."""

from __future__ import annotations

import pytest
from asgiref.sync import sync_to_async

from bot.bench import Measurement, _database_url, run_webhook
from djproject.salon.models import Appointment


@pytest.mark.postgres
@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
async def test_two_webhook_processes_on_one_port_serve_whole_conversations(demo_salon, redis_url):
    measurement = Measurement("webhook", processes=2, clients=2, conversations=4)

    await run_webhook(measurement, 0.0, 9_100_000_001, _database_url(in_place=False), redis_url)

    assert measurement.updates >= 4 * 9  # every update was answered 200 (else it raises)
    assert measurement.booked >= 2
    booked = await sync_to_async(
        Appointment.objects.filter(client__telegram_id__gte=9_100_000_001)
        .values("booking_ref")
        .distinct()
        .count
    )()
    assert booked == measurement.booked
