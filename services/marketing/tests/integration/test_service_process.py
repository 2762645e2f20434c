"""The marketing service as a process (python -m marketing) against a real nats-server, with its
SQLite store: events in through JetStream, coupons out over gRPC, REST and JetStream, and the
consumer guarantees (redelivery without a second effect, bounded retries, dead letters)."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import grpc
import jwt
import nats
import pytest
from fooddelivery.common.v1 import line_item_pb2
from fooddelivery.marketing.v1 import marketing_events_pb2
from fooddelivery.marketing.v1 import marketing_service_pb2 as pb
from fooddelivery.order.v1 import order_events_pb2
from fooddelivery.store.v1 import store_events_pb2
from grpc_health.v1 import health_pb2

from conftest import REPO, free_port, wait_until

T = TypeVar("T")
DEV_KEY = (REPO / "envoy" / "dev-keys" / "jwt-private.pem").read_bytes()


def token(subject: str, role: str = "customer") -> str:
    claims = {
        "sub": subject,
        "role": role,
        "iss": "fooddelivery-dev",
        "aud": "fooddelivery",
        "iat": int(time.time()),
        "exp": time.time() + 600,
    }
    return jwt.encode(claims, DEV_KEY, algorithm="ES256", headers={"kid": "fooddelivery-dev-1"})


class Marketing:
    def __init__(self, nats_url: str, directory: Path) -> None:
        self.grpc_port, self.http_port = free_port(), free_port()
        env = {
            **os.environ,
            "PYTHONPATH": f"{REPO / 'services/marketing/src'}:{REPO / 'gen/python'}",
            "GRPC_PORT": str(self.grpc_port),
            "HTTP_PORT": str(self.http_port),
            "BIND_HOST": "127.0.0.1",
            "NATS_URL": nats_url,
            "DATABASE_URL": f"sqlite:{directory / 'marketing.sqlite'}",
            "AUTH_JWKS_FILE": str(REPO / "envoy" / "jwks.json"),
            "CONSUMER_ACK_WAIT_MS": "2000",
            "CONSUMER_BACKOFF_MS": "100,200,300",
            "SHUTDOWN_GRACE_MS": "3000",
        }
        self.log = directory / "marketing.log"
        with open(self.log, "wb") as log:
            self.process = subprocess.Popen([sys.executable, "-m", "marketing"], env=env, stdout=log, stderr=log)
        self.channel = grpc.insecure_channel(f"127.0.0.1:{self.grpc_port}")
        wait_until("marketing SERVING", self.serving, 60, self.process)

    def serving(self) -> bool:
        check = self.channel.unary_unary(
            "/grpc.health.v1.Health/Check",
            request_serializer=health_pb2.HealthCheckRequest.SerializeToString,
            response_deserializer=health_pb2.HealthCheckResponse.FromString,
        )
        try:
            return check(health_pb2.HealthCheckRequest(), timeout=1).status == health_pb2.HealthCheckResponse.SERVING
        except grpc.RpcError:
            return False

    def list_coupons(self, customer: str, who: str | None = None) -> pb.ListCouponsResponse:
        call = self.channel.unary_unary(
            "/fooddelivery.marketing.v1.MarketingService/ListCoupons",
            request_serializer=pb.ListCouponsRequest.SerializeToString,
            response_deserializer=pb.ListCouponsResponse.FromString,
        )
        metadata = (("authorization", f"Bearer {token(who or customer)}"),)
        return call(pb.ListCouponsRequest(customer_id=customer), timeout=5, metadata=metadata)

    def rest(self, path: str, authorization: str | None) -> tuple[int, dict[str, Any]]:
        request = urllib.request.Request(f"http://127.0.0.1:{self.http_port}{path}")
        if authorization:
            request.add_header("authorization", authorization)
        try:
            with urllib.request.urlopen(request, timeout=5) as response:
                return response.status, json.loads(response.read())
        except urllib.error.HTTPError as error:
            return error.code, json.loads(error.read())

    def metrics_text(self) -> str:
        with urllib.request.urlopen(f"http://127.0.0.1:{self.http_port}/metrics", timeout=5) as response:
            return response.read().decode()

    def metric(self, name: str, **labels: str) -> float:
        with urllib.request.urlopen(f"http://127.0.0.1:{self.http_port}/metrics", timeout=5) as response:
            for line in response.read().decode().splitlines():
                if line.startswith((name + "{", name + " ")) and all(f'{k}="{v}"' in line for k, v in labels.items()):
                    return float(line.rsplit(" ", 1)[1])
        return 0.0

    def stop(self) -> int:
        self.channel.close()
        self.process.send_signal(signal.SIGTERM)
        try:
            return self.process.wait(15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            return -9


@pytest.fixture(scope="module")
def marketing(nats_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Marketing]:
    service = Marketing(nats_url, tmp_path_factory.mktemp("marketing"))
    yield service
    assert service.stop() == 0, f"not a clean stop; see {service.log}"


def run(coroutine: Awaitable[T]) -> T:
    return asyncio.run(coroutine)  # type: ignore[arg-type]


async def publish(
    nats_url: str, subject: str, payload: bytes, event_id: str, order_id: str, msg_id: str | None = None
) -> None:
    nc = await nats.connect(nats_url)
    try:
        headers = {
            "Event-Type": subject,
            "Event-Id": event_id,
            "Correlation-Id": order_id,
            "Nats-Msg-Id": msg_id or event_id,
        }
        await nc.jetstream().publish(subject, payload, headers=headers, timeout=5)
    finally:
        await nc.close()


async def stream_messages(nats_url: str, stream: str) -> list[Any]:
    nc = await nats.connect(nats_url)
    try:
        jsm = nc.jsm()
        try:
            info = await jsm.stream_info(stream)
        except nats.js.errors.NotFoundError:
            return []
        messages: list[Any] = []
        if info.state.messages == 0:
            return messages
        for seq in range(max(1, info.state.first_seq), info.state.last_seq + 1):
            try:
                messages.append(await jsm.get_msg(stream, seq))
            except nats.js.errors.NotFoundError:
                continue
        return messages
    finally:
        await nc.close()


async def consumer_idle(nats_url: str, stream: str, durable: str) -> bool:
    nc = await nats.connect(nats_url)
    try:
        info = await nc.jsm().consumer_info(stream, durable)
        return info.num_pending == 0 and info.num_ack_pending == 0
    finally:
        await nc.close()


def eventually(what: str, check: Callable[[], T | None], timeout_s: float = 20) -> T:
    deadline = time.monotonic() + timeout_s
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.1)


def deliver(nats_url: str, customer: str, header_order_id: str | None = None) -> tuple[str, bytes]:
    """OrderPlaced, then DeliveryCompleted, for a new order; returns its id and the delivery's payload."""
    order_id = f"o-{uuid.uuid4()}"
    placed = order_events_pb2.OrderPlaced(
        event_id=str(uuid.uuid4()),
        order_id=order_id,
        customer_id=customer,
        store_id="store-busan-noodles",
        items=[line_item_pb2.LineItem(menu_item_id="mandu", name="Mandu", quantity=2)],
    )
    completed = store_events_pb2.DeliveryCompleted(
        event_id=str(uuid.uuid4()), order_id=order_id, customer_id=customer, store_id="store-busan-noodles"
    )
    payload = completed.SerializeToString()
    run(publish(nats_url, "fooddelivery.order.placed", placed.SerializeToString(), placed.event_id, order_id))
    run(
        publish(
            nats_url, "fooddelivery.store.delivery_completed", payload, completed.event_id, header_order_id or order_id
        )
    )
    return order_id, payload


