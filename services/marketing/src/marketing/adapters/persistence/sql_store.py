"""The marketing store on SQLAlchemy Core: SQLite (a file, the default) or PostgreSQL.

Every event's effect, its handled-event record and the events it raises (the outbox) are written
in one transaction. Counting a customer's deliveries is an atomic upsert, so two replicas (or two
consumers) never give the same count twice.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection, Engine

from marketing.application.ports import Transaction
from marketing.domain.coupon import Coupon, CouponIssued, Money
from marketing.domain.orders import DeliveredOrder, Delivery, OrderedItem, PlacedOrder

metadata = sa.MetaData()


class UtcDateTime(sa.TypeDecorator[datetime]):
    """Timestamps stored as UTC and read back as aware datetimes, on SQLite and PostgreSQL alike."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: sa.Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime")
        return value.astimezone(UTC) if dialect.name != "sqlite" else value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: sa.Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


processed_events = sa.Table(
    "processed_events",
    metadata,
    sa.Column("consumer", sa.String(100), primary_key=True),
    sa.Column("event_id", sa.String(100), primary_key=True),
    sa.Column("processed_at", UtcDateTime, nullable=False, index=True),
)

outbox_events = sa.Table(
    "outbox_events",
    metadata,
    sa.Column("event_id", sa.String(64), primary_key=True),
    sa.Column("subject", sa.String(200), nullable=False),
    sa.Column("event_type", sa.String(200), nullable=False),
    sa.Column("order_id", sa.String(64), nullable=False),
    sa.Column("causation_id", sa.String(100)),
    sa.Column("payload", sa.LargeBinary, nullable=False),
    sa.Column("created_at", UtcDateTime, nullable=False, index=True),
    sa.Column("published_at", UtcDateTime, index=True),
)

placed_orders = sa.Table(
    "placed_orders",
    metadata,
    sa.Column("order_id", sa.String(64), primary_key=True),
    sa.Column("customer_id", sa.String(64), nullable=False),
    sa.Column("store_id", sa.String(64), nullable=False),
    sa.Column("placed_at", UtcDateTime, nullable=False, index=True),
)

placed_order_items = sa.Table(
    "placed_order_items",
    metadata,
    sa.Column("order_id", sa.String(64), primary_key=True),
    sa.Column("line", sa.Integer, primary_key=True),
    sa.Column("menu_item_id", sa.String(64), nullable=False),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("quantity", sa.Integer, nullable=False),
)

delivered_orders = sa.Table(
    "delivered_orders",
    metadata,
    sa.Column("order_id", sa.String(64), primary_key=True),
    sa.Column("customer_id", sa.String(64), nullable=False),
    sa.Column("store_id", sa.String(64), nullable=False),
    sa.Column("delivered_at", UtcDateTime, nullable=False),
    # The customer's n-th delivered order.
    sa.Column("ordinal", sa.Integer, nullable=False),
    sa.UniqueConstraint("customer_id", "ordinal"),
)

customer_loyalty = sa.Table(
    "customer_loyalty",
    metadata,
    sa.Column("customer_id", sa.String(64), primary_key=True),
    sa.Column("delivered_orders", sa.Integer, nullable=False),
)

coupons = sa.Table(
    "coupons",
    metadata,
    sa.Column("coupon_id", sa.String(64), primary_key=True),
    sa.Column("customer_id", sa.String(64), nullable=False),
    sa.Column("currency_code", sa.String(3), nullable=False),
    sa.Column("amount_minor", sa.BigInteger, nullable=False),
    sa.Column("earned_by_order_id", sa.String(64), nullable=False, unique=True),
    sa.Column("delivered_orders", sa.Integer, nullable=False),
    sa.Column("issued_at", UtcDateTime, nullable=False),
    sa.Column("expires_at", UtcDateTime, nullable=False),
    sa.UniqueConstraint("customer_id", "delivered_orders"),
)


@dataclass(frozen=True)
class OutgoingEvent:
    event_id: str
    subject: str
    event_type: str
    order_id: str
    causation_id: str | None
    payload: bytes


EventEncoder = Callable[[CouponIssued], OutgoingEvent]


