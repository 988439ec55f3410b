"""Booking, cancelling and rescheduling through the salon services (what the bot calls)."""

from datetime import date, timedelta

import pytest

from booking import selectors
from booking.errors import CancellationTooLateError, SlotAlreadyBookedError
from booking.services import cancel_booking, create_booking
from djproject.salon import services
from djproject.salon.booking import cache_adapter
from djproject.salon.models import Appointment
from tests import factories as f
from tests.moments import NOW, WEDNESDAY, local

WED = WEDNESDAY.weekday()


pytestmark = pytest.mark.usefixtures("frozen_clock")


@pytest.fixture(autouse=True)
def no_cache(settings):
    """These tests are about the rules; inside a test transaction nothing commits, so the
    after-commit invalidation never runs (tests/booking/test_cache.py covers the cache)."""
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}


@pytest.fixture
def cut(salon):
    return f.service(category=salon, name="Cut", duration=60)


@pytest.fixture
def anna(salon):
    return f.master(name="Anna", categories=[salon], hours={WED: ("09:00", "13:00")})


@pytest.fixture
def client_id(salon):
    return f.client(name="Maria").telegram_id


def test_the_selected_time_is_booked_not_the_earliest(cut, anna, client_id):
    visit = services.book_visit(client_id, [cut.pk], anna.pk, WEDNESDAY, "11:30")

    appt = Appointment.objects.get()
    assert appt.datetime_start == local(WEDNESDAY, "11:30")
    assert appt.datetime_end == local(WEDNESDAY, "12:30")
    assert appt.master == anna and appt.service == cut and appt.client.telegram_id == client_id
    assert appt.status == Appointment.STATUS_CONFIRMED and appt.source == Appointment.SOURCE_TELEGRAM
    assert appt.price == cut.price
    assert visit.starts_at == local(WEDNESDAY, "11:30") and visit.items[0].master_name == "Anna"
    assert services.day_slots([cut.pk], anna.pk, WEDNESDAY) == ["09:00", "09:30", "10:00", "10:30"]


def test_a_taken_slot_is_refused_and_nothing_is_written(cut, anna, client_id):
    services.book_visit(client_id, [cut.pk], anna.pk, WEDNESDAY, "10:00")

    with pytest.raises(SlotAlreadyBookedError):
        services.book_visit(f.client().telegram_id, [cut.pk], anna.pk, WEDNESDAY, "10:30")
    assert Appointment.objects.count() == 1


def test_a_time_off_the_grid_is_refused(cut, anna, client_id):
    with pytest.raises(SlotAlreadyBookedError):
        services.book_visit(client_id, [cut.pk], anna.pk, WEDNESDAY, "10:10")


def test_any_master_books_whoever_is_free_at_that_time(salon, cut, anna, client_id):
    boris = f.master(name="Boris", categories=[salon], hours={WED: ("09:00", "13:00")})
    services.book_visit(client_id, [cut.pk], None, WEDNESDAY, "10:00")

    second = services.book_visit(f.client().telegram_id, [cut.pk], None, WEDNESDAY, "10:00")

    assert {a.master_id for a in Appointment.objects.all()} == {anna.pk, boris.pk}
    assert second.items[0].master_name == "Boris"


def test_multi_service_visit_shares_one_reference_and_runs_back_to_back(salon, cut, anna, client_id):
    nails = f.category(name="Nails")
    manicure = f.service(category=nails, name="Manicure", duration=30)
    f.master(name="Clara", categories=[nails], hours={WED: ("09:00", "13:00")})

    visit = services.book_visit(client_id, [cut.pk, manicure.pk], None, WEDNESDAY, "09:00")

    rows = list(Appointment.objects.order_by("datetime_start"))
    assert [(r.service.name, r.master.name) for r in rows] == [("Cut", "Anna"), ("Manicure", "Clara")]
    assert rows[0].booking_ref == rows[1].booking_ref
    assert rows[1].datetime_start == local(WEDNESDAY, "10:00")
    assert visit.ends_at == local(WEDNESDAY, "10:30")
    assert visit.total_price == cut.price + manicure.price
    assert [v.ref for v in services.upcoming_visits(client_id)] == [visit.ref]


def test_one_master_for_a_whole_visit(salon, cut, anna, client_id):
    blow_dry = f.service(category=salon, name="Blow-dry", duration=30)
    f.master(name="Boris", categories=[salon], hours={WED: ("09:00", "13:00")})

    services.book_visit(client_id, [cut.pk, blow_dry.pk], anna.pk, WEDNESDAY, "09:00")

    assert {a.master_id for a in Appointment.objects.all()} == {anna.pk}


