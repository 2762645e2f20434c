from marketing.application.ports import Clock, MarketingStore
from marketing.domain.coupon import CouponIssued, LoyaltyRule
from marketing.domain.orders import Delivery


class RewardDelivery:
    """Policy on DeliveryCompleted: count the customer's delivered orders; every n-th earns a coupon."""

    def __init__(self, store: MarketingStore, rule: LoyaltyRule, clock: Clock, consumer: str) -> None:
        self._store = store
        self._rule = rule
        self._clock = clock
        self._consumer = consumer

    def execute(self, delivery: Delivery) -> CouponIssued | None:
        """The coupon issued for this delivery, if it earned one. A redelivered event, or a second event
        for an order already counted, changes nothing."""
        with self._store.transaction() as tx:
            if not tx.first_time(self._consumer, delivery.event_id):
                return None
            delivered = tx.record_delivery(delivery)
            if delivered is None:
                return None
            issued = self._rule.reward(
                delivery.customer_id, delivery.order_id, delivered, self._clock(), causation_id=delivery.event_id
            )
            if issued is not None:
                tx.issue_coupon(issued)
            return issued
