from dataclasses import dataclass

from marketing.application.access import bounded, customer_for
from marketing.application.ports import Actor, MarketingStore
from marketing.domain.coupon import Coupon
from marketing.domain.errors import invalid_field


@dataclass(frozen=True)
class CouponPage:
    coupons: list[Coupon]
    next_page_token: str


class ListCoupons:
    """A customer's coupons, newest first, a page at a time."""

    def __init__(self, store: MarketingStore) -> None:
        self._store = store

    def execute(self, actor: Actor, customer_id: str, page_size: int, page_token: str) -> CouponPage:
        customer = customer_for(actor, customer_id)
        size = bounded("page_size", page_size, default=20, maximum=100)
        before = _before(page_token)
        coupons = self._store.coupons(customer, size + 1, before)
        more = len(coupons) > size
        coupons = coupons[:size]
        # Coupons of a customer are numbered by the delivered orders that earned them, so the
        # last one shown is a stable cursor: new coupons never shift a later page.
        return CouponPage(coupons, f"before-{coupons[-1].delivered_orders}" if more else "")


def _before(page_token: str) -> int | None:
    if page_token == "":
        return None
    prefix, _, number = page_token.partition("-")
    if prefix != "before" or not number.isdigit() or int(number) < 1:
        raise invalid_field("page_token", "is not a next_page_token this service gave")
    return int(number)