def test_three_delivered_orders_earn_one_coupon_over_grpc_rest_and_jetstream(
    marketing: Marketing, nats_url: str
) -> None:
    customer = f"c-{uuid.uuid4().hex[:8]}"
    orders = [deliver(nats_url, customer)[0] for _ in range(2)]
    # The third carries another id in its headers: identifiers are taken from the payload.
    third, _ = deliver(nats_url, customer, header_order_id="not-the-order")
    orders.append(third)
    coupons = eventually("the coupon", lambda: marketing.list_coupons(customer).coupons)
    assert len(coupons) == 1
    coupon = coupons[0]
    assert (coupon.customer_id, coupon.earned_by_order_id, coupon.delivered_orders) == (customer, third, 3)
    assert (coupon.amount.currency_code, coupon.amount.amount_minor) == ("KRW", 3000)

    status, body = marketing.rest(f"/v1/customers/{customer}/coupons", f"Bearer {token(customer)}")
    assert status == 200
    assert body["coupons"][0]["couponId"] == coupon.coupon_id
    assert body["coupons"][0]["amount"] == {"currencyCode": "KRW", "amountMinor": "3000"}

    # The items come from OrderPlaced, on another stream and consumer than the deliveries: eventually there.
    def recommendations() -> dict[str, Any] | None:
        status, body = marketing.rest(f"/v1/customers/{customer}/recommendations", f"Bearer {token(customer)}")
        assert status == 200
        items = body.get("menuItems", [])
        return body if items and items[0]["quantityOrdered"] == 6 else None

    body = eventually("the recommendations with every order's items", recommendations)
    assert body["deliveredOrders"] == 3
    assert body["stores"][0]["storeId"] == "store-busan-noodles"
    assert body["menuItems"][0] == {
        "storeId": "store-busan-noodles",
        "menuItemId": "mandu",
        "name": "Mandu",
        "quantityOrdered": 6,
        "orders": 3,
    }

    issued = eventually(
        "CouponIssued on FOODDELIVERY_MARKETING",
        lambda: [
            m for m in run(stream_messages(nats_url, "FOODDELIVERY_MARKETING")) if m.headers["Correlation-Id"] == third
        ],
    )
    assert len(issued) == 1
    event = marketing_events_pb2.CouponIssued.FromString(issued[0].data)
    assert issued[0].subject == "fooddelivery.marketing.coupon_issued"
    assert issued[0].headers["Event-Type"] == "fooddelivery.marketing.v1.CouponIssued"
    assert issued[0].headers["Event-Id"] == issued[0].headers["Nats-Msg-Id"] == event.event_id
    assert (event.coupon_id, event.order_id, event.customer_id) == (coupon.coupon_id, third, customer)
    assert issued[0].headers["Causation-Id"]
    # The outbox drained: read from the database when scraped.
    eventually("the outbox empty", lambda: marketing.metric("outbox_unpublished") == 0 or None)
    assert marketing.metric("outbox_oldest_unpublished_age_seconds") == 0
    assert "outbox_unpublished 0.0" in marketing.metrics_text()


