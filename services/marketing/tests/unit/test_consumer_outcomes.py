"""The consumer's outcomes for one delivery, without a server: ack, redelivery with backoff, dead
letter after the last try, and a database outage waited out instead of dead-lettered."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

import sqlalchemy.exc

from marketing.adapters.errors import is_dependency_outage
from marketing.adapters.events.jetstream import ConsumerOptions, DurableConsumer, ReceivedEvent, StreamLimits
from marketing.adapters.log import Logger


@dataclass
class FakeMessage:
    delivered: int
    subject: str = "fooddelivery.store.delivery_completed"
    data: bytes = b"payload"
    headers: dict[str, str] = field(default_factory=lambda: {"Event-Id": "ev-1", "Correlation-Id": "o-1"})
    outcome: list[tuple[str, Any]] = field(default_factory=list)

    @property
    def metadata(self) -> Any:
        return SimpleNamespace(
            num_delivered=self.delivered, stream="FOODDELIVERY_STORE", sequence=SimpleNamespace(stream=7)
        )

    async def ack(self) -> None:
        self.outcome.append(("ack", None))

    async def nak(self, delay: float | None = None) -> None:
        self.outcome.append(("nak", delay))

    async def term(self) -> None:
        self.outcome.append(("term", None))


class FakeJetStream:
    def __init__(self) -> None:
        self.published: list[tuple[str, bytes, dict[str, str]]] = []

    async def publish(self, subject: str, payload: bytes, timeout: float, headers: dict[str, str]) -> None:
        self.published.append((subject, payload, headers))


def consumer(failure: Exception | None) -> tuple[DurableConsumer, FakeJetStream]:
    async def handle(_event: ReceivedEvent) -> None:
        if failure is not None:
            raise failure

    js = FakeJetStream()
    options = ConsumerOptions(
        stream="FOODDELIVERY_STORE",
        stream_subjects=["fooddelivery.store.>"],
        durable="marketing-follow-stores",
        filter_subjects=["fooddelivery.store.*"],
        handle=handle,
        logger=Logger("marketing", "silent"),
        limits=StreamLimits(1, 60_000),
        backoff_ms=(100, 200, 300),
        is_outage=is_dependency_outage,
    )
    nc = SimpleNamespace(jetstream=lambda: js)
    return DurableConsumer(nc, options), js  # type: ignore[arg-type]


def handle(c: DurableConsumer, message: FakeMessage) -> list[tuple[str, Any]]:
    asyncio.run(c._handle(message))  # type: ignore[arg-type]
    return message.outcome


def test_a_handled_event_is_acked() -> None:
    assert handle(consumer(None)[0], FakeMessage(1)) == [("ack", None)]


def test_a_failing_event_is_redelivered_with_backoff_then_dead_lettered_with_the_kits_headers() -> None:
    c, js = consumer(ValueError("not a valid DeliveryCompleted"))
    assert [handle(c, FakeMessage(n)) for n in (1, 2, 3)] == [[("nak", 0.1)], [("nak", 0.2)], [("nak", 0.3)]]
    assert handle(c, FakeMessage(4)) == [("term", None)]
    [(subject, payload, headers)] = js.published
    assert subject == "fooddelivery.deadletter.marketing-follow-stores"
    assert payload == b"payload"
    assert headers == {
        "Event-Id": "ev-1",
        "Correlation-Id": "o-1",
        "Dead-Letter-Subject": "fooddelivery.store.delivery_completed",
        "Dead-Letter-Consumer": "marketing-follow-stores",
        "Dead-Letter-Reason": "not a valid DeliveryCompleted",
        "Dead-Letter-Deliveries": "4",
        "Nats-Msg-Id": "marketing-follow-stores:ev-1:7",
    }


def test_a_database_outage_is_waited_out_never_dead_lettered() -> None:
    outage = sqlalchemy.exc.OperationalError("INSERT …", {}, Exception("database is locked"))
    c, js = consumer(outage)
    assert handle(c, FakeMessage(2)) == [("nak", 0.2)]
    assert handle(c, FakeMessage(40)) == [("nak", 0.3)]
    assert js.published == []
