"""JetStream for the marketing service, by the same conventions as the TypeScript kit
(adapters/src/jetstream.ts): streams with file storage and a 2-minute de-duplication window,
publishing with Nats-Msg-Id = event id, durable pull consumers with explicit acks, bounded
redelivery with backoff, and dead letters on FOODDELIVERY_DEADLETTER with the same headers.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import nats
import nats.errors
import nats.js.errors
from nats.aio.client import Client
from nats.aio.msg import Msg
from nats.js import api
from prometheus_client import Counter, Gauge, Histogram

from marketing.adapters.log import Logger, log_context
from marketing.adapters.scrape import on_scrape

EVENT_TYPE = "Event-Type"
EVENT_ID = "Event-Id"
CORRELATION_ID = "Correlation-Id"
CAUSATION_ID = "Causation-Id"

DEAD_LETTER_STREAM = "FOODDELIVERY_DEADLETTER"
DEAD_LETTER_SUBJECTS = ["fooddelivery.deadletter.>"]
DL_SUBJECT = "Dead-Letter-Subject"
DL_CONSUMER = "Dead-Letter-Consumer"
DL_REASON = "Dead-Letter-Reason"
DL_DELIVERIES = "Dead-Letter-Deliveries"


def dead_letter_subject(durable: str) -> str:
    return f"fooddelivery.deadletter.{durable}"


@dataclass(frozen=True)
class StreamLimits:
    replicas: int
    max_age_ms: int


async def ensure_stream(nc: Client, name: str, subjects: list[str], limits: StreamLimits, update: bool) -> None:
    """Creates the stream if it is missing; brings its subjects and limits up to date when `update`
    (only for the stream this service owns: another context's stream is its publisher's to configure)."""
    jsm = nc.jsm()
    config = api.StreamConfig(
        name=name,
        subjects=subjects,
        storage=api.StorageType.FILE,
        retention=api.RetentionPolicy.LIMITS,
        discard=api.DiscardPolicy.OLD,
        duplicate_window=120.0,
        max_age=limits.max_age_ms / 1000,
        num_replicas=limits.replicas,
    )
    try:
        await jsm.stream_info(name)
    except nats.js.errors.NotFoundError:
        await jsm.add_stream(config)
        return
    if update:
        await jsm.update_stream(config)


class EventPublisher:
    """Publishes with Nats-Msg-Id = event id, so JetStream drops a re-sent duplicate."""

    def __init__(self, nc: Client) -> None:
        self._js = nc.jetstream()

    async def publish(
        self, subject: str, payload: bytes, event_type: str, event_id: str, order_id: str, causation_id: str | None
    ) -> None:
        headers = {EVENT_TYPE: event_type, EVENT_ID: event_id, CORRELATION_ID: order_id, "Nats-Msg-Id": event_id}
        if causation_id:
            headers[CAUSATION_ID] = causation_id
        await self._js.publish(subject, payload, timeout=5, headers=headers)


@dataclass(frozen=True)
class ReceivedEvent:
    subject: str
    event_type: str
    # From the headers, for logs and dead letters only: handlers take ids from the payload.
    header_event_id: str
    header_order_id: str
    causation_id: str | None
    payload: bytes
    # 1 on the first delivery.
    delivery_count: int


Handler = Callable[[ReceivedEvent], Awaitable[None]]

consumed = Counter("events_consumed_total", "Events consumed, by consumer and outcome", ["consumer", "outcome"])
handling_seconds = Histogram(
    "event_handling_seconds",
    "Time a consumer took to handle an event, by event type",
    ["consumer", "event_type"],
    buckets=(0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
# A durable consumer's state on the server, read when /metrics is scraped (as the TypeScript kit's
# adapters/src/jetstream-metrics.ts does). Every replica reads the same durable: aggregate with max().
_CONSUMER = ["stream", "consumer"]
pending_messages = Gauge(
    "jetstream_consumer_pending_messages", "Messages of the stream not yet delivered to the consumer", _CONSUMER
)
ack_pending_messages = Gauge(
    "jetstream_consumer_ack_pending_messages", "Messages delivered to the consumer and not acknowledged yet", _CONSUMER
)
redelivered_messages = Gauge(
    "jetstream_consumer_redelivered_messages",
    "Messages delivered to the consumer more than once and not acknowledged yet",
    _CONSUMER,
)
dead_letter_messages = Gauge(
    "dead_letter_messages", "Messages of the consumer in the dead-letter stream, waiting to be replayed", ["consumer"]
)


@dataclass
class ConsumerOptions:
    stream: str
    stream_subjects: list[str]
    durable: str
    filter_subjects: list[str]
    handle: Handler
    logger: Logger
    limits: StreamLimits
    ack_wait_ms: int = 30_000
    # Redelivery delays; their count + 1 bounds the deliveries before an event is dead-lettered.
    backoff_ms: tuple[int, ...] = (1_000, 5_000, 15_000, 30_000)
    # Fault injection for tests only: wait this long between the effect and the ack.
    delay_before_ack_ms: int = 0
    on_health: Callable[[bool], None] = lambda _up: None
    # A failure that says a dependency is down (the database) is not the event's fault: it is
    # redelivered at the backoff's pace until the dependency is back, never dead-lettered.
    is_outage: Callable[[Exception], bool] = lambda _error: False


class DurableConsumer:
    """A durable pull consumer shared by every replica. Events are handled one at a time, in order;
    a handled event is acked, a failed one redelivered after the next backoff delay and, after the
    last, moved to the dead letters (an outage of a dependency is waited out instead). Supervised:
    if receiving stops for any reason but stop(), or the durable consumer disappears (deleted, lost
    with a JetStream node), it is set up again with backoff, and on_health reports the gap."""

    def __init__(self, nc: Client, options: ConsumerOptions) -> None:
        self._nc = nc
        self._options = options
        self._stopped = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        await self._set_up()
        self._task = asyncio.create_task(self._receive(), name=f"consumer {self._options.durable}")
        on_scrape(self._read_state)

    async def stop(self) -> None:
        self._stopped.set()
        if self._task:
            await self._task

    async def _read_state(self) -> None:
        o = self._options
        jsm = self._nc.jsm()
        info = await jsm.consumer_info(o.stream, o.durable)
        pending_messages.labels(stream=o.stream, consumer=o.durable).set(info.num_pending or 0)
        ack_pending_messages.labels(stream=o.stream, consumer=o.durable).set(info.num_ack_pending or 0)
        redelivered_messages.labels(stream=o.stream, consumer=o.durable).set(info.num_redelivered or 0)
        subject = dead_letter_subject(o.durable)
        letters = await jsm.stream_info(DEAD_LETTER_STREAM, subjects_filter=subject)
        dead_letter_messages.labels(consumer=o.durable).set((letters.state.subjects or {}).get(subject, 0))

    async def _set_up(self) -> None:
        o = self._options
        await ensure_stream(self._nc, o.stream, o.stream_subjects, o.limits, update=False)
        await ensure_stream(self._nc, DEAD_LETTER_STREAM, DEAD_LETTER_SUBJECTS, o.limits, update=False)
        config = api.ConsumerConfig(
            name=o.durable,
            durable_name=o.durable,
            ack_policy=api.AckPolicy.EXPLICIT,
            deliver_policy=api.DeliverPolicy.ALL,
            ack_wait=o.ack_wait_ms / 1000,
            # Deliveries are bounded here, not by the server, which would drop a message whose
            # dead-lettering failed instead of trying again (as the TypeScript kit does).
            max_deliver=-1,
            filter_subjects=o.filter_subjects,
        )
        # Creates the consumer, or updates its configuration when it exists.
        await self._nc.jsm().add_consumer(o.stream, config)

    async def _receive(self) -> None:
        o = self._options
        failures = 0
        while not self._stopped.is_set():
            try:
                if failures > 0:
                    await self._set_up()
                subscription = await self._nc.jetstream().pull_subscribe_bind(durable=o.durable, stream=o.stream)
                o.on_health(True)
                failures = 0
                try:
                    idle = 0
                    while not self._stopped.is_set():
                        try:
                            messages = await subscription.fetch(batch=64, timeout=1)
                            idle = 0
                        except nats.errors.TimeoutError:
                            idle += 1
                            if idle % 10 == 0:
                                # A fetch from a consumer that is gone only times out: look for it.
                                await self._nc.jsm().consumer_info(o.stream, o.durable)
                            continue
                        for message in messages:
                            await self._handle(message)
                finally:
                    with contextlib.suppress(Exception):
                        await subscription.unsubscribe()
            except Exception as error:
                if self._stopped.is_set():
                    break
                failures += 1
                o.on_health(False)
                retry_in_ms = min(10_000, 250 * 2 ** min(failures, 6))
                o.logger.error(
                    "consumer stopped receiving; starting it again",
                    err=str(error) or type(error).__name__,
                    consumer=o.durable,
                    retryInMs=retry_in_ms,
                )
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._stopped.wait(), retry_in_ms / 1000)

    async def _handle(self, message: Msg) -> None:
        """Handles one delivery; never raises, so one bad message cannot end the consumer."""
        o = self._options
        headers = message.headers or {}
        metadata = message.metadata
        event = ReceivedEvent(
            subject=message.subject,
            event_type=headers.get(EVENT_TYPE, message.subject),
            header_event_id=headers.get(EVENT_ID, f"{o.stream}:{metadata.sequence.stream}"),
            header_order_id=headers.get(CORRELATION_ID, ""),
            causation_id=headers.get(CAUSATION_ID),
            payload=message.data,
            delivery_count=metadata.num_delivered,
        )
        count = consumed.labels(consumer=o.durable, outcome="handled")
        with log_context(
            orderId=event.header_order_id,
            eventId=event.header_event_id,
            eventType=event.event_type,
            causationId=event.causation_id,
        ):
            if event.delivery_count > 1:
                consumed.labels(consumer=o.durable, outcome="redelivered").inc()
                o.logger.info("event redelivered", deliveryCount=event.delivery_count)
            try:
                with handling_seconds.labels(consumer=o.durable, event_type=event.event_type).time():
                    await o.handle(event)
                if o.delay_before_ack_ms:
                    await asyncio.sleep(o.delay_before_ack_ms / 1000)
                await message.ack()
                count.inc()
                return
            except Exception as error:
                failure = error
            if o.is_outage(failure):
                delay = o.backoff_ms[min(event.delivery_count, len(o.backoff_ms)) - 1] if o.backoff_ms else 1_000
                consumed.labels(consumer=o.durable, outcome="retried").inc()
                o.logger.warn(
                    "a dependency is unavailable; the event will be redelivered",
                    err=_text(failure),
                    deliveryCount=event.delivery_count,
                    retryInMs=delay,
                )
                await _settle(message.nak(delay=delay / 1000))
                return
            if event.delivery_count <= len(o.backoff_ms):
                delay = o.backoff_ms[event.delivery_count - 1]
                consumed.labels(consumer=o.durable, outcome="retried").inc()
                o.logger.warn(
                    "event handling failed; will be redelivered",
                    err=_text(failure),
                    deliveryCount=event.delivery_count,
                    retryInMs=delay,
                )
                await _settle(message.nak(delay=delay / 1000))
                return
            try:
                await self._dead_letter(message, failure)
            except Exception as dead_letter_error:
                # Kept, not lost: delivered again later, and dead-lettered once the stream takes it.
                delay = o.backoff_ms[-1] if o.backoff_ms else 30_000
                consumed.labels(consumer=o.durable, outcome="dead_letter_failed").inc()
                o.logger.error(
                    "event handling failed for the last time and the dead-letter stream cannot take it; will try again",
                    err=_text(dead_letter_error),
                    handlingError=_text(failure),
                    retryInMs=delay,
                )
                await _settle(message.nak(delay=delay / 1000))
                return
            consumed.labels(consumer=o.durable, outcome="dead_lettered").inc()
            o.logger.error(
                "event handling failed for the last time; moved to the dead-letter stream",
                err=_text(failure),
                deliveryCount=event.delivery_count,
            )
            await _settle(message.term())

    async def _dead_letter(self, message: Msg, error: Exception) -> None:
        o = self._options
        headers = dict(message.headers or {})
        headers.pop("Nats-Msg-Id", None)
        metadata = message.metadata
        headers[DL_SUBJECT] = message.subject
        headers[DL_CONSUMER] = o.durable
        headers[DL_REASON] = _text(error)[:1_000]
        headers[DL_DELIVERIES] = str(metadata.num_delivered)
        event_id = (message.headers or {}).get(EVENT_ID) or f"{metadata.stream}:{metadata.sequence.stream}"
        # Unique per delivery of a stream message: a replayed message that fails again is kept again.
        headers["Nats-Msg-Id"] = f"{o.durable}:{event_id}:{metadata.sequence.stream}"
        await self._nc.jetstream().publish(dead_letter_subject(o.durable), message.data, timeout=5, headers=headers)


async def _settle(acknowledgement: Awaitable[None]) -> None:
    # An ack that cannot be sent (connection gone) ends in a redelivery after the ack wait.
    with contextlib.suppress(Exception):
        await acknowledgement


def _text(error: BaseException) -> str:
    return str(error) or type(error).__name__


async def connect(url: str, name: str, logger: Logger, seed_file: str = "") -> Client:
    """Connects as `name`, retrying forever (the first connection too) and logging status changes.

    With a seed file the connection authenticates with that nkey, and its replies come on
    `_INBOX_<name>`, the only inbox its permissions let it read."""

    async def disconnected() -> None:
        logger.info("NATS connection status", nats="disconnect")

    async def reconnected() -> None:
        logger.info("NATS connection status", nats="reconnect")

    async def error(e: Exception) -> None:
        logger.debug("NATS connection error", err=str(e))

    return await nats.connect(
        servers=[url],
        name=name,
        allow_reconnect=True,
        max_reconnect_attempts=-1,
        reconnect_time_wait=0.5,
        connect_timeout=2,
        disconnected_cb=disconnected,
        reconnected_cb=reconnected,
        error_cb=error,
        **({"nkeys_seed": seed_file, "inbox_prefix": f"_INBOX_{name}"} if seed_file else {}),
    )
