"""A change form opened before the client cancelled or moved the visit must not undo it.

The admin page carries the version it was opened on; saving it after somebody else changed the
appointment is refused with a message that says what changed, and nothing is written or sent.
The pages are fetched and posted like a browser does: every input of the rendered form is sent
back, the hidden one included, with only the field under test edited.
"""

from html.parser import HTMLParser
from pathlib import Path

import pytest
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from djproject.salon import services
from djproject.salon.models import Appointment, Notification
from tests import factories as f
from tests.moments import WEDNESDAY

pytestmark = pytest.mark.usefixtures("frozen_clock")

THURSDAY = WEDNESDAY.replace(day=3)
LOCALES = Path(__file__).resolve().parents[2] / "locales"


class FormValues(HTMLParser):
    """The values a browser would submit from the page's first ``<form method="post">``."""

    def __init__(self) -> None:
        super().__init__()
        self.values: dict[str, str] = {}
        self._in_form = False
        self._select: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form" and a.get("method", "").lower() == "post":
            self._in_form = True
        if not self._in_form or (not a.get("name") and tag != "option"):
            return
        if tag == "input" and a.get("type", "text") not in {"submit", "button", "checkbox", "radio"}:
            self.values[a["name"]] = a.get("value", "")
        elif tag == "select":
            self._select = a["name"]
            self.values.setdefault(a["name"], "")
        elif tag == "option" and self._select and "selected" in a:
            self.values[self._select] = a.get("value", "")
        elif tag == "textarea":
            self._textarea = a["name"]
            self.values[a["name"]] = ""

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._in_form = False
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data: str) -> None:
        if self._textarea:
            self.values[self._textarea] += data


def open_change_form(admin_client, appointment: Appointment, **headers: str) -> tuple[str, dict[str, str]]:
    """GET the change page; returns its URL and the values its form would submit."""
    url = reverse("admin:salon_appointment_change", args=[appointment.pk])
    page = admin_client.get(url, headers=headers)
    assert page.status_code == 200
    parser = FormValues()
    parser.feed(page.content.decode())
    return url, parser.values


def errors_of(response) -> str:
    return " ".join(str(e) for e in response.context["adminform"].form.non_field_errors())


@pytest.fixture
def visit(salon) -> Appointment:
    """Maria's confirmed visit with Anna on Wednesday at 10:00, booked through the bot."""
    cut = f.service(category=salon, name="Cut", duration=60)
    anna = f.master(
        name="Anna",
        categories=[salon],
        hours={2: ("09:00", "14:00"), 3: ("09:00", "14:00")},
        telegram_id=501,
    )
    maria = f.client(name="Maria")
    services.book_visit(maria.telegram_id, [cut.pk], anna.pk, WEDNESDAY, "10:00")
    return Appointment.objects.select_related("client").get()


def notifications() -> set[int]:
    return set(Notification.objects.values_list("pk", flat=True))


def test_a_form_opened_before_the_client_cancelled_is_refused(admin_client, visit):
    url, form = open_change_form(admin_client, visit)
    services.cancel_visit(visit.client.telegram_id, visit.booking_ref.hex)
    queued = notifications()

    response = admin_client.post(url, {**form, "notes": "called her", "_save": "Save"})

    assert response.status_code == 200
    message = errors_of(response)
    assert "Someone changed this appointment while you were editing it" in message
    assert "Status: Confirmed → Cancelled" in message
    assert "your changes were not saved" in message
    visit.refresh_from_db()
    assert visit.status == Appointment.STATUS_CANCELLED and visit.notes == ""
    assert notifications() == queued