def test_masters_offered_for_a_visit_can_do_every_service(salon, cut, anna):
    nails = f.category(name="Nails")
    manicure = f.service(category=nails, duration=30)
    both = f.master(name="Dana", categories=[salon, nails])
    f.master(name="Clara", categories=[nails])

    assert [m.name for m in services.list_masters([cut.pk, manicure.pk])] == [both.name]
    assert [m.name for m in services.list_masters([cut.pk])] == ["Anna", "Dana"]


def test_client_cancels_before_the_cutoff_and_the_time_is_free_again(cut, anna, client_id):
    visit = services.book_visit(client_id, [cut.pk], anna.pk, WEDNESDAY, "10:00")

    cancelled = services.cancel_visit(client_id, visit.ref)

    assert cancelled.status == Appointment.STATUS_CANCELLED
    assert "10:00" in services.day_slots([cut.pk], anna.pk, WEDNESDAY)
    assert services.upcoming_visits(client_id) == []


def test_client_cannot_cancel_after_the_cutoff_but_staff_can(salon, cut, client_id):
    today_master = f.master(categories=[salon], hours={NOW.weekday(): ("09:00", "13:00")})
    visit = services.book_visit(client_id, [cut.pk], today_master.pk, NOW.date(), "09:30")
    assert visit.can_change is False  # 90 minutes ahead, the cutoff is 120

    with pytest.raises(CancellationTooLateError):
        services.cancel_visit(client_id, visit.ref)

    rows = list(Appointment.objects.all())
    cancel_booking(selectors_adapter(), cache_adapter, rows, by_staff=True)
    assert Appointment.objects.get().status == Appointment.STATUS_CANCELLED


def selectors_adapter():
    from djproject.salon.booking import get_adapter

    return get_adapter()


def test_a_client_cannot_touch_another_clients_visit(cut, anna, client_id):
    visit = services.book_visit(client_id, [cut.pk], anna.pk, WEDNESDAY, "10:00")
    stranger = f.client().telegram_id

    with pytest.raises(services.VisitNotFoundError):
        services.cancel_visit(stranger, visit.ref)
    with pytest.raises(services.VisitNotFoundError):
        services.reschedule_visit(stranger, visit.ref, WEDNESDAY, "11:00")
    with pytest.raises(services.VisitNotFoundError):
        services.get_visit(client_id, "not-a-reference")
    assert Appointment.objects.get().status == Appointment.STATUS_CONFIRMED


def test_reschedule_moves_the_visit_and_frees_the_old_time(cut, anna, client_id):
    visit = services.book_visit(client_id, [cut.pk], anna.pk, WEDNESDAY, "09:00")
    # The visit's own time counts as free while choosing the new one.
    assert services.day_slots([], None, WEDNESDAY, reschedule_ref=visit.ref)[0] == "09:00"

    moved = services.reschedule_visit(client_id, visit.ref, WEDNESDAY, "09:30")

    appt = Appointment.objects.get()
    assert appt.datetime_start == local(WEDNESDAY, "09:30") and moved.ref == visit.ref
    assert services.day_slots([cut.pk], anna.pk, WEDNESDAY)[:1] == ["10:30"]


def test_reschedule_to_a_taken_time_changes_nothing(cut, anna, client_id):
    visit = services.book_visit(client_id, [cut.pk], anna.pk, WEDNESDAY, "09:00")
    services.book_visit(f.client().telegram_id, [cut.pk], anna.pk, WEDNESDAY, "11:00")

    with pytest.raises(SlotAlreadyBookedError):
        services.reschedule_visit(client_id, visit.ref, WEDNESDAY, "11:30")

    assert Appointment.objects.filter(client__telegram_id=client_id).get().datetime_start == local(
        WEDNESDAY, "09:00"
    )


def test_reschedule_after_the_cutoff_is_refused(salon, cut, client_id):
    today_master = f.master(categories=[salon], hours=dict.fromkeys(range(7), ("09:00", "13:00")))
    visit = services.book_visit(client_id, [cut.pk], today_master.pk, NOW.date(), "09:30")

    with pytest.raises(CancellationTooLateError):
        services.reschedule_visit(client_id, visit.ref, NOW.date() + timedelta(days=1), "10:00")


def test_bookings_need_confirmation_when_the_salon_says_so(cut, anna, client_id):
    f.booking_settings(requires_confirmation=True)

    services.book_visit(client_id, [cut.pk], anna.pk, WEDNESDAY, "10:00")

    assert Appointment.objects.get().status == Appointment.STATUS_PENDING


