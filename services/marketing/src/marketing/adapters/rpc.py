"""What the gRPC and REST servers share: the served service's methods, who is calling, and how a
call's outcome is counted and logged."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import grpc
from google.protobuf.descriptor import MethodDescriptor, ServiceDescriptor
from google.protobuf.message import Message
from google.protobuf.message_factory import GetMessageClass
from prometheus_client import Counter, Histogram

from marketing.adapters.errors import PublicError
from marketing.adapters.log import Logger
from marketing.application.ports import Actor

Handler = Callable[[Any, Actor], Awaitable[Message]]
Authenticate = Callable[[str, str | None], Actor]

# grpc-prometheus's names and labels, as the TypeScript services have them. A REST call is counted
# with the gRPC code its answer maps to: one code vocabulary on both transports.
_LABELS = ["grpc_type", "grpc_service", "grpc_method", "transport"]
rpc_started = Counter("grpc_server_started_total", "RPCs started on the server, over gRPC or REST", _LABELS)
rpc_handled = Counter(
    "grpc_server_handled_total",
    "RPCs completed on the server, by gRPC status code (REST calls by the code their answer maps to)",
    [*_LABELS, "grpc_code"],
)
rpc_duration = Histogram(
    "grpc_server_handling_seconds",
    "Time from the start of an RPC to its completion",
    _LABELS,
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


def grpc_code_name(code: grpc.StatusCode) -> str:
    """The `grpc_code` label, as grpc-go (and so grpc-prometheus) names codes: OK, NotFound, Unavailable, …"""
    if code is grpc.StatusCode.CANCELLED:
        return "Canceled"
    return "".join(part.capitalize() for part in code.name.split("_")) if code is not grpc.StatusCode.OK else "OK"


class RpcCall:
    """One unary call: counted as started now, and as handled with the gRPC code name it ends with."""

    def __init__(self, method: MethodDescriptor, transport: str) -> None:
        self._labels = ("unary", method.containing_service.full_name, method.name, transport)
        self._start = time.perf_counter()
        self._done = False
        rpc_started.labels(*self._labels).inc()

    def done(self, code: grpc.StatusCode) -> None:
        if self._done:
            return
        self._done = True
        rpc_duration.labels(*self._labels).observe(time.perf_counter() - self._start)
        rpc_handled.labels(*self._labels, grpc_code_name(code)).inc()


def log_failure(logger: Logger, rpc: str, failure: PublicError, error: BaseException) -> None:
    if failure.unexpected:
        logger.error("unexpected failure", exc_info=True, rpc=rpc, err=repr(error))
    elif failure.reason == "DEPENDENCY.UNAVAILABLE":
        logger.warn(failure.message, rpc=rpc, reason=failure.reason, err=str(error))
    else:
        logger.info(failure.message, rpc=rpc, reason=failure.reason)
