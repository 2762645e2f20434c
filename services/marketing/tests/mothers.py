"""Test data (Object Mothers) and an in-memory store twin for the use cases."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import UTC, datetime, timedelta

from marketing.domain.coupon import Coupon, CouponIssued, LoyaltyRule, Money
from marketing.domain.orders import DeliveredOrder, Delivery, OrderedItem, PlacedOrder

T0 = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)
_ids = itertools.count(1)


def a_rule(every: int = 3, amount: int = 3000) -> LoyaltyRule:
    return LoyaltyRule(every_orders=every, amount=Money("KRW", amount), valid_for=timedelta(days=30))


def a_delivery(customer_id: str = "c-1", store_id: str = "store-seoul-chicken", **overrides: object) -> Delivery:
    n = next(_ids)
    delivery = Delivery(
        event_id=f"ev-{n}",
        order_id=f"order-{n}",
        customer_id=customer_id,
        store_id=store_id,
        delivered_at=T0 + timedelta(minutes=n),
    )
    return replace(delivery, **overrides)  # type: ignore[arg-type]


def a_placed_order(
    order_id: str, customer_id: str = "c-1", store_id: str = "store-seoul-chicken", **items: int
) -> PlacedOrder:
    lines = tuple(OrderedItem(item, item.replace("_", " ").title(), quantity) for item, quantity in items.items())
    return PlacedOrder(
        order_id, customer_id, store_id, lines or (OrderedItem("fried-chicken", "Fried chicken", 1),), T0
    )


class InMemoryStore:
    """The store's twin: the same contract as SqlMarketingStore, all in dictionaries. A transaction
    works on copies and replaces the originals only when it ends without an exception."""

    def __init__(self) -> None:
        self.processed: set[tuple[str, str]] = set()
        self.placed: dict[str, PlacedOrder] = {}
        self.delivered: dict[str, tuple[Delivery, int]] = {}
        self.loyalty: dict[str, int] = {}
        self.issued: list[CouponIssued] = []

    @contextmanager
    def transaction(self) -> Iterator[_Tx]:
        tx = _Tx(self)
        yield tx
        self.processed, self.placed, self.delivered = tx.processed, tx.placed, tx.delivered
        self.loyalty, self.issued = tx.loyalty, tx.issued

    def coupons(self, customer_id: str, limit: int, before_delivered_orders: int | None) -> list[Coupon]:
        found = [i.coupon for i in self.issued if i.coupon.customer_id == customer_id]
        if before_delivered_orders is not None:
            found = [c for c in found if c.delivered_orders < before_delivered_orders]
        return sorted(found, key=lambda c: -c.delivered_orders)[:limit]

    def delivered_orders(self, customer_id: str, limit: int) -> list[DeliveredOrder]:
        mine = sorted((d for d in self.delivered.values() if d[0].customer_id == customer_id), key=lambda d: -d[1])
        return [
            DeliveredOrder(
                d.order_id,
                d.store_id,
                d.delivered_at,
                self.placed[d.order_id].items if d.order_id in self.placed else (),
            )
            for d, _ in mine[:limit]
        ]


class _Tx:
    def __init__(self, store: InMemoryStore) -> None:
        self.processed = set(store.processed)
        self.placed = dict(store.placed)
        self.delivered = dict(store.delivered)
        self.loyalty = dict(store.loyalty)
        self.issued = list(store.issued)

    def first_time(self, consumer: str, event_id: str) -> bool:
        if (consumer, event_id) in self.processed:
            return False
        self.processed.add((consumer, event_id))
        return True

    def remember_placed_order(self, order: PlacedOrder) -> None:
        self.placed.setdefault(order.order_id, order)

    def record_delivery(self, delivery: Delivery) -> int | None:
        if delivery.order_id in self.delivered:
            return None
        count = self.loyalty[delivery.customer_id] = self.loyalty.get(delivery.customer_id, 0) + 1
        self.delivered[delivery.order_id] = (delivery, count)
        return count

    def issue_coupon(self, issued: CouponIssued) -> None:
        if any(i.coupon.coupon_id == issued.coupon.coupon_id for i in self.issued):
            raise ValueError("duplicate coupon")
        self.issued.append(issued)