def test_a_redelivered_event_issues_nothing_twice(marketing: Marketing, nats_url: str) -> None:
    customer = f"c-{uuid.uuid4().hex[:8]}"
    payloads = [deliver(nats_url, customer)[1] for _ in range(3)]
    event = store_events_pb2.DeliveryCompleted.FromString(payloads[2])

    def issued() -> list[Any]:
        messages = run(stream_messages(nats_url, "FOODDELIVERY_MARKETING"))
        return [m for m in messages if m.headers["Correlation-Id"] == event.order_id]

    eventually("the coupon", lambda: marketing.list_coupons(customer).coupons)
    eventually("its CouponIssued, published by the relay", issued)
    # The same event again under another message id (as a replayed dead letter is), past JetStream's dedup.
    again = f"again-{uuid.uuid4()}"
    run(publish(nats_url, "fooddelivery.store.delivery_completed", payloads[2], event.event_id, event.order_id, again))
    eventually(
        "the store consumer to settle",
        lambda: run(consumer_idle(nats_url, "FOODDELIVERY_STORE", "marketing-follow-stores")),
    )
    assert len(marketing.list_coupons(customer).coupons) == 1
    assert len(issued()) == 1


def test_a_poison_message_is_retried_a_bounded_number_of_times_then_dead_lettered(
    marketing: Marketing, nats_url: str
) -> None:
    order_id = f"poison-{uuid.uuid4()}"
    event_id = str(uuid.uuid4())
    retried_before = marketing.metric("events_consumed_total", consumer="marketing-follow-stores", outcome="retried")
    run(publish(nats_url, "fooddelivery.store.delivery_completed", b"\xff\xff\xff\x0f", event_id, order_id))
    letter = eventually(
        "the dead letter",
        lambda: [
            m
            for m in run(stream_messages(nats_url, "FOODDELIVERY_DEADLETTER"))
            if m.headers.get("Event-Id") == event_id
        ],
    )[0]
    assert letter.subject == "fooddelivery.deadletter.marketing-follow-stores"
    assert letter.headers["Dead-Letter-Subject"] == "fooddelivery.store.delivery_completed"
    assert letter.headers["Dead-Letter-Consumer"] == "marketing-follow-stores"
    assert letter.headers["Dead-Letter-Deliveries"] == "4"
    assert "DeliveryCompleted" in letter.headers["Dead-Letter-Reason"]
    assert letter.headers["Correlation-Id"] == order_id
    assert letter.data == b"\xff\xff\xff\x0f"
    retried = marketing.metric("events_consumed_total", consumer="marketing-follow-stores", outcome="retried")
    assert retried - retried_before == 3
    # Read from JetStream when scraped: the letter waits, nothing else does.
    assert marketing.metric("dead_letter_messages", consumer="marketing-follow-stores") >= 1
    follow_stores = {"stream": "FOODDELIVERY_STORE", "consumer": "marketing-follow-stores"}
    assert marketing.metric("jetstream_consumer_pending_messages", **follow_stores) == 0
    assert marketing.metric("jetstream_consumer_ack_pending_messages", **follow_stores) == 0
    assert marketing.metric("event_handling_seconds_count", consumer="marketing-follow-stores") >= 4
    # The consumer goes on.
    customer = f"c-{uuid.uuid4().hex[:8]}"
    for _ in range(3):
        deliver(nats_url, customer)
    eventually("a coupon after the poison message", lambda: marketing.list_coupons(customer).coupons)


