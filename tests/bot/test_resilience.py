"""When things go wrong: stale and forged buttons, lost state, text instead of a button,
Telegram's own errors. Every callback query is answered; the client always gets a screen."""

from __future__ import annotations

import logging
import time

import pytest

from bot.local_session import NOT_MODIFIED, QUERY_TOO_OLD, SimulatedUser
from tests.bot.flows import choose_services, conversation_dispatcher

pytestmark = pytest.mark.django_db(transaction=True)


async def test_a_button_of_an_old_message_is_answered_and_loses_its_keyboard(demo_salon, make_user):
    user = make_user()
    await user.send_text("/start")
    old_message = user.last_message()
    _kind, book = user.find_button("📅 Book")
    await user.send_text("/start")  # a new menu; the old one's dialog is gone
    current = user.last_message()
    old_message.inline_keyboard = [[book]]  # as a client's Telegram may still show it

    callback_id = await user.send_callback(book["callback_data"], old_message)

    assert user.telegram.callback_answered(callback_id)
    answer = user.telegram.calls_of("answerCallbackQuery")[-1].params
    assert "older message" in answer["text"]
    assert old_message.inline_keyboard is None  # no second live menu
    assert user.last_message() is current and "📅 Book" in user.buttons()


async def test_state_lost_after_a_restart_restarts_the_menu_cleanly(demo_salon, make_user, bot, telegram):
    user = make_user()
    await user.send_text("/start")
    await choose_services(user, ("Hair", "Blow-dry"))
    assert user.text.startswith("Choose a master:")
    # The process restarts with memory storage: every dialog is forgotten.
    restarted = SimulatedUser(conversation_dispatcher(), bot, telegram, user.user_id)

    callback_id = await restarted.press("Anna")

    assert telegram.callback_answered(callback_id)
    assert "Welcome to Salon Aurora!" in restarted.text
    assert restarted.buttons()[0] == "📅 Book"


async def test_an_unknown_dialog_intent_is_answered_and_shows_the_current_screen(demo_salon, make_user):
    user = make_user()
    await user.send_text("/start")
    callback_id = await user.send_callback("NoSuchIntent\x1dbook")
    assert user.telegram.callback_answered(callback_id)
    assert "older message" in user.text and "📅 Book" in user.buttons()


@pytest.mark.parametrize(
    "forged",
    [
        "garbage",
        "{intent}\x1dnope",
        "{intent}\x1dsvc:abc",
        "{intent}\x1dsvc:999999",
        "{intent}\x1dcal:9" * 3,
        "{intent}\x1dcal:99999999999999999999",
        "{intent}\x1dcal:M",
        "{intent}\x1dslot:2561",
    ],
)
async def test_forged_or_malformed_callback_data_is_answered_logged_and_ignored(
    demo_salon, make_user, caplog, forged
):
    user = make_user()
    await user.send_text("/start")
    await user.press("📅 Book")
    await user.press("Hair")
    screen_before = user.text
    intent = user.find_button("◀ Back")[1]["callback_data"].split("\x1d")[0]

    with caplog.at_level(logging.WARNING):
        callback_id = await user.send_callback(forged.format(intent=intent))

    assert user.telegram.callback_answered(callback_id)
    assert user.text == screen_before
    assert "ignored" in caplog.text


async def test_text_where_a_button_is_expected_gets_a_hint_and_the_screen_again(demo_salon, make_user):
    user = make_user()
    await user.send_text("/start")
    await user.press("📅 Book")
    await user.press("Hair")

    await user.send_text("a haircut please")

    assert user.text.startswith("⚠️ Please use the buttons below.")
    assert "Choose a service:" in user.text
    assert user.keyboard_message() is user.last_message()  # the buttons are below the client's text


async def test_text_with_no_dialog_open_shows_the_menu(demo_salon, make_user):
    user = make_user()
    await user.send_text("hello")
    assert "Welcome to Salon Aurora!" in user.text