def test_second_place_of_a_master_gets_the_next_seat(salon, cut, client_id):
    pair = f.master(categories=[salon], hours={WED: ("09:00", "11:00")}, max_clients_parallel=2)

    services.book_visit(client_id, [cut.pk], pair.pk, WEDNESDAY, "09:00")
    services.book_visit(f.client().telegram_id, [cut.pk], pair.pk, WEDNESDAY, "09:00")

    assert sorted(Appointment.objects.values_list("seat", flat=True)) == [0, 1]
    with pytest.raises(SlotAlreadyBookedError):
        services.book_visit(f.client().telegram_id, [cut.pk], pair.pk, WEDNESDAY, "09:30")


def test_month_availability_marks_every_kind_of_day(salon, cut, client_id):
    m = f.master(categories=[salon], hours=dict.fromkeys(range(6), ("09:00", "10:00")))  # Mon–Sat
    services.book_visit(client_id, [cut.pk], m.pk, date(2026, 12, 3), "09:00")  # Thursday now full

    month = services.month_availability([cut.pk], m.pk, 2026, 12)

    by_day = {d: month[d].status for d in month}
    assert by_day[date(2026, 12, 1)] == "available"  # today, 08:00: 09:00 is just an hour ahead
    assert by_day[date(2026, 12, 2)] == "available" and month[date(2026, 12, 2)].free_starts == 1
    assert by_day[date(2026, 12, 3)] == "full"
    assert by_day[date(2026, 12, 6)] == "closed"  # Sunday
    assert by_day[date(2026, 12, 25)] == "holiday"
    assert month[date(2026, 12, 25)].holiday_name
    nov = services.month_availability([cut.pk], m.pk, 2026, 11)
    assert {d.status for d in nov.values()} == {"past"}
    feb = services.month_availability([cut.pk], m.pk, 2027, 2)
    assert feb[date(2027, 2, 1)].status == "out_of_range"  # beyond 60 days
    assert services.nearest_date([cut.pk], m.pk) == date(2026, 12, 1)
    assert services.booking_window() == (date(2026, 12, 1), date(2027, 1, 30))


def test_a_day_the_chosen_master_is_off_while_the_salon_is_open_is_not_called_closed(salon, cut, client_id):
    # Given Anna, who works Monday to Friday, in a salon open Monday to Saturday
    anna = f.master(name="Anna", categories=[salon], hours=dict.fromkeys(range(5), ("09:00", "12:00")))
    nails = f.category(name="Nails")
    manicure = f.service(category=nails, duration=30)
    dana = f.master(name="Dana", categories=[nails], hours=dict.fromkeys(range(6), ("09:00", "12:00")))
    visit = services.book_visit(client_id, [cut.pk, manicure.pk], None, WEDNESDAY, "09:00")
    assert {i.master_name for i in visit.items} == {"Anna", dana.name}

    # When the calendar asks about Anna, and about moving the visit Anna and Dana share
    alone = services.month_availability([cut.pk], anna.pk, 2026, 12)
    moving = services.month_availability([], None, 2026, 12, reschedule_ref=visit.ref)

    # Then Saturday is a day Anna is off, not a closed salon nor a fully booked day; Sunday is closed
    saturday, sunday = date(2026, 12, 5), date(2026, 12, 6)
    assert alone[saturday].status == "off" and moving[saturday].status == "off"
    assert alone[sunday].status == "closed" and moving[sunday].status == "closed"
    assert alone[date(2026, 12, 4)].status == "available"


def test_create_booking_without_a_hook_refuses_a_multi_service_visit(salon, cut, anna, client_id):
    other = f.service(category=salon, duration=30)
    with pytest.raises(NotImplementedError, match="persistence hook"):
        create_booking(
            selectors_adapter(),
            cache_adapter,
            Appointment,
            service_ids=[cut.pk, other.pk],
            target_date=WEDNESDAY,
            selected_time="09:00",
            master_id=anna.pk,
            client=None,
        )


def test_month_selector_with_unknown_service_is_all_closed(salon, anna):
    month = selectors.get_month_availability(selectors_adapter(), [424242], 2026, 12)
    assert {d.status for d in month.values() if d.day >= NOW.date() and d.day.day < 25} <= {
        "closed",
        "holiday",
    }


def test_a_grouped_visit_with_one_free_master_is_booked_one_after_another(salon, client_id):
    nails = f.category(name="Nails")
    manicure = f.service(category=nails, duration=45, parallel_group="hands-and-feet")
    pedicure = f.service(category=nails, duration=60, parallel_group="hands-and-feet")
    f.master(name="Clara", categories=[nails], hours={WED: ("09:00", "12:00")})
    f.master(name="Dana", categories=[nails], hours={3: ("09:00", "12:00")})  # not on Wednesdays

    visit = services.book_visit(client_id, [manicure.pk, pedicure.pk], None, WEDNESDAY, "09:00")

    assert [(i.master_name, i.starts_at.strftime("%H:%M")) for i in visit.items] == [
        ("Clara", "09:00"),
        ("Clara", "09:45"),
    ]
