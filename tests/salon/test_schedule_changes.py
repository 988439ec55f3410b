"""Schedule changes over booked visits (issue 12, item 1): which visits a change leaves outside
availability, and what "keep" and "cancel and tell the clients" do."""

from datetime import date, time

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from djproject.salon import outbox
from djproject.salon.models import Appointment, DayOff, Master, Notification, TimeBlock, WorkingDay
from djproject.salon.schedule_changes import ScheduleChange, affected_visits, apply_change, rebook_services
from tests import factories as f
from tests.moments import WEDNESDAY, local

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_clock")]

WEEKDAYS = dict.fromkeys(range(5), ("09:00", "18:00"))


@pytest.fixture
def anna(salon) -> Master:
    return f.master(name="Anna", categories=[salon], hours=WEEKDAYS)


@pytest.fixture
def haircut(salon):
    return f.service(name="Haircut", category=salon, duration=60)


@pytest.fixture
def wednesday(anna, haircut) -> list[Appointment]:
    """Four visits of four clients on Wednesday: two confirmed, two pending, with reminders."""
    rows = []
    for hhmm, status in [
        ("09:00", Appointment.STATUS_CONFIRMED),
        ("11:00", Appointment.STATUS_PENDING),
        ("14:00", Appointment.STATUS_CONFIRMED),
        ("16:00", Appointment.STATUS_PENDING),
    ]:
        row = f.appointment(
            master=anna, service=haircut, start=local(WEDNESDAY, hhmm), status=status, client=f.client()
        )
        outbox.schedule_reminders([row])
        rows.append(row)
    return rows


def day_off() -> DayOff:
    return DayOff(master=Master.objects.get(name="Anna"), date=WEDNESDAY, reason="ill")


def starts(visits) -> list[str]:
    return [v.starts_at.strftime("%H:%M") for v in visits]


def test_a_day_off_over_booked_visits_lists_them_and_changes_nothing(wednesday):
    found = affected_visits(ScheduleChange.saving(day_off()))

    assert starts(found) == ["09:00", "11:00", "14:00", "16:00"]
    assert not DayOff.objects.exists()
    assert Appointment.objects.filter(status__in=Appointment.ACTIVE_STATUSES).count() == 4


def test_keep_changes_only_the_schedule(wednesday):
    before = Notification.objects.count()

    outcome = apply_change(ScheduleChange.saving(day_off()), cancel_affected=False)

    assert len(outcome.affected) == 4 and not outcome.cancelled
    assert DayOff.objects.filter(date=WEDNESDAY).count() == 1
    assert Appointment.objects.filter(status__in=Appointment.ACTIVE_STATUSES).count() == 4
    assert Notification.objects.count() == before


def test_cancel_and_tell_queues_one_message_per_client_and_drops_reminders(wednesday):
    outcome = apply_change(ScheduleChange.saving(day_off()), cancel_affected=True, by="admin")

    assert len(outcome.cancelled) == 4 and outcome.messages == 4
    assert not Appointment.objects.filter(status__in=Appointment.ACTIVE_STATUSES).exists()
    told = Notification.objects.filter(kind=Notification.KIND_CANCELLED, status=Notification.STATUS_PENDING)
    assert sorted(told.values_list("chat_id", flat=True)) == sorted(r.client.telegram_id for r in wednesday)
    assert all(n.audience == Notification.AUDIENCE_CLIENT and n.payload["rebook"] for n in told)
    assert not Notification.objects.filter(
        kind=Notification.KIND_REMINDER, status=Notification.STATUS_PENDING
    )
    assert DayOff.objects.filter(date=WEDNESDAY).count() == 1


def test_shorter_hours_list_only_the_visits_past_the_new_end(wednesday, anna):
    row = WorkingDay.objects.get(master=anna, weekday=WEDNESDAY.weekday())
    row.end_time = time(13)

    assert starts(affected_visits(ScheduleChange.saving(row))) == ["14:00", "16:00"]
    row.refresh_from_db()
    assert row.end_time == time(18)


def test_a_new_break_lists_the_visit_inside_it(wednesday, anna):
    row = WorkingDay.objects.get(master=anna, weekday=WEDNESDAY.weekday())
    row.break_start, row.break_end = time(11, 30), time(12, 30)

    assert starts(affected_visits(ScheduleChange.saving(row))) == ["11:00"]


