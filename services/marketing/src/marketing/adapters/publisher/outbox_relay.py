"""Publishes the outbox: what a transaction just committed at once, and a sweep for whatever is
left (a crash, NATS down). JetStream drops an event published twice within its window."""

from __future__ import annotations

import asyncio
import contextlib
from datetime import UTC, datetime, timedelta
from typing import Protocol

from prometheus_client import Gauge

from marketing.adapters.log import Logger
from marketing.adapters.persistence.sql_store import OutgoingEvent
from marketing.adapters.scrape import on_scrape


class Outbox(Protocol):
    def pending_events(self, limit: int, committed_before: datetime) -> list[OutgoingEvent]: ...

    def mark_published(self, event_ids: list[str]) -> None: ...

    def backlog(self) -> tuple[int, datetime | None]: ...


# Read when /metrics is scraped, as the TypeScript services' adapters/src/outbox-metrics.ts does.
unpublished = Gauge("outbox_unpublished", "Outbox items (events committed with a state change) not published yet")
oldest_unpublished_age = Gauge(
    "outbox_oldest_unpublished_age_seconds", "Age of the oldest outbox item not published yet (0: none)"
)


class Publisher(Protocol):
    async def publish(
        self, subject: str, payload: bytes, event_type: str, event_id: str, order_id: str, causation_id: str | None
    ) -> None: ...


class OutboxRelay:
    def __init__(
        self,
        outbox: Outbox,
        publisher: Publisher,
        logger: Logger,
        sweep_interval_s: float = 1.0,
        sweep_after_s: float = 5.0,
        batch_size: int = 256,
    ) -> None:
        self._outbox = outbox
        self._publisher = publisher
        self._logger = logger
        self._sweep_interval_s = sweep_interval_s
        self._sweep_after_s = sweep_after_s
        self._batch_size = batch_size
        self._loop: asyncio.AbstractEventLoop | None = None
        self._queue: asyncio.Queue[list[OutgoingEvent]] = asyncio.Queue()
        self._in_flight: set[str] = set()
        self._tasks: list[asyncio.Task[None]] = []
        self._stopped = asyncio.Event()
        self._failures = 0

    def start(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._tasks = [asyncio.create_task(self._drain()), asyncio.create_task(self._sweep())]
        on_scrape(self._read_backlog)

    async def _read_backlog(self) -> None:
        items, oldest = await asyncio.to_thread(self._outbox.backlog)
        unpublished.set(items)
        age = (datetime.now(UTC) - _aware(oldest)).total_seconds() if oldest else 0.0
        oldest_unpublished_age.set(max(0.0, age))

    def committed(self, events: list[OutgoingEvent]) -> None:
        """Called once a transaction with events is committed; from any thread."""
        if self._loop is not None and not self._stopped.is_set():
            self._loop.call_soon_threadsafe(self._queue.put_nowait, events)

    async def stop(self) -> None:
        self._stopped.set()
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def _drain(self) -> None:
        while True:
            events = await self._queue.get()
            try:
                await self._publish(events)
            except Exception as error:
                # Left pending: the sweep publishes it later.
                self._logger.debug("outbox events not published yet; the sweep will retry", err=str(error))

    async def _publish(self, events: list[OutgoingEvent]) -> None:
        events = [event for event in events if event.event_id not in self._in_flight]
        self._in_flight.update(event.event_id for event in events)
        try:
            outcomes = await asyncio.gather(
                *(
                    self._publisher.publish(e.subject, e.payload, e.event_type, e.event_id, e.order_id, e.causation_id)
                    for e in events
                ),
                return_exceptions=True,
            )
            published = [e.event_id for e, outcome in zip(events, outcomes, strict=True) if outcome is None]
            if published:
                await asyncio.to_thread(self._outbox.mark_published, published)
            failed = next((outcome for outcome in outcomes if isinstance(outcome, BaseException)), None)
            if failed is not None:
                raise failed
        finally:
            self._in_flight.difference_update(event.event_id for event in events)

    async def _sweep(self) -> None:
        delay = 0.0
        while True:
            await asyncio.sleep(delay)
            try:
                swept = 0
                while True:
                    before = datetime.now(UTC) - timedelta(seconds=self._sweep_after_s)
                    batch = await asyncio.to_thread(self._outbox.pending_events, self._batch_size, before)
                    if batch:
                        await self._publish(batch)
                    swept += len(batch)
                    if len(batch) < self._batch_size:
                        break
                if self._failures:
                    self._logger.info("outbox relay caught up", afterFailures=self._failures, swept=swept)
                elif swept:
                    self._logger.info("outbox relay published events left behind", swept=swept)
                self._failures = 0
                delay = self._sweep_interval_s
            except Exception as error:
                self._failures += 1
                if self._failures == 1 or self._failures % 10 == 0:
                    self._logger.warn(
                        "outbox relay cannot publish yet; events stay pending", err=str(error), failures=self._failures
                    )
                delay = min(5.0, 0.25 * 2 ** min(self._failures, 5))


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
