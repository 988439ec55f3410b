"""Lists the client sees come in the salon's order (``sort_order``, then name) on every
database: grouped queries drop the models' default ordering, so each list orders itself."""

from __future__ import annotations

import pytest
from asgiref.sync import sync_to_async

from djproject.salon import services
from djproject.salon.models import Category, Master, Service

pytestmark = pytest.mark.django_db(transaction=True)


def _reverse_the_salon_order() -> None:
    """Give the rows a sort order opposite to their creation (primary key) order, so that no
    accidental order (by pk, by insertion) can pass for the salon's."""
    for model in (Category, Master, Service):
        rows = list(model.objects.order_by("pk"))
        for number, row in enumerate(rows):
            row.sort_order = len(rows) - number
        model.objects.bulk_update(rows, ["sort_order"])


@pytest.mark.postgres
async def test_categories_and_masters_come_in_the_salon_order_on_postgresql(demo_salon, make_user):
    await sync_to_async(_reverse_the_salon_order)()
    expected_categories = [c.name for c in await sync_to_async(list)(Category.objects.order_by("sort_order"))]
    user = make_user()
    await user.send_text("/start")

    await user.press("📅 Book")

    assert user.buttons()[: len(expected_categories)] == expected_categories
    await user.press("Beauty")
    beauty = await sync_to_async(list)(
        Service.objects.filter(category__name="Beauty", is_active=True).order_by("sort_order", "name")
    )
    assert [label.split(" · ")[0] for label in user.buttons()[: len(beauty)]] == [s.name for s in beauty]
    await user.press(user.buttons()[0])
    await user.press("Continue ▶")
    masters = await sync_to_async(list)(
        Master.objects.filter(categories__name="Beauty", status=Master.STATUS_ACTIVE)
        .order_by("sort_order", "name")
        .values_list("name", flat=True)
    )
    assert len(masters) > 1
    assert user.buttons() == [*masters, "Any master", "ℹ️ About the masters", "◀ Back", "✖ Close"]


@pytest.mark.postgres
def test_the_services_list_masters_and_categories_in_sort_order(demo_salon):
    _reverse_the_salon_order()
    assert [c.name for c in services.list_categories()] == list(
        Category.objects.order_by("sort_order", "name").values_list("name", flat=True)
    )
    hair = Service.objects.filter(category__name="Hair").values_list("pk", flat=True)[:1]
    expected = list(
        Master.objects.filter(categories__name="Hair", status=Master.STATUS_ACTIVE)
        .order_by("sort_order", "name")
        .values_list("name", flat=True)
    )
    assert [m.name for m in services.list_masters(list(hair))] == expected
