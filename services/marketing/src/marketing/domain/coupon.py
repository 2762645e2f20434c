"""Coupons for loyal customers: one for every n-th delivered order."""

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

# Coupon and event ids are derived from what earned them, so handling the same delivery again can
# only produce the same coupon (and the store refuses a second copy of it).
_IDS = uuid.UUID("6f1d0a52-5b0e-4c55-9a57-0d7b4a6a1f0e")


@dataclass(frozen=True)
class Money:
    currency_code: str
    amount_minor: int


@dataclass(frozen=True)
class Coupon:
    coupon_id: str
    customer_id: str
    amount: Money
    earned_by_order_id: str
    # The customer's delivered orders when it was issued: a multiple of the rule's n.
    delivered_orders: int
    issued_at: datetime
    expires_at: datetime


@dataclass(frozen=True)
class CouponIssued:
    """Raised with a new coupon; published on fooddelivery.marketing.coupon_issued."""

    event_id: str
    coupon: Coupon
    # The delivery event that earned it.
    causation_id: str


@dataclass(frozen=True)
class LoyaltyRule:
    """Every `every_orders`-th delivered order of a customer earns a coupon of `amount`."""

    every_orders: int
    amount: Money
    valid_for: timedelta

    def __post_init__(self) -> None:
        if self.every_orders < 1:
            raise ValueError("every_orders must be at least 1")
        if self.amount.amount_minor < 1:
            raise ValueError("a coupon must be worth something")

    def reward(
        self, customer_id: str, order_id: str, delivered_orders: int, now: datetime, causation_id: str
    ) -> CouponIssued | None:
        """The coupon the customer's `delivered_orders`-th delivery (order `order_id`) earns, if any."""
        if delivered_orders < 1 or delivered_orders % self.every_orders != 0:
            return None
        coupon_id = str(uuid.uuid5(_IDS, f"coupon:{customer_id}:{delivered_orders}"))
        coupon = Coupon(
            coupon_id=coupon_id,
            customer_id=customer_id,
            amount=self.amount,
            earned_by_order_id=order_id,
            delivered_orders=delivered_orders,
            issued_at=now,
            expires_at=now + self.valid_for,
        )
        return CouponIssued(
            event_id=str(uuid.uuid5(_IDS, f"coupon-issued:{coupon_id}")), coupon=coupon, causation_id=causation_id
        )
