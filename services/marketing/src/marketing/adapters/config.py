"""Configuration from environment variables, validated at start: every bad variable is named
(the same variables and defaults as adapters/src/config.ts, plus marketing's own)."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from marketing.adapters.log import LEVELS


class ConfigurationError(Exception):
    def __init__(self, problems: list[str]) -> None:
        super().__init__(f"invalid configuration: {'; '.join(problems)}")
        self.problems = problems


@dataclass(frozen=True)
class Config:
    GRPC_PORT: int
    HTTP_PORT: int
    BIND_HOST: str
    NATS_URL: str
    NATS_NKEY_SEED_FILE: str
    LOG_LEVEL: str
    SHUTDOWN_GRACE_MS: int
    CONSUMER_ACK_WAIT_MS: int
    CONSUMER_BACKOFF_MS: tuple[int, ...]
    JETSTREAM_REPLICAS: int
    STREAM_MAX_AGE_MS: int
    RETENTION_MS: int
    AUTH_MODE: str
    AUTH_JWKS_FILE: str
    AUTH_ISSUER: str
    AUTH_AUDIENCE: str
    AUTH_ALGORITHMS: tuple[str, ...]
    AUTH_MAX_TOKEN_LIFETIME_S: int
    AUTH_CLOCK_SKEW_S: int
    DEPLOY_ENV: str
    GRPC_TLS_CERT_FILE: str
    GRPC_TLS_KEY_FILE: str
    GRPC_TLS_CA_FILE: str
    FAULT_DELAY_BEFORE_ACK_MS: int
    DATABASE_URL: str
    COUPON_EVERY_ORDERS: int
    COUPON_AMOUNT_MINOR: int
    COUPON_CURRENCY: str
    COUPON_VALID_DAYS: int


Parser = Callable[[str], Any]


class _Invalid(ValueError):
    pass


def _integer(minimum: int, maximum: int | None = None, what: str = "a number") -> Parser:
    def parse(raw: str) -> int:
        if not re.fullmatch(r"-?\d+", raw.strip()):
            raise _Invalid(f"must be {what}")
        value = int(raw)
        if value < minimum or (maximum is not None and value > maximum):
            if maximum is not None:
                raise _Invalid(f"must be between {minimum} and {maximum}")
            raise _Invalid("must be positive" if minimum == 1 else f"must be at least {minimum}")
        return value

    return parse


def _choice(*options: str) -> Parser:
    def parse(raw: str) -> str:
        if raw not in options:
            raise _Invalid(
                f"must be {' or '.join(options)}" if len(options) <= 2 else f"must be one of {', '.join(options)}"
            )
        return raw

    return parse


def _pattern(regex: str, problem: str) -> Parser:
    def parse(raw: str) -> str:
        if not re.fullmatch(regex, raw):
            raise _Invalid(problem)
        return raw

    return parse


def _milliseconds_list(raw: str) -> tuple[int, ...]:
    if not re.fullmatch(r"\d+(,\d+)*", raw):
        raise _Invalid("must be a comma-separated list of milliseconds, e.g. 1000,5000")
    return tuple(int(part) for part in raw.split(","))


_port = _integer(0, 65535, "a port number")
_positive = _integer(1)
_non_negative = _integer(0)
_text = _pattern(r".+", "must not be empty")

_optional = _pattern(r".*", "")
# As adapters/src/config.ts: asymmetric signatures only (no HS*, never none), no spaces.
_algorithms_pattern = _pattern(
    r"(ES|RS|PS)(256|384|512)(,(ES|RS|PS)(256|384|512))*",
    "must be a comma-separated list such as ES256,RS256 (no HS*, never none)",
)


def _algorithms(raw: str) -> tuple[str, ...]:
    return tuple(_algorithms_pattern(raw).split(","))


_SCHEMA: dict[str, tuple[Parser, str]] = {
    "GRPC_PORT": (_port, "50055"),
    "HTTP_PORT": (_port, "8085"),
    "BIND_HOST": (_text, "0.0.0.0"),
    "NATS_URL": (
        _pattern(r"(nats|tls)://.+", "must be a URL starting with nats:// or tls://"),
        "nats://127.0.0.1:4222",
    ),
    # The file holding this service's NATS nkey seed; empty connects anonymously.
    "NATS_NKEY_SEED_FILE": (_optional, ""),
    "LOG_LEVEL": (_choice(*LEVELS), "info"),
    "SHUTDOWN_GRACE_MS": (_positive, "10000"),
    "CONSUMER_ACK_WAIT_MS": (_positive, "30000"),
    "CONSUMER_BACKOFF_MS": (_milliseconds_list, "1000,5000,15000,30000"),
    "JETSTREAM_REPLICAS": (_positive, "1"),
    "STREAM_MAX_AGE_MS": (_positive, str(7 * 24 * 3_600_000)),
    "RETENTION_MS": (_positive, str(7 * 24 * 3_600_000)),
    "AUTH_MODE": (_choice("jwt", "off"), "jwt"),
    "AUTH_JWKS_FILE": (_text, "envoy/jwks.json"),
    "AUTH_ISSUER": (_text, "fooddelivery-dev"),
    "AUTH_AUDIENCE": (_text, "fooddelivery"),
    "AUTH_ALGORITHMS": (_algorithms, "ES256"),
    "AUTH_MAX_TOKEN_LIFETIME_S": (_positive, "86400"),
    "AUTH_CLOCK_SKEW_S": (_non_negative, "60"),
    "DEPLOY_ENV": (_choice("development", "production"), "development"),
    # Mutual TLS on the gRPC port: all three files, or none (plaintext, the local default).
    "GRPC_TLS_CERT_FILE": (_optional, ""),
    "GRPC_TLS_KEY_FILE": (_optional, ""),
    "GRPC_TLS_CA_FILE": (_optional, ""),
    "FAULT_DELAY_BEFORE_ACK_MS": (_non_negative, "0"),
    "DATABASE_URL": (
        _pattern(r"sqlite:.+|postgres(ql)?://.+", "must be sqlite:<file> or postgres://user@host:port/database"),
        "sqlite:.data/marketing.sqlite",
    ),
    "COUPON_EVERY_ORDERS": (_integer(1, 1000), "3"),
    "COUPON_AMOUNT_MINOR": (_positive, "3000"),
    "COUPON_CURRENCY": (_pattern(r"[A-Z]{3}", "must be an ISO 4217 code such as KRW"), "KRW"),
    "COUPON_VALID_DAYS": (_integer(1, 3650), "30"),
}


def load_config(env: Mapping[str, str]) -> Config:
    values: dict[str, Any] = {}
    problems: list[str] = []
    for name, (parse, default) in _SCHEMA.items():
        raw = env.get(name)
        try:
            values[name] = parse(default if raw is None else raw)
        except _Invalid as error:
            shown = "not set" if raw is None else f"got {raw!r}".replace("'", '"')
            problems.append(f"{name} {error} ({shown})")
    if not problems and values["RETENTION_MS"] < values["STREAM_MAX_AGE_MS"]:
        problems.append(
            f"RETENTION_MS must not be shorter than STREAM_MAX_AGE_MS ({values['STREAM_MAX_AGE_MS']}): a dead letter "
            "replayed from the stream would be handled again by consumers that already forgot it"
        )
    if not problems:
        problems.extend(_tls_rules(values))
    if problems:
        raise ConfigurationError(problems)
    return Config(**values)


def _tls_rules(values: Mapping[str, Any]) -> list[str]:
    names = ("GRPC_TLS_CERT_FILE", "GRPC_TLS_KEY_FILE", "GRPC_TLS_CA_FILE")
    given = [name for name in names if values[name]]
    if given and len(given) < len(names):
        missing = ", ".join(name for name in names if name not in given)
        return [f"{missing} must be set with {', '.join(given)} (mutual TLS needs all three files, or none)"]
    return []
