"""The catalogue in the client's language, what a service is and who the masters are: through
the real dispatcher, Telegram simulated at the Bot API boundary."""

from __future__ import annotations

import io

import pytest
from asgiref.sync import sync_to_async
from django.core.files.base import ContentFile
from PIL import Image

from djproject.salon.models import Category, Master, Service
from tests.bot.flows import service_button, times

pytestmark = pytest.mark.django_db(transaction=True)


async def _to_summary(user, book: str, category: str, service: str, next_: str, master: str, nearest: str):
    await user.send_text("/start")
    await user.press(book)
    await user.press(category)
    await user.press(service_button(user, service))
    await user.press(next_)
    await user.press(master)
    await user.press(nearest)
    await user.press(times(user)[0])


async def test_the_german_conversation_shows_categories_services_and_masters_in_german(
    frozen_clock, demo_salon, make_user
):
    user = make_user("de")
    await user.send_text("/start")
    await user.press("📅 Termin buchen")
    assert user.buttons()[:3] == ["Haare", "Nägel", "Kosmetik"]

    await user.press("Haare")
    assert "Damenhaarschnitt · 1 Std. · 45,00\xa0€" in user.buttons()
    assert not any(label.startswith("Women's haircut") for label in user.buttons())


async def test_the_russian_summary_names_the_service_and_master_in_russian(
    frozen_clock, demo_salon, make_user
):
    user = make_user("ru")
    await _to_summary(
        user, "📅 Записаться", "Волосы", "Женская стрижка", "Далее ▶", "Анна", "⚡ Ближайшая свободная дата"
    )

    assert "Женская стрижка" in user.text
    assert "Анна" in user.text
    assert "Women's haircut" not in user.text


async def test_an_empty_translation_falls_back_to_english(demo_salon, make_user):
    await sync_to_async(Category.objects.filter(name_en="Nails").update)(name_de=None)
    await sync_to_async(Service.objects.filter(name_en="Manicure").update)(name_de=None)
    user = make_user("de")
    await user.send_text("/start")
    await user.press("📅 Termin buchen")
    assert user.buttons()[:3] == ["Haare", "Nails", "Kosmetik"]

    await user.press("Nails")

    assert any(label.startswith("Manicure · 45 Min.") for label in user.buttons())
    assert any(label.startswith("Pediküre · ") for label in user.buttons())


async def test_a_services_description_is_shown_where_the_client_chooses_it(demo_salon, make_user):
    user = make_user("de")
    await user.send_text("/start")
    await user.press("📅 Termin buchen")

    await user.press("Haare")

    assert "ℹ️ Damenhaarschnitt: Waschen, Schneiden und Styling." in user.text
    assert "Herrenhaarschnitt:" not in user.text  # no description, no line


def _png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "pink").save(buffer, "PNG")
    return buffer.getvalue()


def _give_anna_a_photo() -> None:
    anna = Master.objects.get(name_en="Anna")
    anna.photo.save("anna.png", ContentFile(_png()))


async def _about_the_masters(user) -> None:
    await user.send_text("/start")
    await user.press("📅 Записаться" if user.language_code == "ru" else "📅 Book")
    await user.press("Волосы" if user.language_code == "ru" else "Hair")
    await user.press(
        service_button(user, "Женская стрижка" if user.language_code == "ru" else "Women's haircut")
    )
    await user.press("Далее ▶" if user.language_code == "ru" else "Continue ▶")
    await user.press("ℹ️ О мастерах" if user.language_code == "ru" else "ℹ️ About the masters")


async def test_a_masters_photo_is_uploaded_once_and_then_sent_by_its_file_id(
    demo_salon, make_user, telegram, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    await sync_to_async(_give_anna_a_photo)()
    first, second = make_user("en"), make_user("ru")

    await _about_the_masters(first)

    upload = telegram.calls_of("sendPhoto")
    assert len(upload) == 1 and any(key.startswith("file:") for key in upload[0].params)
    assert upload[0].params["caption"].startswith("Anna\nCuts and colours for 12 years")
    file_id = (await sync_to_async(Master.objects.get)(name_en="Anna")).photo_file_id
    assert file_id
    assert first.text.startswith("Choose a master:")  # the step again, below the cards
    assert "Boris\nBarber and brow specialist." in first.bot_messages()[-2].text

    await _about_the_masters(second)

    again = telegram.calls_of("sendPhoto")[1]
    assert again.params["photo"] == file_id
    assert not any(key.startswith("file:") for key in again.params)  # no upload the second time
    assert again.params["caption"].startswith("Анна\nСтрижёт и окрашивает 12 лет")
    assert telegram.errors == []


async def test_a_new_photo_is_uploaded_again(demo_salon, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    await sync_to_async(_give_anna_a_photo)()
    await sync_to_async(Master.objects.filter(name_en="Anna").update)(photo_file_id="photo1")

    await sync_to_async(_give_anna_a_photo)()  # staff replace it

    assert (await sync_to_async(Master.objects.get)(name_en="Anna")).photo_file_id == ""
