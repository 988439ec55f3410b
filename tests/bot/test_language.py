"""The client's language: Telegram's until they pick one, then theirs, everywhere."""

from __future__ import annotations

import pytest

from bot.commands import set_commands
from bot.i18n import build_i18n
from tests.bot.flows import client_of

pytestmark = pytest.mark.django_db(transaction=True)


async def test_the_language_follows_telegram_when_the_client_has_not_picked_one(demo_salon, make_user):
    german, russian, other = make_user("de-AT"), make_user("ru"), make_user("fr")
    for user in (german, russian, other):
        await user.send_text("/start")
    assert "Willkommen bei Salon Aurora!" in german.text
    assert "Добро пожаловать в Salon Aurora!" in russian.text
    assert "Welcome to Salon Aurora!" in other.text
    assert german.buttons()[0] == "📅 Termin buchen"


async def test_a_picked_language_is_stored_and_wins_over_telegrams(demo_salon, make_user):
    user = make_user("en")
    await user.send_text("/start")
    await user.press("🌐 Language")
    assert user.buttons()[:3] == ["English", "Русский", "Deutsch"]

    await user.press("Русский")

    assert "Язык сохранён." in user.text and "Добро пожаловать" in user.text
    assert (await client_of(user)).language == "ru"
    await user.press("📅 Записаться")
    await user.press("Волосы")
    await user.press(next(b for b in user.buttons() if b.startswith("Женская стрижка · 1 ч · ")))
    await user.press("Далее ▶")
    assert user.text.startswith("Выберите мастера:")
    await user.press("Любой мастер")
    keyboard = user.keyboard_message().inline_keyboard
    assert [b["text"] for b in keyboard[1]] == ["пн", "вт", "ср", "чт", "пт", "сб", "вс"]
    await user.press("⚡ Ближайшая свободная дата")
    assert user.text.startswith("Свободное время — ")


async def test_prices_and_durations_are_formatted_in_the_clients_language(demo_salon, make_user):
    user = make_user("de")
    await user.send_text("/start")
    await user.press("📅 Termin buchen")
    await user.press("Haare")
    assert "Färben · 2 Std. · 90,00\xa0€" in user.buttons()


async def test_the_commands_menu_is_set_in_every_language(telegram, bot):
    await set_commands(bot, build_i18n())
    assert set(telegram.commands) == {"", "ru", "de"}
    assert [c["command"] for c in telegram.commands[""]] == ["start", "cancel", "help"]
    assert telegram.commands["de"][0]["description"] == "Hauptmenü"
    assert telegram.commands["ru"][2]["description"] == "Как пользоваться ботом"