def test_who_may_read_what(marketing: Marketing) -> None:
    status, body = marketing.rest("/v1/customers/c-1/coupons", None)
    assert status == 401 and body["code"] == 16
    status, body = marketing.rest("/v1/customers/c-1/coupons", f"Bearer {token('c-2')}")
    assert status == 403 and body["code"] == 7
    assert body["details"][0]["reason"] == "MARKETING.PERMISSION_DENIED"
    status, body = marketing.rest("/v1/customers/c-1/coupons?pageSize=101", f"Bearer {token('c-1')}")
    assert status == 400 and body["details"][0]["metadata"] == {"field": "page_size"}
    with pytest.raises(grpc.RpcError) as failure:
        marketing.list_coupons("c-1", who="c-2")
    assert failure.value.code() == grpc.StatusCode.PERMISSION_DENIED
    assert dict(failure.value.trailing_metadata())["error-reason"] == "MARKETING.PERMISSION_DENIED"
    status, body = marketing.rest("/v1/customers/c-9/coupons", f"Bearer {token('ops', 'admin')}")
    assert status == 200 and body == {}


def test_grpc_and_rest_calls_are_counted_alike_with_the_grpc_code_they_answer(marketing: Marketing) -> None:
    refused = {
        "grpc_service": "fooddelivery.marketing.v1.MarketingService",
        "grpc_method": "ListCoupons",
        "grpc_code": "PermissionDenied",
    }
    before = {t: marketing.metric("grpc_server_handled_total", transport=t, **refused) for t in ("grpc", "rest")}
    status, _ = marketing.rest("/v1/customers/c-1/coupons", f"Bearer {token('c-2')}")
    assert status == 403
    with pytest.raises(grpc.RpcError):
        marketing.list_coupons("c-1", who="c-2")
    for transport in ("grpc", "rest"):
        assert marketing.metric("grpc_server_handled_total", transport=transport, **refused) == before[transport] + 1
    ok = {"grpc_method": "ListCoupons", "grpc_code": "OK", "transport": "grpc"}
    calls = marketing.metric("grpc_server_handled_total", **ok)
    marketing.list_coupons("c-1", who="c-1")
    assert marketing.metric("grpc_server_handled_total", **ok) == calls + 1
    timed = marketing.metric("grpc_server_handling_seconds_count", grpc_method="ListCoupons", transport="grpc")
    assert timed >= calls + 1


async def delete_consumer(nats_url: str, stream: str, durable: str) -> None:
    nc = await nats.connect(nats_url)
    try:
        await nc.jsm().delete_consumer(stream, durable)
    finally:
        await nc.close()


def test_a_deleted_durable_consumer_is_set_up_again_and_issues_nothing_twice(
    marketing: Marketing, nats_url: str
) -> None:
    before = marketing.metric("events_consumed_total", consumer="marketing-follow-stores", outcome="handled")
    run(delete_consumer(nats_url, "FOODDELIVERY_STORE", "marketing-follow-stores"))
    customer = f"c-{uuid.uuid4().hex[:8]}"
    for _ in range(3):
        deliver(nats_url, customer)
    eventually("a coupon from the consumer set up again", lambda: marketing.list_coupons(customer).coupons, 40)
    # Set up again from the start of the stream: every earlier event comes back, and has no second effect.
    assert marketing.metric("events_consumed_total", consumer="marketing-follow-stores", outcome="handled") > before
    eventually(
        "the store consumer to settle",
        lambda: run(consumer_idle(nats_url, "FOODDELIVERY_STORE", "marketing-follow-stores")),
        40,
    )

    def issued_by_customer() -> dict[str, int]:
        counts: dict[str, int] = {}
        for message in run(stream_messages(nats_url, "FOODDELIVERY_MARKETING")):
            issued = marketing_events_pb2.CouponIssued.FromString(message.data)
            counts[issued.customer_id] = counts.get(issued.customer_id, 0) + 1
        return counts

    counts = eventually(
        "this customer's CouponIssued", lambda: issued_by_customer().get(customer) and issued_by_customer()
    )
    assert counts[customer] == 1
    assert all(n == 1 for n in counts.values()), counts


def test_health_over_http_for_probes_that_cannot_present_a_certificate(marketing: Marketing) -> None:
    assert marketing.rest("/healthz", None) == (200, {"status": "alive"})
    assert eventually("SERVING", lambda: marketing.rest("/readyz", None) == (200, {"status": "SERVING"}))
