"""Inbound events → use cases. Decodes the protobuf events of the order and store contexts with the
generated code; identifiers come from the payload, never from the headers."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from fooddelivery.order.v1 import order_events_pb2
from fooddelivery.store.v1 import store_events_pb2
from google.protobuf.message import DecodeError
from google.protobuf.timestamp_pb2 import Timestamp

from marketing.adapters.events.jetstream import ReceivedEvent
from marketing.adapters.log import Logger, log_context
from marketing.application.remember_placed_order import RememberPlacedOrder
from marketing.application.reward_delivery import RewardDelivery
from marketing.domain.orders import Delivery, OrderedItem, PlacedOrder

ORDER_PLACED = "fooddelivery.order.placed"
DELIVERY_COMPLETED = "fooddelivery.store.delivery_completed"


class UndecodableEvent(Exception):
    pass


def placed_order(payload: bytes) -> tuple[str, PlacedOrder]:
    event = order_events_pb2.OrderPlaced()
    _parse(event, payload, "OrderPlaced")
    _require(event.event_id, "OrderPlaced", "event_id")
    _require(event.order_id, "OrderPlaced", "order_id")
    _require(event.customer_id, "OrderPlaced", "customer_id")
    items = tuple(OrderedItem(line.menu_item_id, line.name, line.quantity) for line in event.items)
    return event.event_id, PlacedOrder(
        order_id=event.order_id,
        customer_id=event.customer_id,
        store_id=event.store_id,
        items=items,
        placed_at=_time(event.occurred_at) if event.HasField("occurred_at") else datetime.now(UTC),
    )


def delivery(payload: bytes) -> Delivery:
    event = store_events_pb2.DeliveryCompleted()
    _parse(event, payload, "DeliveryCompleted")
    for field in ("event_id", "order_id", "customer_id", "store_id"):
        _require(getattr(event, field), "DeliveryCompleted", field)
    return Delivery(
        event_id=event.event_id,
        order_id=event.order_id,
        customer_id=event.customer_id,
        store_id=event.store_id,
        delivered_at=_time(event.occurred_at) if event.HasField("occurred_at") else datetime.now(UTC),
    )


class OrderEventsHandler:
    """fooddelivery.order.*: remembers what each placed order holds. Other order events are not needed."""

    def __init__(self, remember: RememberPlacedOrder, logger: Logger) -> None:
        self._remember = remember
        self._logger = logger

    async def __call__(self, event: ReceivedEvent) -> None:
        if event.subject != ORDER_PLACED:
            return
        event_id, order = placed_order(event.payload)
        with log_context(orderId=order.order_id, eventId=event_id):
            if not await asyncio.to_thread(self._remember.execute, event_id, order):
                self._logger.info("event handled before; nothing to do")


class StoreEventsHandler:
    """fooddelivery.store.*: counts deliveries and issues coupons. Other store events are not needed."""

    def __init__(self, reward: RewardDelivery, logger: Logger) -> None:
        self._reward = reward
        self._logger = logger

    async def __call__(self, event: ReceivedEvent) -> None:
        if event.subject != DELIVERY_COMPLETED:
            return
        completed = delivery(event.payload)
        with log_context(orderId=completed.order_id, eventId=completed.event_id):
            issued = await asyncio.to_thread(self._reward.execute, completed)
            if issued is not None:
                self._logger.info(
                    "coupon issued",
                    couponId=issued.coupon.coupon_id,
                    customerId=issued.coupon.customer_id,
                    deliveredOrders=issued.coupon.delivered_orders,
                )


def _parse(message: object, payload: bytes, name: str) -> None:
    try:
        message.ParseFromString(payload)  # type: ignore[attr-defined]
    except DecodeError as error:
        raise UndecodableEvent(f"not a valid {name}: {error}") from error


def _require(value: str, name: str, field: str) -> None:
    if value == "":
        raise UndecodableEvent(f"{name} without {field}")


def _time(timestamp: Timestamp) -> datetime:
    return timestamp.ToDatetime(tzinfo=UTC)
