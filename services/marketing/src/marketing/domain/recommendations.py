"""Recommendations from a customer's own delivered orders: the stores and dishes they come back to."""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TypeVar

from marketing.domain.orders import DeliveredOrder


@dataclass(frozen=True)
class StoreRecommendation:
    store_id: str
    delivered_orders: int
    last_delivered_at: datetime


@dataclass(frozen=True)
class MenuItemRecommendation:
    store_id: str
    menu_item_id: str
    name: str
    quantity_ordered: int
    orders: int


@dataclass(frozen=True)
class Recommendations:
    stores: list[StoreRecommendation] = field(default_factory=list)
    menu_items: list[MenuItemRecommendation] = field(default_factory=list)
    delivered_orders: int = 0


K = TypeVar("K")


@dataclass
class _Tally:
    name: str
    last: datetime
    orders: int = 0
    quantity: int = 0


def recommend(delivered: Iterable[DeliveredOrder], max_results: int) -> Recommendations:
    """Stores by delivered orders, then the latest; menu items by orders, then units, then the latest."""
    stores: dict[str, _Tally] = {}
    items: dict[tuple[str, str], _Tally] = {}
    count = 0
    for order in delivered:
        count += 1
        _count(stores, order.store_id, order.store_id, order.delivered_at, orders=1, quantity=0)
        units: dict[str, int] = {}
        names: dict[str, str] = {}
        for item in order.items:
            units[item.menu_item_id] = units.get(item.menu_item_id, 0) + item.quantity
            names[item.menu_item_id] = item.name
        for menu_item_id, quantity in units.items():
            key = (order.store_id, menu_item_id)
            _count(items, key, names[menu_item_id], order.delivered_at, orders=1, quantity=quantity)

    def latest_first(tally: _Tally) -> float:
        return -tally.last.timestamp()

    ranked_stores = sorted(stores.items(), key=lambda kv: (-kv[1].orders, latest_first(kv[1]), kv[0]))
    ranked_items = sorted(items.items(), key=lambda kv: (-kv[1].orders, -kv[1].quantity, latest_first(kv[1]), kv[0]))
    return Recommendations(
        stores=[StoreRecommendation(store_id, t.orders, t.last) for store_id, t in ranked_stores[:max_results]],
        menu_items=[
            MenuItemRecommendation(store_id, menu_item_id, t.name, t.quantity, t.orders)
            for (store_id, menu_item_id), t in ranked_items[:max_results]
        ],
        delivered_orders=count,
    )


def _count(tallies: dict[K, _Tally], key: K, name: str, at: datetime, orders: int, quantity: int) -> None:
    tally = tallies.get(key)
    if tally is None:
        tally = tallies[key] = _Tally(name=name, last=at)
    tally.orders += orders
    tally.quantity += quantity
    if at >= tally.last:
        # The latest order names the item (menus get renamed).
        tally.last = at
        tally.name = name