def engine_for(database_url: str) -> Engine:
    """`sqlite:<file>` or `postgres://user:password@host:port/database`."""
    if database_url.startswith("sqlite:"):
        engine = sa.create_engine(f"sqlite:///{database_url.removeprefix('sqlite:')}", connect_args={"timeout": 5})

        @sa.event.listens_for(engine, "connect")
        def _connect(dbapi_connection: Any, _record: Any) -> None:
            # The driver's own transaction handling off: BEGIN IMMEDIATE below takes the write lock
            # up front, so a transaction that reads then writes never fails on a lock upgrade.
            dbapi_connection.isolation_level = None
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA busy_timeout=5000")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.close()

        @sa.event.listens_for(engine, "begin")
        def _begin(connection: Connection) -> None:
            connection.exec_driver_sql("BEGIN IMMEDIATE")

        return engine
    url = sa.engine.make_url(
        database_url.replace("postgres://", "postgresql+psycopg://", 1).replace(
            "postgresql://", "postgresql+psycopg://", 1
        )
    )
    return sa.create_engine(
        url,
        pool_size=5,
        pool_timeout=5,
        pool_pre_ping=True,
        # Every statement has a deadline: an outage answers UNAVAILABLE instead of hanging.
        connect_args={"connect_timeout": 5, "options": "-c statement_timeout=5000 -c lock_timeout=5000"},
    )


class SqlMarketingStore:
    def __init__(self, engine: Engine, encode: EventEncoder, on_commit: Callable[[list[OutgoingEvent]], None]) -> None:
        self._engine = engine
        self._encode = encode
        self._on_commit = on_commit

    def create_schema(self) -> None:
        metadata.create_all(self._engine, checkfirst=True)

    @contextmanager
    def transaction(self) -> Iterator[Transaction]:
        with self._engine.begin() as connection:
            tx = _SqlTransaction(connection, self._encode)
            yield tx
        if tx.outgoing:
            self._on_commit(tx.outgoing)

    def coupons(self, customer_id: str, limit: int, before_delivered_orders: int | None) -> list[Coupon]:
        query = sa.select(coupons).where(coupons.c.customer_id == customer_id)
        if before_delivered_orders is not None:
            query = query.where(coupons.c.delivered_orders < before_delivered_orders)
        query = query.order_by(coupons.c.delivered_orders.desc()).limit(limit)
        with self._engine.connect() as connection:
            return [_coupon(row) for row in connection.execute(query)]

    def delivered_orders(self, customer_id: str, limit: int) -> list[DeliveredOrder]:
        with self._engine.connect() as connection:
            orders = connection.execute(
                sa.select(delivered_orders)
                .where(delivered_orders.c.customer_id == customer_id)
                .order_by(delivered_orders.c.ordinal.desc())
                .limit(limit)
            ).all()
            ids = [row.order_id for row in orders]
            items: dict[str, list[OrderedItem]] = {}
            for start in range(0, len(ids), 200):
                for row in connection.execute(
                    sa.select(placed_order_items)
                    .where(placed_order_items.c.order_id.in_(ids[start : start + 200]))
                    .order_by(placed_order_items.c.order_id, placed_order_items.c.line)
                ):
                    items.setdefault(row.order_id, []).append(OrderedItem(row.menu_item_id, row.name, row.quantity))
        return [
            DeliveredOrder(row.order_id, row.store_id, row.delivered_at, tuple(items.get(row.order_id, [])))
            for row in orders
        ]

    # The outbox, for the relay.

    def pending_events(self, limit: int, committed_before: datetime) -> list[OutgoingEvent]:
        with self._engine.connect() as connection:
            rows = connection.execute(
                sa.select(outbox_events)
                .where(outbox_events.c.published_at.is_(None), outbox_events.c.created_at < committed_before)
                .order_by(outbox_events.c.created_at)
                .limit(limit)
            )
            return [
                OutgoingEvent(r.event_id, r.subject, r.event_type, r.order_id, r.causation_id, bytes(r.payload))
                for r in rows
            ]

    def backlog(self) -> tuple[int, datetime | None]:
        """Events not published yet, and when the oldest of them was committed."""
        with self._engine.connect() as connection:
            row = connection.execute(
                sa.select(sa.func.count(), sa.func.min(outbox_events.c.created_at)).where(
                    outbox_events.c.published_at.is_(None)
                )
            ).one()
            return int(row[0]), row[1]

    def mark_published(self, event_ids: list[str]) -> None:
        with self._engine.begin() as connection:
            connection.execute(
                sa.update(outbox_events)
                .where(outbox_events.c.event_id.in_(event_ids))
                .values(published_at=datetime.now(UTC))
            )

    def prune(self, before: datetime) -> int:
        """Forgets published events, handled-event records and never-delivered placed orders older than `before`."""
        with self._engine.begin() as connection:
            deleted = connection.execute(sa.delete(outbox_events).where(outbox_events.c.published_at < before)).rowcount
            deleted += connection.execute(
                sa.delete(processed_events).where(processed_events.c.processed_at < before)
            ).rowcount
            stale = (
                sa.select(placed_orders.c.order_id)
                .where(placed_orders.c.placed_at < before)
                .where(~sa.exists().where(delivered_orders.c.order_id == placed_orders.c.order_id))
            )
            deleted += connection.execute(
                sa.delete(placed_order_items).where(placed_order_items.c.order_id.in_(stale))
            ).rowcount
            deleted += connection.execute(
                sa.delete(placed_orders).where(placed_orders.c.order_id.in_(stale.scalar_subquery()))
            ).rowcount
            return deleted

    def close(self) -> None:
        self._engine.dispose()