def test_a_form_opened_before_the_client_rescheduled_is_refused(admin_client, visit):
    url, form = open_change_form(admin_client, visit)
    services.reschedule_visit(visit.client.telegram_id, visit.booking_ref.hex, THURSDAY, "11:00")
    queued = notifications()

    response = admin_client.post(url, {**form, "notes": "called her", "_save": "Save"})

    assert response.status_code == 200
    assert "Start Time: 02.12.2026 10:00 → 03.12.2026 11:00" in errors_of(response)
    visit.refresh_from_db()
    assert visit.datetime_start.date() == THURSDAY and visit.notes == ""
    assert visit.status == Appointment.STATUS_CONFIRMED
    assert notifications() == queued


def test_two_staff_members_editing_at_once_cannot_overwrite_each_other(admin_client, visit):
    url, first = open_change_form(admin_client, visit)
    _, second = open_change_form(admin_client, visit)
    assert admin_client.post(url, {**second, "notes": "allergic to dye"}).status_code == 302

    response = admin_client.post(url, {**first, "price": "99.00"})

    assert response.status_code == 200
    assert "Notes: — → allergic to dye" in errors_of(response)
    assert Appointment.objects.get().notes == "allergic to dye"


def test_a_save_without_concurrent_changes_goes_through_and_counts_a_version(admin_client, visit):
    url, form = open_change_form(admin_client, visit)

    response = admin_client.post(url, {**form, "notes": "called her", "_save": "Save"})

    assert response.status_code == 302
    saved = Appointment.objects.get()
    assert saved.notes == "called her" and saved.version == visit.version + 1
    # The page opened after that save carries the new version: saving it again works too.
    url, form = open_change_form(admin_client, saved)
    assert admin_client.post(url, {**form, "notes": "called twice", "_save": "Save"}).status_code == 302
    assert Appointment.objects.get().version == visit.version + 2


def test_the_add_form_carries_no_version(admin_client, visit):
    page = admin_client.get(reverse("admin:salon_appointment_add"))

    assert "opened_state" not in page.content.decode()


@pytest.fixture
def compiled_locales(tmp_path, settings) -> None:
    """The committed catalogues compiled afresh (the .mo files are build products)."""
    for language in ("ru", "de"):
        target = tmp_path / language / "LC_MESSAGES"
        target.mkdir(parents=True)
        with (LOCALES / language / "LC_MESSAGES" / "django.po").open("rb") as po:
            catalog = read_po(po)
        with (target / "django.mo").open("wb") as mo:
            write_mo(mo, catalog)
    settings.LOCALE_PATHS = [str(tmp_path)]  # resets the translation caches


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("ru", ["Кто-то изменил эту запись, пока вы её редактировали", "Подтверждена → Отменена"]),
        ("de", ["Jemand hat diesen Termin geändert, während Sie ihn bearbeitet haben", "→ Storniert"]),
    ],
)
def test_the_refusal_speaks_the_staff_members_language(
    admin_client, visit, compiled_locales, language, expected
):
    url, form = open_change_form(admin_client, visit, accept_language=language)
    services.cancel_visit(visit.client.telegram_id, visit.booking_ref.hex)

    response = admin_client.post(url, {**form, "notes": "x"}, headers={"accept-language": language})

    message = errors_of(response)
    for text in expected:
        assert text in message


@pytest.mark.postgres
def test_an_admin_save_locks_the_masters_first_then_the_appointment(admin_client, visit, salon):
    """One lock order everywhere (masters by id, then appointments): an admin save racing a
    client's reschedule cannot deadlock."""
    boris = f.master(name="Boris", categories=[salon], hours={2: ("09:00", "14:00")})
    url, form = open_change_form(admin_client, visit)

    with CaptureQueriesContext(connection) as queries:
        response = admin_client.post(url, {**form, "master": str(boris.pk), "_save": "Save"})

    assert response.status_code == 302
    locks = [q["sql"] for q in queries.captured_queries if "FOR UPDATE" in q["sql"]]
    tables = [sql.split(" FROM ")[1].split()[0].strip('"') for sql in locks]
    assert tables[:2] == ["salon_master", "salon_appointment"], locks
    master_lock = locks[0]
    assert str(visit.master_id) in master_lock and str(boris.pk) in master_lock
