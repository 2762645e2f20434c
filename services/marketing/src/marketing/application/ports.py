"""What the use cases need from the outside, in domain terms. Adapters implement these."""

from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from marketing.domain.coupon import Coupon, CouponIssued
from marketing.domain.orders import DeliveredOrder, Delivery, PlacedOrder


class Transaction(Protocol):
    """One atomic change: everything done through it is committed together, or nothing is."""

    def first_time(self, consumer: str, event_id: str) -> bool:
        """True the first time `consumer` handles `event_id`; records it in this transaction."""
        ...

    def remember_placed_order(self, order: PlacedOrder) -> None:
        """Keeps the order's items (once per order id)."""
        ...

    def record_delivery(self, delivery: Delivery) -> int | None:
        """Records the delivered order and returns the customer's delivered orders so far, this one
        included; None when this order was recorded before."""
        ...

    def issue_coupon(self, issued: CouponIssued) -> None:
        """Stores the coupon and its event (the outbox), for the relay to publish."""
        ...


class MarketingStore(Protocol):
    def transaction(self) -> AbstractContextManager[Transaction]: ...

    def coupons(self, customer_id: str, limit: int, before_delivered_orders: int | None) -> list[Coupon]:
        """The customer's coupons, newest first, only those earned before the given delivered count."""
        ...

    def delivered_orders(self, customer_id: str, limit: int) -> list[DeliveredOrder]:
        """The customer's latest delivered orders with their items, newest first."""
        ...


Clock = Callable[[], datetime]


@dataclass(frozen=True)
class Actor:
    """Who asks: a customer (subject = customer id), a store owner, an admin or a service."""

    subject: str
    role: str
    store_id: str | None = None
