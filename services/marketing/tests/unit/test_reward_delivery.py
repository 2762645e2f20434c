from datetime import timedelta

import pytest

from marketing.application.reward_delivery import RewardDelivery
from marketing.domain.coupon import LoyaltyRule, Money
from mothers import T0, InMemoryStore, a_delivery, a_rule


def reward(store: InMemoryStore, every: int = 3) -> RewardDelivery:
    return RewardDelivery(store, a_rule(every), lambda: T0, consumer="marketing-follow-stores")


def test_every_third_delivered_order_earns_one_coupon() -> None:
    store = InMemoryStore()
    use_case = reward(store)
    deliveries = [a_delivery("c-1") for _ in range(7)]
    issued = [use_case.execute(d) for d in deliveries]
    assert [i is not None for i in issued] == [False, False, True, False, False, True, False]
    third = issued[2]
    assert third is not None
    assert third.coupon.customer_id == "c-1"
    assert third.coupon.earned_by_order_id == deliveries[2].order_id
    assert third.coupon.delivered_orders == 3
    assert third.coupon.amount == Money("KRW", 3000)
    assert third.coupon.expires_at == T0 + timedelta(days=30)
    assert third.causation_id == deliveries[2].event_id
    assert len(store.issued) == 2


def test_customers_are_counted_apart() -> None:
    store = InMemoryStore()
    use_case = reward(store)
    for _ in range(2):
        use_case.execute(a_delivery("c-1"))
        use_case.execute(a_delivery("c-2"))
    assert store.issued == []
    assert use_case.execute(a_delivery("c-2")) is not None
    assert [i.coupon.customer_id for i in store.issued] == ["c-2"]


def test_a_redelivered_event_issues_nothing_twice() -> None:
    store = InMemoryStore()
    use_case = reward(store)
    deliveries = [a_delivery("c-1") for _ in range(3)]
    for d in deliveries:
        use_case.execute(d)
    assert use_case.execute(deliveries[2]) is None
    assert len(store.issued) == 1
    assert store.loyalty["c-1"] == 3


def test_a_second_event_for_an_order_already_counted_changes_nothing() -> None:
    store = InMemoryStore()
    use_case = reward(store)
    first = a_delivery("c-1")
    use_case.execute(first)
    again = a_delivery("c-1", order_id=first.order_id)
    assert use_case.execute(again) is None
    assert store.loyalty["c-1"] == 1


def test_the_rule_is_configurable() -> None:
    store = InMemoryStore()
    use_case = reward(store, every=1)
    assert use_case.execute(a_delivery("c-9")) is not None
    with pytest.raises(ValueError):
        LoyaltyRule(every_orders=0, amount=Money("KRW", 1), valid_for=timedelta(days=1))
    with pytest.raises(ValueError):
        LoyaltyRule(every_orders=3, amount=Money("KRW", 0), valid_for=timedelta(days=1))


def test_coupon_and_event_ids_depend_only_on_what_earned_them() -> None:
    rule = a_rule()
    one = rule.reward("c-1", "order-1", 3, T0, "ev-1")
    two = rule.reward("c-1", "order-1", 3, T0 + timedelta(hours=1), "ev-1")
    assert one is not None and two is not None
    assert (one.coupon.coupon_id, one.event_id) == (two.coupon.coupon_id, two.event_id)
    other = rule.reward("c-2", "order-2", 3, T0, "ev-2")
    assert other is not None and other.coupon.coupon_id != one.coupon.coupon_id