class _SqlTransaction:
    def __init__(self, connection: Connection, encode: EventEncoder) -> None:
        self._connection = connection
        self._encode = encode
        self.outgoing: list[OutgoingEvent] = []

    def _insert(self, table: sa.Table) -> Any:
        dialect = postgresql if self._connection.dialect.name == "postgresql" else sqlite
        return dialect.insert(table)

    def first_time(self, consumer: str, event_id: str) -> bool:
        # An insert that does nothing on a conflict: on PostgreSQL a racing replica's record makes
        # this wait for its commit, then count as seen.
        result = self._connection.execute(
            self._insert(processed_events)
            .values(consumer=consumer, event_id=event_id, processed_at=datetime.now(UTC))
            .on_conflict_do_nothing()
            .returning(processed_events.c.event_id)
        )
        return result.first() is not None

    def remember_placed_order(self, order: PlacedOrder) -> None:
        result = self._connection.execute(
            self._insert(placed_orders)
            .values(
                order_id=order.order_id,
                customer_id=order.customer_id,
                store_id=order.store_id,
                placed_at=order.placed_at,
            )
            .on_conflict_do_nothing()
            .returning(placed_orders.c.order_id)
        )
        if result.first() is None or not order.items:
            return
        self._connection.execute(
            sa.insert(placed_order_items),
            [
                {
                    "order_id": order.order_id,
                    "line": line,
                    "menu_item_id": item.menu_item_id,
                    "name": item.name,
                    "quantity": item.quantity,
                }
                for line, item in enumerate(order.items)
            ],
        )

    def record_delivery(self, delivery: Delivery) -> int | None:
        known = self._connection.execute(
            sa.select(delivered_orders.c.order_id).where(delivered_orders.c.order_id == delivery.order_id)
        ).first()
        if known is not None:
            return None
        upsert = self._insert(customer_loyalty).values(customer_id=delivery.customer_id, delivered_orders=1)
        count = self._connection.execute(
            upsert.on_conflict_do_update(
                index_elements=[customer_loyalty.c.customer_id],
                set_={"delivered_orders": customer_loyalty.c.delivered_orders + 1},
            ).returning(customer_loyalty.c.delivered_orders)
        ).scalar_one()
        self._connection.execute(
            sa.insert(delivered_orders).values(
                order_id=delivery.order_id,
                customer_id=delivery.customer_id,
                store_id=delivery.store_id,
                delivered_at=delivery.delivered_at,
                ordinal=count,
            )
        )
        return int(count)

    def issue_coupon(self, issued: CouponIssued) -> None:
        coupon = issued.coupon
        self._connection.execute(
            sa.insert(coupons).values(
                coupon_id=coupon.coupon_id,
                customer_id=coupon.customer_id,
                currency_code=coupon.amount.currency_code,
                amount_minor=coupon.amount.amount_minor,
                earned_by_order_id=coupon.earned_by_order_id,
                delivered_orders=coupon.delivered_orders,
                issued_at=coupon.issued_at,
                expires_at=coupon.expires_at,
            )
        )
        event = self._encode(issued)
        self._connection.execute(
            sa.insert(outbox_events).values(
                event_id=event.event_id,
                subject=event.subject,
                event_type=event.event_type,
                order_id=event.order_id,
                causation_id=event.causation_id,
                payload=event.payload,
                created_at=datetime.now(UTC),
                published_at=None,
            )
        )
        self.outgoing.append(event)


def _coupon(row: Any) -> Coupon:
    return Coupon(
        coupon_id=row.coupon_id,
        customer_id=row.customer_id,
        amount=Money(row.currency_code, int(row.amount_minor)),
        earned_by_order_id=row.earned_by_order_id,
        delivered_orders=row.delivered_orders,
        issued_at=row.issued_at,
        expires_at=row.expires_at,
    )