async def test_message_is_not_modified_is_harmless(demo_salon, make_user):
    user = make_user()
    await user.send_text("/start")
    await user.press("📍 Contacts")
    user.telegram.fail("editMessageText", NOT_MODIFIED)
    callback_id = await user.press("◀ Back")
    assert user.telegram.callback_answered(callback_id)
    await user.send_text("/start")
    # Pressing the month title re-renders an identical screen: Telegram says "not modified".
    await choose_services(user, ("Hair", "Blow-dry"))
    await user.press("Anna")
    title = user.keyboard_message().inline_keyboard[0][1]["text"]
    callback_id = await user.press(title)
    assert user.telegram.callback_answered(callback_id)
    assert user.text.startswith("Choose a day.")


async def test_flood_control_is_waited_out_and_the_request_repeated(demo_salon, make_user):
    user = make_user()
    await user.send_text("/start")
    user.telegram.fail("editMessageText", "Too Many Requests: retry after 1", status=429, retry_after=1)
    started = time.monotonic()
    await user.press("📍 Contacts")
    assert time.monotonic() - started >= 1
    assert "Marktplatz 1" in user.text
    assert len(user.telegram.calls_of("editMessageText")) == 2


async def test_a_callback_too_old_to_answer_does_not_break_the_screen(demo_salon, make_user):
    user = make_user()
    await user.send_text("/start")
    user.telegram.fail("answerCallbackQuery", QUERY_TOO_OLD)
    await user.press("📍 Contacts")
    assert "Marktplatz 1" in user.text


async def test_an_unexpected_failure_apologises_and_shows_the_menu(demo_salon, make_user, dp, caplog):
    user = make_user()
    await user.send_text("/start")
    facade = dp.workflow_data["facade"]

    async def broken(*_args, **_kwargs):
        raise RuntimeError("database on fire")

    facade.list_categories = broken
    with caplog.at_level(logging.ERROR):
        callback_id = await user.press("📅 Book")

    assert user.telegram.callback_answered(callback_id)
    assert "Nothing was lost" in user.bot_messages()[-2].text
    assert "Welcome to Salon Aurora!" in user.text
    assert "database on fire" in caplog.text


async def test_start_and_cancel_reset_from_anywhere(demo_salon, make_user):
    user = make_user()
    await user.send_text("/start")
    await choose_services(user, ("Hair", "Blow-dry"))
    await user.send_text("/cancel")
    assert "Welcome to Salon Aurora!" in user.text
    await user.press("📅 Book")
    await user.send_text("/start")
    assert "Welcome to Salon Aurora!" in user.text
    await user.press("📅 Book")  # the new menu works
    assert user.text.startswith("What would you like to book?")


async def test_every_screen_has_back_and_cancel(demo_salon, make_user):
    user = make_user()
    await user.send_text("/start")
    await user.press("📅 Book")
    for step in ("Hair", "Blow-dry", "Continue ▶", "Anna", "⚡ Nearest free date"):
        assert user.buttons()[-2:] == ["◀ Back", "✖ Close"], user.text
        label = next(b for b in user.buttons() if b.startswith(step))
        await user.press(label)
    assert user.buttons()[-2:] == ["◀ Back", "✖ Close"]
    await user.press("✖ Close")
    assert "Welcome to Salon Aurora!" in user.text


async def test_help_explains_and_shows_the_screen_again(demo_salon, make_user):
    user = make_user()
    await user.send_text("/start")
    await user.press("📅 Book")
    await user.send_text("/help")
    assert "Press 📅 Book" in user.bot_messages()[-2].text
    assert user.text.startswith("What would you like to book?")


def test_dialog_intent_ids_do_not_collide_within_a_second():
    from aiogram_dialog.api.entities.stack import new_id

    from bot import intent_ids

    intent_ids.install()
    ids = {new_id() for _ in range(5000)}
    assert len(ids) == 5000
    assert max(len(i) for i in ids) <= 7
