"""Adapters without servers: tokens, configuration, REST path templates, the events on the wire."""

from __future__ import annotations

import json
import time
from pathlib import Path

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from fooddelivery.common.v1 import line_item_pb2, money_pb2
from fooddelivery.marketing.v1 import marketing_events_pb2
from fooddelivery.order.v1 import order_events_pb2
from fooddelivery.store.v1 import store_events_pb2

from marketing.adapters.auth import TokenVerifier, contains_development_key, load_jwks
from marketing.adapters.config import ConfigurationError, load_config
from marketing.adapters.events.event_handlers import UndecodableEvent, delivery, placed_order
from marketing.adapters.grpc.marketing_handlers import SERVICE
from marketing.adapters.production import production_problems
from marketing.adapters.publisher.coupon_events import COUPON_ISSUED_SUBJECT, encode_coupon_issued
from marketing.adapters.rest.http_rules import PathTemplate, http_routes
from marketing.domain.errors import MarketingError
from mothers import T0, a_rule

REPO = Path(__file__).resolve().parents[4]
JWKS = REPO / "envoy" / "jwks.json"
DEV_KEY = (REPO / "envoy" / "dev-keys" / "jwt-private.pem").read_bytes()


def token(key: bytes = DEV_KEY, **claims: object) -> str:
    body = {
        "sub": "c-1",
        "role": "customer",
        "iss": "fooddelivery-dev",
        "aud": "fooddelivery",
        "iat": int(time.time()),
        "exp": time.time() + 600,
    }
    body.update(claims)
    body = {k: v for k, v in body.items() if v is not None}
    return jwt.encode(body, key, algorithm="ES256", headers={"kid": "fooddelivery-dev-1"})


class TestTokens:
    verifier = TokenVerifier(str(JWKS), "fooddelivery-dev", "fooddelivery")

    def test_a_valid_token_names_the_caller(self) -> None:
        actor = self.verifier.verify(f"Bearer {token()}")
        assert (actor.subject, actor.role) == ("c-1", "customer")
        owner = self.verifier.verify(f"Bearer {token(sub='store-a', role='store_owner', store_id='store-a')}")
        assert owner.store_id == "store-a"

    @pytest.mark.parametrize(
        ("authorization", "message"),
        [
            (None, "a bearer token is required (authorization: Bearer <token>)"),
            ("Basic abc", 'the authorization header must be "Bearer <token>"'),
            ("Bearer not-a-jwt", "the token is not a valid JWT"),
            (f"Bearer {token(exp=time.time() - 300)}", "the token has expired"),
            (f"Bearer {token(aud='elsewhere')}", "the token's aud claim is not accepted here"),
            (f"Bearer {token(iss='someone-else')}", "the token's iss claim is not accepted here"),
            (f"Bearer {token(role='chef')}", "the token has no known role"),
            (f"Bearer {token(role='store_owner')}", "a store owner token must name its store (store_id)"),
            (f"Bearer {token(sub=None)}", "the token has no sub claim"),
            (f"Bearer {token(exp=None)}", "the token has no exp claim"),
            (f"Bearer {token(iat=None)}", "the token has no iat claim"),
            (f"Bearer {token(iat=int(time.time()) + 365 * 86400)}", "the token is issued in the future"),
            (f"Bearer {token(exp=time.time() + 100 * 365 * 86400)}", "the token is valid for longer than 86400 s"),
        ],
    )
    def test_a_bad_token_is_refused_with_the_reason(self, authorization: str | None, message: str) -> None:
        with pytest.raises(MarketingError) as failure:
            self.verifier.verify(authorization)
        assert failure.value.kind == "unauthenticated"
        assert failure.value.message == message

    def test_a_forged_token_is_refused(self) -> None:
        other = ec.generate_private_key(ec.SECP256R1()).private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
        with pytest.raises(MarketingError) as failure:
            self.verifier.verify(f"Bearer {token(key=other)}")
        assert failure.value.message == "the token is not signed by a trusted key"

    def test_an_algorithm_not_pinned_is_refused(self) -> None:
        unsigned = jwt.encode({"sub": "c-1", "role": "customer"}, "", algorithm="none")
        with pytest.raises(MarketingError) as failure:
            self.verifier.verify(f"Bearer {unsigned}")
        assert failure.value.message == "the token is signed with an algorithm not accepted here"


class TestProduction:
    def test_development_is_allowed_the_committed_keys(self) -> None:
        assert production_problems(load_config({"AUTH_JWKS_FILE": str(JWKS)})) == []

    def test_production_refuses_the_development_key_issuer_and_anonymous_nats(self) -> None:
        problems = production_problems(load_config({"DEPLOY_ENV": "production", "AUTH_JWKS_FILE": str(JWKS)}))
        assert problems == [
            'AUTH_ISSUER must not be the development issuer "fooddelivery-dev" when DEPLOY_ENV=production',
            f"AUTH_JWKS_FILE must not contain the development key ({JWKS}) when DEPLOY_ENV=production",
            "NATS_NKEY_SEED_FILE must be set when DEPLOY_ENV=production (NATS refuses anonymous clients)",
        ]

    def test_the_development_key_is_found_by_its_thumbprint(self) -> None:
        dev = load_jwks(str(JWKS))
        renamed = {"keys": [dict(key, kid="production-1") for key in dev["keys"]]}
        assert contains_development_key(renamed)
        other = ec.generate_private_key(ec.SECP256R1()).public_key()
        assert not contains_development_key({"keys": [json.loads(jwt.algorithms.ECAlgorithm.to_jwk(other))]})


