"""What the gRPC and REST servers share: the served service's methods, who is calling, and how a
call's outcome is counted and logged."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from google.protobuf.descriptor import MethodDescriptor, ServiceDescriptor
from google.protobuf.message import Message
from google.protobuf.message_factory import GetMessageClass
from prometheus_client import Counter, Histogram

from marketing.adapters.errors import PublicError
from marketing.adapters.log import Logger
from marketing.application.ports import Actor

Handler = Callable[[Any, Actor], Awaitable[Message]]
Authenticate = Callable[[str, str | None], Actor]

rpc_handled = Counter(
    "rpc_server_handled_total", "RPCs completed, by method, transport and status code", ["method", "transport", "code"]
)
rpc_duration = Histogram(
    "rpc_server_duration_seconds",
    "RPC handling time, by method and transport",
    ["method", "transport"],
    buckets=(0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)


@dataclass(frozen=True)
class Method:
    name: str
    descriptor: MethodDescriptor
    request: type[Message]
    response: type[Message]


def methods_of(service: ServiceDescriptor) -> list[Method]:
    return [Method(m.name, m, GetMessageClass(m.input_type), GetMessageClass(m.output_type)) for m in service.methods]


class Timer:
    def __init__(self, method: str, transport: str) -> None:
        self._labels = (method, transport)
        self._start = time.perf_counter()

    def done(self) -> None:
        rpc_duration.labels(*self._labels).observe(time.perf_counter() - self._start)


def log_failure(logger: Logger, rpc: str, failure: PublicError, error: BaseException) -> None:
    if failure.unexpected:
        logger.error("unexpected failure", exc_info=True, rpc=rpc, err=repr(error))
    elif failure.reason == "DEPENDENCY.UNAVAILABLE":
        logger.warn(failure.message, rpc=rpc, reason=failure.reason, err=str(error))
    else:
        logger.info(failure.message, rpc=rpc, reason=failure.reason)
