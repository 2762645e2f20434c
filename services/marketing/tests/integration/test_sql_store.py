"""The SQL store's contract, on SQLite and on PostgreSQL: the same suite for both."""

from __future__ import annotations

import itertools
import threading
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from marketing.adapters.persistence.sql_store import OutgoingEvent, SqlMarketingStore, engine_for
from marketing.adapters.publisher.coupon_events import encode_coupon_issued
from marketing.application.reward_delivery import RewardDelivery
from mothers import T0, a_delivery, a_placed_order, a_rule

_databases = itertools.count(1)


@pytest.fixture(params=["sqlite", "postgres"])
def database_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> str:
    if request.param == "sqlite":
        return f"sqlite:{tmp_path_factory.mktemp('sqlite') / 'marketing.sqlite'}"
    server = request.getfixturevalue("postgres_url")
    name = f"marketing_{next(_databases)}_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(server.replace("postgres://", "postgresql+psycopg://"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.exec_driver_sql(f"CREATE DATABASE {name}")
    admin.dispose()
    return server.rsplit("/", 1)[0] + f"/{name}"


@pytest.fixture
def committed() -> list[OutgoingEvent]:
    return []


@pytest.fixture
def store(database_url: str, committed: list[OutgoingEvent]) -> Iterator[SqlMarketingStore]:
    store = SqlMarketingStore(engine_for(database_url), encode_coupon_issued, committed.extend)
    store.create_schema()
    store.create_schema()  # a second start finds the schema in place
    yield store
    store.close()


def reward(store: SqlMarketingStore) -> RewardDelivery:
    return RewardDelivery(store, a_rule(), lambda: T0, "marketing-follow-stores")


def test_an_event_is_handled_once_per_consumer(store: SqlMarketingStore) -> None:
    with store.transaction() as tx:
        assert tx.first_time("a", "ev-1")
        assert not tx.first_time("a", "ev-1")
        assert tx.first_time("b", "ev-1")
    with store.transaction() as tx:
        assert not tx.first_time("a", "ev-1")


def test_a_failed_transaction_leaves_nothing_behind(store: SqlMarketingStore, committed: list[OutgoingEvent]) -> None:
    deliveries = [a_delivery("c-1") for _ in range(3)]
    use_case = reward(store)
    use_case.execute(deliveries[0])
    use_case.execute(deliveries[1])
    with pytest.raises(RuntimeError), store.transaction() as tx:
        tx.first_time("marketing-follow-stores", deliveries[2].event_id)
        assert tx.record_delivery(deliveries[2]) == 3
        raise RuntimeError("the process stops here")
    assert store.coupons("c-1", 10, None) == [] and committed == []
    issued = use_case.execute(deliveries[2])
    assert issued is not None and issued.coupon.delivered_orders == 3
    assert [c.coupon_id for c in store.coupons("c-1", 10, None)] == [issued.coupon.coupon_id]
    assert [e.event_id for e in committed] == [issued.event_id]


def test_coupons_their_events_and_the_outbox(store: SqlMarketingStore, committed: list[OutgoingEvent]) -> None:
    use_case = reward(store)
    for _ in range(9):
        use_case.execute(a_delivery("c-1"))
    coupons = store.coupons("c-1", 10, None)
    assert [c.delivered_orders for c in coupons] == [9, 6, 3]
    assert coupons[0].issued_at == T0 and coupons[0].expires_at == T0 + timedelta(days=30)
    assert [c.delivered_orders for c in store.coupons("c-1", 10, 6)] == [3]
    later = datetime.now(UTC) + timedelta(seconds=1)
    pending = store.pending_events(10, later)
    assert sorted(e.event_id for e in pending) == sorted(e.event_id for e in committed)
    assert all(e.subject == "fooddelivery.marketing.coupon_issued" for e in pending)
    store.mark_published([pending[0].event_id])
    assert len(store.pending_events(10, later)) == 2
    assert store.pending_events(10, datetime.now(UTC) - timedelta(minutes=1)) == []


def test_delivered_orders_with_their_items(store: SqlMarketingStore) -> None:
    first, second = a_delivery("c-1", "store-a"), a_delivery("c-1", "store-b")
    with store.transaction() as tx:
        tx.remember_placed_order(a_placed_order(first.order_id, "c-1", "store-a", mandu=2, cola=1))
        tx.remember_placed_order(a_placed_order(first.order_id, "c-1", "store-a", other=9))  # kept once
    use_case = reward(store)
    use_case.execute(first)
    use_case.execute(second)
    assert use_case.execute(a_delivery("c-1", order_id=first.order_id)) is None
    orders = store.delivered_orders("c-1", 10)
    assert [(o.order_id, o.store_id) for o in orders] == [(second.order_id, "store-b"), (first.order_id, "store-a")]
    assert [(i.menu_item_id, i.quantity) for i in orders[1].items] == [("mandu", 2), ("cola", 1)]
    assert orders[0].items == () and orders[1].delivered_at == first.delivered_at


def test_racing_deliveries_of_one_customer_are_counted_once_each(store: SqlMarketingStore) -> None:
    use_case = reward(store)
    deliveries = [a_delivery("c-race") for _ in range(24)]
    errors: list[BaseException] = []

    def deliver(chunk: list) -> None:  # type: ignore[type-arg]
        try:
            for d in chunk:
                use_case.execute(d)
                use_case.execute(d)  # and each one redelivered
        except BaseException as error:  # pragma: no cover - reported below
            errors.append(error)

    threads = [threading.Thread(target=deliver, args=(deliveries[i::4],)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert errors == []
    assert sorted(o.order_id for o in store.delivered_orders("c-race", 100)) == sorted(d.order_id for d in deliveries)
    assert [c.delivered_orders for c in store.coupons("c-race", 100, None)] == [24, 21, 18, 15, 12, 9, 6, 3]


def test_old_records_are_pruned(store: SqlMarketingStore) -> None:
    delivered = a_delivery("c-1")
    with store.transaction() as tx:
        tx.remember_placed_order(a_placed_order("never-delivered"))
        tx.remember_placed_order(a_placed_order(delivered.order_id))
    reward(store).execute(delivered)
    for _ in range(2):
        reward(store).execute(a_delivery("c-1"))
    store.mark_published([e.event_id for e in store.pending_events(10, datetime.now(UTC) + timedelta(seconds=1))])
    assert store.prune(datetime.now(UTC) + timedelta(seconds=1)) > 0
    assert [o.order_id for o in store.delivered_orders("c-1", 10)][-1] == delivered.order_id
    assert store.delivered_orders("c-1", 10)[-1].items != ()
    with store.transaction() as tx:
        assert tx.first_time("marketing-follow-stores", delivered.event_id)  # its record is gone
