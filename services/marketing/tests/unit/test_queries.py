from datetime import timedelta

import pytest

from marketing.application.get_recommendations import GetRecommendations
from marketing.application.list_coupons import ListCoupons
from marketing.application.ports import Actor
from marketing.application.remember_placed_order import RememberPlacedOrder
from marketing.application.reward_delivery import RewardDelivery
from marketing.domain.errors import MarketingError
from mothers import T0, InMemoryStore, a_delivery, a_placed_order, a_rule

CUSTOMER = Actor("c-1", "customer")
ADMIN = Actor("ops", "admin")


def deliver(store: InMemoryStore, customer: str, store_id: str, n: int = 1, **items: int) -> None:
    remember = RememberPlacedOrder(store, "marketing-follow-orders")
    reward = RewardDelivery(store, a_rule(), lambda: T0, "marketing-follow-stores")
    for _ in range(n):
        delivery = a_delivery(customer, store_id)
        remember.execute(f"placed-{delivery.order_id}", a_placed_order(delivery.order_id, customer, store_id, **items))
        reward.execute(delivery)


def test_a_customer_lists_their_own_coupons_newest_first_a_page_at_a_time() -> None:
    store = InMemoryStore()
    deliver(store, "c-1", "store-a", 9)
    deliver(store, "c-2", "store-a", 3)
    list_coupons = ListCoupons(store)
    first = list_coupons.execute(CUSTOMER, "", 2, "")
    assert [c.delivered_orders for c in first.coupons] == [9, 6]
    assert first.next_page_token != ""
    second = list_coupons.execute(CUSTOMER, "c-1", 2, first.next_page_token)
    assert [c.delivered_orders for c in second.coupons] == [3]
    assert second.next_page_token == ""
    assert [c.customer_id for c in list_coupons.execute(ADMIN, "c-2", 0, "").coupons] == ["c-2"]


@pytest.mark.parametrize(
    ("actor", "customer_id", "code", "field"),
    [
        (Actor("c-1", "customer"), "c-2", "MARKETING.PERMISSION_DENIED", None),
        (Actor("store-a", "store_owner", "store-a"), "c-1", "MARKETING.PERMISSION_DENIED", None),
        (Actor("order", "service"), "c-1", "MARKETING.PERMISSION_DENIED", None),
        (ADMIN, "", "MARKETING.INVALID_ARGUMENT", "customer_id"),
        (ADMIN, "c 1", "MARKETING.INVALID_ARGUMENT", "customer_id"),
    ],
)
def test_who_may_read_whose_coupons(actor: Actor, customer_id: str, code: str, field: str | None) -> None:
    with pytest.raises(MarketingError) as failure:
        ListCoupons(InMemoryStore()).execute(actor, customer_id, 0, "")
    assert failure.value.code == code
    assert failure.value.field == field


@pytest.mark.parametrize(
    ("size", "token", "field"),
    [(-1, "", "page_size"), (101, "", "page_size"), (0, "nonsense", "page_token"), (0, "before-0", "page_token")],
)
def test_bad_paging_names_the_field(size: int, token: str, field: str) -> None:
    with pytest.raises(MarketingError) as failure:
        ListCoupons(InMemoryStore()).execute(CUSTOMER, "", size, token)
    assert failure.value.kind == "invalid_argument"
    assert failure.value.field == field
    assert failure.value.message.startswith(f"{field}: ")


def test_recommendations_come_from_the_customers_delivered_orders() -> None:
    store = InMemoryStore()
    deliver(store, "c-1", "store-busan-noodles", 3, mandu=2)
    deliver(store, "c-1", "store-seoul-chicken", 1, fried_chicken=1, cola=2)
    deliver(store, "c-2", "store-other", 5, pizza=1)
    found = GetRecommendations(store).execute(CUSTOMER, "", 0)
    assert found.delivered_orders == 4
    assert [(s.store_id, s.delivered_orders) for s in found.stores] == [
        ("store-busan-noodles", 3),
        ("store-seoul-chicken", 1),
    ]
    assert [(i.menu_item_id, i.orders, i.quantity_ordered) for i in found.menu_items] == [
        ("mandu", 3, 6),
        ("cola", 1, 2),
        ("fried_chicken", 1, 1),
    ]
    top = GetRecommendations(store).execute(CUSTOMER, "", 1)
    assert len(top.stores) == 1 and len(top.menu_items) == 1


def test_a_delivery_whose_order_was_not_seen_yet_counts_without_items() -> None:
    store = InMemoryStore()
    RewardDelivery(store, a_rule(), lambda: T0, "s").execute(a_delivery("c-1", "store-a"))
    found = GetRecommendations(store).execute(CUSTOMER, "", 5)
    assert [s.store_id for s in found.stores] == ["store-a"] and found.menu_items == []


def test_max_results_is_bounded() -> None:
    with pytest.raises(MarketingError) as failure:
        GetRecommendations(InMemoryStore()).execute(CUSTOMER, "", 51)
    assert failure.value.field == "max_results"


def test_the_latest_order_names_a_menu_item_and_breaks_ties() -> None:
    from marketing.domain.orders import DeliveredOrder, OrderedItem
    from marketing.domain.recommendations import recommend

    orders = [
        DeliveredOrder("o1", "s", T0, (OrderedItem("a", "Old name", 1), OrderedItem("b", "B", 1))),
        DeliveredOrder(
            "o2", "s", T0 + timedelta(hours=1), (OrderedItem("a", "New name", 1), OrderedItem("a", "New name", 2))
        ),
    ]
    found = recommend(orders, 5)
    assert [(i.menu_item_id, i.name, i.orders, i.quantity_ordered) for i in found.menu_items] == [
        ("a", "New name", 2, 4),
        ("b", "B", 1, 1),
    ]
