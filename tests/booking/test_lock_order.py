"""One lock order everywhere: masters (sorted by id), then the client, then appointment rows.

A staff member saving an appointment in the admin while its client moves the same visit in the
bot used to deadlock on PostgreSQL: the admin form locked the master and then updated the
appointment, the reschedule locked the appointment and then the master. A 50 ms stall after
every row lock (what a busy server does to the gap between two statements) made it happen in
every round.
"""

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager

import pytest
from django.contrib.auth.models import User
from django.db import OperationalError, connection
from django.test import Client as WebClient
from django.urls import reverse

from booking.errors import SlotAlreadyBookedError
from djproject.salon import services
from djproject.salon.models import Appointment
from tests import factories as f
from tests.moments import BERLIN, WEDNESDAY, local

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("frozen_clock"),
]

ROUNDS = 20
STALL = 0.05  # seconds, after every statement that takes row locks


DEADLOCKS: list[str] = []  # every deadlock the server reported, even one a retry then hid


@contextmanager
def stalled_after_row_locks():
    """On this thread's connection: sleep after each ``SELECT ... FOR UPDATE`` and ``UPDATE``,
    i.e. between one lock step and the next, wherever the code takes them; note deadlocks."""

    def stall(execute, sql, params, many, context):
        try:
            result = execute(sql, params, many, context)
        except OperationalError as error:
            if "deadlock" in str(error):
                DEADLOCKS.append(str(error).splitlines()[0])
            raise
        if "FOR UPDATE" in sql or sql.lstrip().upper().startswith("UPDATE"):
            time.sleep(STALL)
        return result

    with connection.execute_wrapper(stall):
        yield


def change_form_data(web: WebClient, appointment: Appointment, **changes: str) -> dict[str, str]:
    """What the admin's change form posts: its visible fields as the appointment is now, its
    hidden fields as rendered (a version field, say), and the staff member's changes."""
    response = web.get(reverse("admin:salon_appointment_change", args=[appointment.pk]))
    form = response.context["adminform"].form
    start = appointment.datetime_start.astimezone(BERLIN)
    data = {bound.html_name: bound.value() for bound in form.hidden_fields()}
    data.update(
        {
            "master": str(appointment.master_id),
            "service": str(appointment.service_id),
            "client": str(appointment.client_id),
            "status": appointment.status,
            "source": appointment.source,
            "datetime_start_0": start.date().isoformat(),
            "datetime_start_1": start.strftime("%H:%M:%S"),
            "duration_minutes": str(appointment.duration_minutes),
            "price": str(appointment.price or ""),
            "notes": appointment.notes,
        }
    )
    data.update(changes)
    return {k: "" if v is None else str(v) for k, v in data.items()}


def test_an_admin_save_racing_a_client_reschedule_never_deadlocks(salon):
    cut = f.service(category=salon, duration=60)
    f.master(categories=[salon], hours={WEDNESDAY.weekday(): ("09:00", "18:00")})
    User.objects.create_superuser("boss", "boss@example.com", "pw")
    web = WebClient()
    web.force_login(User.objects.get(username="boss"))
    outcomes: list[tuple[object, ...]] = []
    finals: list[str] = []
    DEADLOCKS.clear()
    started = time.monotonic()

    for round_ in range(ROUNDS):
        outcome = _one_round(web, cut, round_)
        outcomes.append(outcome)
        finals.append(_assert_consistent(outcome))

    failed = [o for o in outcomes if any(isinstance(x, OperationalError) for x in o)]
    assert not DEADLOCKS, f"{len(DEADLOCKS)} deadlocks in {ROUNDS} rounds ({len(failed)} reached a writer)"
    print(
        f"\n{ROUNDS} rounds in {time.monotonic() - started:.1f} s, no deadlock; the visit ended at "
        f"11:00 (admin last) {finals.count('11:00')}x, at 14:00 (client last) {finals.count('14:00')}x"
    )


def _one_round(web: WebClient, cut, round_: int) -> tuple[object, ...]:
    """A fresh 10:00 visit; then, released together, staff move it to 11:00 in the admin and
    its client moves it to 14:00 in the bot. Returns (admin status code, client's new start)
    with exceptions as outcomes, and the appointment's id last."""
    telegram_id = f.client().telegram_id
    visit = services.book_visit(telegram_id, [cut.pk], None, WEDNESDAY, "10:00")
    appointment = Appointment.objects.get(booking_ref=visit.ref)
    data = change_form_data(web, appointment, datetime_start_1="11:00:00", notes=f"round {round_}")
    url = reverse("admin:salon_appointment_change", args=[appointment.pk])
    both = threading.Barrier(2)

    def admin_saves() -> object:
        with stalled_after_row_locks():
            both.wait()
            return web.post(url, data).status_code

    def client_moves() -> object:
        with stalled_after_row_locks():
            both.wait()
            return services.reschedule_visit(telegram_id, visit.ref, WEDNESDAY, "14:00").starts_at

    return (*_together(admin_saves, client_moves), appointment.pk)


def _together(*steps) -> tuple[object, ...]:
    """Run the steps in threads of their own (own connections); exceptions are outcomes."""

    def run(step) -> object:
        try:
            return step()
        except (OperationalError, SlotAlreadyBookedError, services.VisitNotFoundError) as error:
            return error
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=len(steps)) as pool:
        return tuple(pool.map(run, steps))


def _assert_consistent(outcome: tuple[object, ...]) -> str:
    """The appointment is where one of the two writers put it, whole (end = start + duration);
    returns that local "HH:MM". The visit is cancelled afterwards to free the day."""
    row = Appointment.objects.get(pk=outcome[-1])
    Appointment.objects.filter(pk=row.pk).update(status=Appointment.STATUS_CANCELLED)
    assert row.datetime_end == row.compute_end()
    assert row.status in Appointment.ACTIVE_STATUSES
    assert row.datetime_start in {local(WEDNESDAY, "11:00"), local(WEDNESDAY, "14:00")}, outcome
    if not any(isinstance(x, OperationalError) for x in outcome[:2]):
        assert outcome[0] == 302 or outcome[1] == local(WEDNESDAY, "14:00")
    return row.datetime_start.astimezone(BERLIN).strftime("%H:%M")