class TestConfiguration:
    def test_defaults(self) -> None:
        config = load_config({})
        assert (config.GRPC_PORT, config.HTTP_PORT) == (50055, 8085)
        assert config.DATABASE_URL == "sqlite:.data/marketing.sqlite"
        assert (config.COUPON_EVERY_ORDERS, config.COUPON_AMOUNT_MINOR, config.COUPON_CURRENCY) == (3, 3000, "KRW")
        assert config.CONSUMER_BACKOFF_MS == (1000, 5000, 15000, 30000)

    def test_every_bad_variable_is_named(self) -> None:
        with pytest.raises(ConfigurationError) as failure:
            load_config(
                {"GRPC_PORT": "seventy", "COUPON_EVERY_ORDERS": "0", "DATABASE_URL": "mysql://x", "AUTH_MODE": "maybe"}
            )
        problems = failure.value.problems
        assert 'GRPC_PORT must be a port number (got "seventy")' in problems
        assert any(p.startswith("COUPON_EVERY_ORDERS must be between 1 and 1000") for p in problems)
        assert any(p.startswith("DATABASE_URL must be sqlite:<file> or postgres://") for p in problems)
        assert any(p.startswith("AUTH_MODE must be jwt or off") for p in problems)

    def test_mutual_tls_needs_all_three_files(self) -> None:
        with pytest.raises(ConfigurationError) as failure:
            load_config({"GRPC_TLS_CERT_FILE": "/tls/tls.crt"})
        assert failure.value.problems == [
            "GRPC_TLS_KEY_FILE, GRPC_TLS_CA_FILE must be set with GRPC_TLS_CERT_FILE "
            "(mutual TLS needs all three files, or none)"
        ]

    def test_handled_events_are_kept_as_long_as_the_streams_keep_events(self) -> None:
        with pytest.raises(ConfigurationError) as failure:
            load_config({"RETENTION_MS": "1000"})
        assert failure.value.problems[0].startswith("RETENTION_MS must not be shorter than STREAM_MAX_AGE_MS")


class TestRestRules:
    def test_routes_come_from_the_google_api_http_rules(self) -> None:
        routes = {(r.method.name, r.http_method, r.template) for r in http_routes(SERVICE)}
        assert routes == {
            ("ListCoupons", "GET", "/v1/customers/{customer_id}/coupons"),
            ("GetRecommendations", "GET", "/v1/customers/{customer_id}/recommendations"),
        }

    def test_path_templates(self) -> None:
        template = PathTemplate.parse("/v1/customers/{customer_id}/coupons")
        assert template.match("/v1/customers/c-1/coupons") == {"customer_id": "c-1"}
        assert template.match("/v1/customers/c%3A1/coupons") == {"customer_id": "c:1"}
        assert template.match("/v1/customers//coupons") is None
        assert template.match("/v1/customers/c-1/coupons/x") is None
        verb = PathTemplate.parse("/v1/orders/{order_id}:cancel")
        assert verb.match("/v1/orders/o-1:cancel") == {"order_id": "o-1"}
        assert verb.match("/v1/orders/o-1") is None


class TestEventsOnTheWire:
    def test_order_placed_is_decoded_from_the_payload(self) -> None:
        event = order_events_pb2.OrderPlaced(
            event_id="ev-1",
            order_id="o-1",
            customer_id="c-1",
            store_id="s-1",
            items=[line_item_pb2.LineItem(menu_item_id="mandu", name="Mandu", quantity=2)],
            total=money_pb2.Money(currency_code="KRW", amount_minor=12000),
        )
        event.occurred_at.FromDatetime(T0)
        event_id, order = placed_order(event.SerializeToString())
        assert event_id == "ev-1"
        assert (order.order_id, order.customer_id, order.store_id, order.placed_at) == ("o-1", "c-1", "s-1", T0)
        assert [(i.menu_item_id, i.name, i.quantity) for i in order.items] == [("mandu", "Mandu", 2)]

    def test_delivery_completed_is_decoded_from_the_payload(self) -> None:
        event = store_events_pb2.DeliveryCompleted(event_id="ev-2", order_id="o-1", customer_id="c-1", store_id="s-1")
        event.occurred_at.FromDatetime(T0)
        completed = delivery(event.SerializeToString())
        assert (completed.event_id, completed.order_id, completed.customer_id, completed.delivered_at) == (
            "ev-2",
            "o-1",
            "c-1",
            T0,
        )

    @pytest.mark.parametrize(
        "payload",
        [b"\xff\xff\xff\x0f", store_events_pb2.DeliveryCompleted(event_id="ev", order_id="o").SerializeToString()],
    )
    def test_a_payload_that_is_not_a_complete_event_is_refused(self, payload: bytes) -> None:
        with pytest.raises(UndecodableEvent):
            delivery(payload)

    def test_coupon_issued_goes_out_as_the_contract_says(self) -> None:
        issued = a_rule().reward("c-1", "o-3", 3, T0, "ev-3")
        assert issued is not None
        outgoing = encode_coupon_issued(issued)
        assert outgoing.subject == COUPON_ISSUED_SUBJECT == "fooddelivery.marketing.coupon_issued"
        assert outgoing.event_type == "fooddelivery.marketing.v1.CouponIssued"
        assert (outgoing.event_id, outgoing.order_id, outgoing.causation_id) == (issued.event_id, "o-3", "ev-3")
        wire = marketing_events_pb2.CouponIssued.FromString(outgoing.payload)
        assert (wire.coupon_id, wire.customer_id, wire.order_id, wire.delivered_orders) == (
            issued.coupon.coupon_id,
            "c-1",
            "o-3",
            3,
        )
        assert (wire.amount.currency_code, wire.amount.amount_minor) == ("KRW", 3000)
        assert wire.occurred_at.ToDatetime().replace(tzinfo=T0.tzinfo) == T0
