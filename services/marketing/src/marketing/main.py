"""Composition root: configuration → adapters → use cases → servers, and the process lifecycle the
TypeScript services share (adapters/src/service-runtime.ts): NOT_SERVING until NATS and the database
are ready; on SIGTERM/SIGINT NOT_SERVING, drain calls, stop consumers and the relay, close NATS and
the database, exit 0. A bad variable exits 78 naming it."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import sys
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import TypeVar

from marketing.adapters.auth import UNAUTHENTICATED_ADMIN, TokenVerifier
from marketing.adapters.config import Config, ConfigurationError, load_config
from marketing.adapters.errors import is_dependency_outage
from marketing.adapters.events.event_handlers import OrderEventsHandler, StoreEventsHandler
from marketing.adapters.events.jetstream import (
    ConsumerOptions,
    DurableConsumer,
    EventPublisher,
    StreamLimits,
    connect,
    ensure_stream,
)
from marketing.adapters.grpc.marketing_handlers import SERVICE, marketing_handlers
from marketing.adapters.grpc.server import GrpcServer, TlsFiles
from marketing.adapters.log import Logger
from marketing.adapters.persistence.sql_store import SqlMarketingStore, engine_for
from marketing.adapters.production import production_problems
from marketing.adapters.publisher.coupon_events import MARKETING_STREAM, MARKETING_SUBJECTS, encode_coupon_issued
from marketing.adapters.publisher.outbox_relay import OutboxRelay
from marketing.adapters.rest.server import RestServer
from marketing.adapters.rpc import Authenticate, Handler
from marketing.application.get_recommendations import GetRecommendations
from marketing.application.list_coupons import ListCoupons
from marketing.application.remember_placed_order import RememberPlacedOrder
from marketing.application.reward_delivery import RewardDelivery
from marketing.domain.coupon import LoyaltyRule, Money

NAME = "marketing"
FOLLOW_ORDERS = "marketing-follow-orders"
FOLLOW_STORES = "marketing-follow-stores"

T = TypeVar("T")


def run() -> None:
    try:
        config = load_config(os.environ)
    except ConfigurationError as error:
        sys.stderr.write(f"{NAME}: {error}\n")
        sys.exit(78)
    problems = production_problems(config)
    if problems:
        sys.stderr.write(f"{NAME}: {ConfigurationError(problems)}\n")
        sys.exit(78)
    authenticate = _authenticator(config)
    asyncio.run(_serve(config, authenticate))


async def _serve(config: Config, authenticate: Authenticate) -> None:
    # Built inside the event loop: the gRPC server binds to the loop that creates it.
    await Service(config, authenticate).run()


def _authenticator(config: Config) -> Authenticate:
    if config.AUTH_MODE == "off":
        return lambda _rpc, _authorization: UNAUTHENTICATED_ADMIN
    try:
        verifier = TokenVerifier(
            config.AUTH_JWKS_FILE,
            config.AUTH_ISSUER,
            config.AUTH_AUDIENCE,
            config.AUTH_ALGORITHMS,
            config.AUTH_MAX_TOKEN_LIFETIME_S,
            config.AUTH_CLOCK_SKEW_S,
        )
    except Exception as error:
        sys.stderr.write(f"{NAME}: invalid configuration: AUTH_JWKS_FILE cannot be read as a JWKS ({error})\n")
        sys.exit(78)
    return lambda _rpc, authorization: verifier.verify(authorization)


class Service:
    def __init__(self, config: Config, authenticate: Authenticate) -> None:
        self.config = config
        self.logger = Logger(NAME, config.LOG_LEVEL)
        self.handlers: dict[str, Handler] | None = None
        self.grpc = GrpcServer(SERVICE, lambda: self.handlers, authenticate, self.logger)
        self.rest = RestServer(SERVICE, lambda: self.handlers, authenticate, self.logger)
        self.stopping = asyncio.Event()
        self.hooks: list[Callable[[], Awaitable[None]]] = []
        self.parts_down: set[str] = set()
        self.started = False
        self.stop_reason = "signal"

    def _signalled(self, name: str) -> None:
        self.stop_reason = name
        self.stopping.set()

    async def run(self) -> None:
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, self._signalled, sig.name)
        if self.config.AUTH_MODE == "off":
            self.logger.warn("AUTH_MODE=off: calls are not authenticated and every caller acts as an administrator")
        tls = (
            TlsFiles(self.config.GRPC_TLS_CERT_FILE, self.config.GRPC_TLS_KEY_FILE, self.config.GRPC_TLS_CA_FILE)
            if self.config.GRPC_TLS_CERT_FILE
            else None
        )
        grpc_port = await self.grpc.listen(self.config.BIND_HOST, self.config.GRPC_PORT, tls)
        http_port = await self.rest.listen(self.config.BIND_HOST, self.config.HTTP_PORT)
        self.logger.info("listening; NOT_SERVING until dependencies are ready", grpcPort=grpc_port, httpPort=http_port)
        starting = asyncio.create_task(self.start())
        stop = asyncio.create_task(self.stopping.wait())
        await asyncio.wait({starting, stop}, return_when=asyncio.FIRST_COMPLETED)
        if starting.done() and starting.exception() is not None:
            self.logger.fatal("start failed", err=repr(starting.exception()))
            await self.shutdown("start failed")
            sys.exit(1)
        if not self.stopping.is_set():
            self.started = True
            await self.update_serving()
            self.logger.info("SERVING")
            await self.stopping.wait()
        starting.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await starting
        await self.shutdown(self.stop_reason)

    async def start(self) -> None:
        config = self.config
        limits = StreamLimits(config.JETSTREAM_REPLICAS, config.STREAM_MAX_AGE_MS)
        relay_box: list[OutboxRelay] = []
        store = SqlMarketingStore(
            engine_for(config.DATABASE_URL), encode_coupon_issued, lambda events: relay_box[0].committed(events)
        )
        await self.retry("the database", lambda: asyncio.to_thread(store.create_schema))
        self.hooks.append(lambda: asyncio.to_thread(store.close))

        nc = await self.retry("NATS", lambda: connect(config.NATS_URL, NAME, self.logger, config.NATS_NKEY_SEED_FILE))
        self.hooks.append(nc.drain)
        await self.retry(
            f"stream {MARKETING_STREAM}",
            lambda: ensure_stream(nc, MARKETING_STREAM, MARKETING_SUBJECTS, limits, update=True),
        )
        relay = OutboxRelay(store, EventPublisher(nc), self.logger)
        relay_box.append(relay)
        relay.start()
        self.hooks.append(relay.stop)

        rule = LoyaltyRule(
            every_orders=config.COUPON_EVERY_ORDERS,
            amount=Money(config.COUPON_CURRENCY, config.COUPON_AMOUNT_MINOR),
            valid_for=timedelta(days=config.COUPON_VALID_DAYS),
        )
        remember = RememberPlacedOrder(store, FOLLOW_ORDERS)
        reward = RewardDelivery(store, rule, lambda: datetime.now(UTC), FOLLOW_STORES)
        for stream, subjects, durable, handle in (
            ("FOODDELIVERY_ORDER", ["fooddelivery.order.>"], FOLLOW_ORDERS, OrderEventsHandler(remember, self.logger)),
            ("FOODDELIVERY_STORE", ["fooddelivery.store.>"], FOLLOW_STORES, StoreEventsHandler(reward, self.logger)),
        ):
            consumer = DurableConsumer(
                nc,
                ConsumerOptions(
                    stream=stream,
                    stream_subjects=subjects,
                    durable=durable,
                    filter_subjects=[subjects[0].replace(">", "*")],
                    handle=handle,
                    logger=self.logger,
                    limits=limits,
                    ack_wait_ms=config.CONSUMER_ACK_WAIT_MS,
                    backoff_ms=config.CONSUMER_BACKOFF_MS,
                    delay_before_ack_ms=config.FAULT_DELAY_BEFORE_ACK_MS,
                    on_health=lambda up, part=f"consumer {durable}": self.report_health(part, up),
                    is_outage=is_dependency_outage,
                ),
            )
            await self.retry(f"{durable} consumer", consumer.start)
            self.hooks.append(consumer.stop)

        self.repeat("pruning", 3_600_000, lambda: self.prune(store))
        self.handlers = marketing_handlers(ListCoupons(store), GetRecommendations(store))

    async def prune(self, store: SqlMarketingStore) -> None:
        before = datetime.now(UTC) - timedelta(milliseconds=self.config.RETENTION_MS)
        deleted = await asyncio.to_thread(store.prune, before)
        if deleted:
            self.logger.info("pruned old records", deleted=deleted)

    def repeat(self, what: str, every_ms: int, work: Callable[[], Awaitable[None]]) -> None:
        async def loop() -> None:
            while not self.stopping.is_set():
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self.stopping.wait(), every_ms / 1000)
                    return
                try:
                    await work()
                except Exception as error:
                    self.logger.warn(f"{what} failed; will try again", err=str(error))

        task = asyncio.create_task(loop())

        async def stop() -> None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

        self.hooks.append(stop)

    async def retry(self, dependency: str, attempt: Callable[[], Awaitable[T]]) -> T:
        """Runs `attempt` until it succeeds, waiting longer between tries; logs each failure."""
        tries = 0
        while True:
            tries += 1
            try:
                return await attempt()
            except Exception as error:
                if self.stopping.is_set():
                    raise
                wait_ms = min(5_000, 200 * 2 ** min(tries - 1, 5))
                self.logger.warn(
                    f"waiting for {dependency}", dependency=dependency, attempt=tries, err=str(error), waitMs=wait_ms
                )
                await asyncio.sleep(wait_ms / 1000)

    def report_health(self, part: str, up: bool) -> None:
        changed = (part in self.parts_down) if up else (part not in self.parts_down)
        if not changed:
            return
        if up:
            self.parts_down.discard(part)
            self.logger.info("part back up", part=part)
        else:
            self.parts_down.add(part)
            self.logger.error("part down: NOT_SERVING until it is back", part=part)
        asyncio.get_running_loop().create_task(self.update_serving())

    async def update_serving(self) -> None:
        serving = self.started and not self.stopping.is_set() and not self.parts_down
        self.rest.set_serving(serving)
        await self.grpc.set_serving(serving)

    async def shutdown(self, reason: str) -> None:
        self.logger.info("shutting down: NOT_SERVING, draining calls", signal=reason)
        self.rest.set_serving(False)
        await self.grpc.set_serving(False)
        await asyncio.gather(self.grpc.shutdown(self.config.SHUTDOWN_GRACE_MS / 1000), self.rest.close())
        for hook in reversed(self.hooks):
            try:
                await hook()
            except Exception as error:
                self.logger.error("shutdown hook failed", err=repr(error))
        self.logger.info("stopped")