def test_removing_the_weekday_lists_its_visits(wednesday, anna):
    row = WorkingDay.objects.get(master=anna, weekday=WEDNESDAY.weekday())

    assert len(affected_visits(ScheduleChange.deleting(row))) == 4
    assert WorkingDay.objects.filter(pk=row.pk).exists()


def test_a_deactivated_master_lists_every_upcoming_visit(wednesday, anna, haircut):
    f.appointment(master=anna, service=haircut, start=local(date(2026, 12, 10), "10:00"), client=f.client())
    anna.status = Master.STATUS_INACTIVE

    assert len(affected_visits(ScheduleChange.saving(anna))) == 5
    anna.refresh_from_db()
    assert anna.status == Master.STATUS_ACTIVE


def test_shorter_default_hours_of_a_master_without_weekday_rows(salon, haircut):
    bea = f.master(name="Bea", categories=[salon])  # the salon's 09-18 apply
    f.appointment(master=bea, service=haircut, start=local(WEDNESDAY, "16:00"), client=f.client())
    bea.work_start, bea.work_end = time(9), time(15)

    assert starts(affected_visits(ScheduleChange.saving(bea))) == ["16:00"]


def test_a_weekly_block_lists_the_visits_it_covers_on_later_weeks(wednesday, anna, haircut):
    f.appointment(master=anna, service=haircut, start=local(date(2026, 12, 9), "14:30"), client=f.client())
    f.appointment(master=anna, service=haircut, start=local(date(2026, 12, 9), "16:00"), client=f.client())
    block = TimeBlock(master=anna, date=WEDNESDAY, start_time=time(14), end_time=time(16), weekly=True)

    found = affected_visits(ScheduleChange.saving(block))

    assert [v.starts_at.strftime("%d %H:%M") for v in found] == ["02 14:00", "09 14:30"]
    assert not TimeBlock.objects.exists()


def test_a_salon_wide_block_lists_every_masters_visits(wednesday, salon, haircut):
    bea = f.master(name="Bea", categories=[salon], hours=WEEKDAYS)
    f.appointment(master=bea, service=haircut, start=local(WEDNESDAY, "11:30"), client=f.client())
    block = TimeBlock(master=None, date=WEDNESDAY, start_time=time(11), end_time=time(12), reason="meeting")

    assert starts(affected_visits(ScheduleChange.saving(block))) == ["11:00", "11:30"]


def test_a_visit_already_outside_the_hours_is_not_listed_for_an_unrelated_change(wednesday, anna, haircut):
    f.appointment(master=anna, service=haircut, start=local(WEDNESDAY, "18:30"), client=f.client())
    block = TimeBlock(master=anna, date=WEDNESDAY, start_time=time(9), end_time=time(10))

    assert starts(affected_visits(ScheduleChange.saving(block))) == ["09:00"]


def test_a_change_elsewhere_lists_nothing(wednesday, anna):
    assert affected_visits(ScheduleChange.saving(DayOff(master=anna, date=date(2026, 12, 3)))) == []


def test_the_check_costs_the_same_for_4_visits_as_for_40(anna, haircut):
    def cost() -> int:
        with CaptureQueriesContext(connection) as queries:
            affected_visits(ScheduleChange.saving(Master.objects.get(pk=anna.pk)))
        return len(queries.captured_queries)

    for n in range(4):
        f.appointment(
            master=anna, service=haircut, start=local(date(2026, 12, 2 + n), "10:00"), client=f.client()
        )
    few = cost()
    for n in range(36):
        day = date(2026, 12, 7) if n < 7 else date(2026, 12, 8 + n // 8)
        f.appointment(
            master=anna, service=haircut, start=local(day, f"{9 + n % 8:02d}:00"), client=f.client()
        )
    assert cost() == few


def test_rebook_offers_the_services_of_the_clients_own_visit_only(wednesday):
    apply_change(ScheduleChange.saving(day_off()), cancel_affected=True)
    row = wednesday[0]

    assert rebook_services(row.client.telegram_id, row.booking_ref.hex) == [row.service_id]
    assert rebook_services(wednesday[1].client.telegram_id, row.booking_ref.hex) == []
    assert rebook_services(row.client.telegram_id, "not-a-ref") == []
