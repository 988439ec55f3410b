"""Odd and hostile input in the conversation: phone numbers of every shape, and an offer that
is withdrawn between the summary and Confirm (issue 11 §2)."""

from __future__ import annotations

import pytest
from asgiref.sync import sync_to_async

from djproject.salon.models import Master, Service
from tests.bot.flows import client_of, give_phone, times, to_times, visits_of

pytestmark = pytest.mark.django_db(transaction=True)


async def _at_the_phone_step(user) -> None:
    await to_times(user, ("Hair", "Blow-dry"))
    await user.press(times(user)[0])
    await user.press("✅ Confirm")
    assert "share your phone number" in user.text


async def test_a_contact_card_without_user_id_is_normalised_like_any_other(demo_salon, make_user):
    user = make_user()
    await _at_the_phone_step(user)
    junk = {"phone_number": "not-a-phone <b>x</b>", "first_name": "Anna"}  # no user_id

    await user.feed({"message": user._message(contact=junk)})

    assert "does not look like a phone number" in user.text
    assert not (await client_of(user)).phone
    good = {"phone_number": "0151 2345678", "first_name": "Anna"}
    await user.feed({"message": user._message(contact=good)})
    assert "✅ You are booked!" in user.text
    assert (await client_of(user)).phone == "+491512345678"


async def test_a_shared_contact_is_stored_in_e164(demo_salon, make_user):
    user = make_user()
    await _at_the_phone_step(user)
    await user.share_contact("491512345678")  # Telegram sends the own number without the "+"
    assert "✅ You are booked!" in user.text
    assert (await client_of(user)).phone == "+491512345678"


async def test_typed_non_ascii_digits_are_stored_as_ascii_e164(demo_salon, make_user):
    user = make_user()
    await _at_the_phone_step(user)
    await user.send_text("+49 １５１ ２３４５６７８")  # full-width digits
    assert "✅ You are booked!" in user.text
    assert (await client_of(user)).phone == "+491512345678"


async def test_typed_superscript_digits_are_refused(demo_salon, make_user):
    user = make_user()
    await _at_the_phone_step(user)
    await user.send_text("+49 151 ²³⁴5678")
    assert "does not look like a phone number" in user.text
    assert not (await client_of(user)).phone


def _deactivate_service(name: str) -> None:
    Service.objects.filter(name=name).update(is_active=False)


def _deactivate_master(name: str) -> None:
    Master.objects.filter(name=name).update(status=Master.STATUS_INACTIVE)


async def test_a_service_withdrawn_before_confirm_is_named_and_leads_back_to_the_services(
    demo_salon, make_user
):
    user = make_user()
    await give_phone(user)
    await to_times(user, ("Hair", "Blow-dry"))
    await user.press(times(user)[0])
    assert "Please check your booking:" in user.text
    await sync_to_async(_deactivate_service)("Blow-dry")

    await user.press("✅ Confirm")

    assert "no longer available" in user.text
    assert "taken" not in user.text
    assert "Hair" in user.buttons()  # the category choice, to start the choice again
    assert not await visits_of(user)


async def test_a_master_withdrawn_before_confirm_is_named_and_leads_back_to_the_services(
    demo_salon, make_user
):
    user = make_user()
    await give_phone(user)
    await to_times(user, ("Hair", "Blow-dry"), master="Anna")
    await user.press(times(user)[0])
    await sync_to_async(_deactivate_master)("Anna")

    await user.press("✅ Confirm")

    assert "no longer available" in user.text
    assert "Hair" in user.buttons()
    assert not await visits_of(user)
