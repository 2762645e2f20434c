"""The gRPC server: the service's handlers bound from its descriptor, the standard grpc.health.v1
health service (NOT_SERVING until the service is ready, and again from the start of shutdown)
and server reflection (grpcurl list / describe)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import grpc
from google.protobuf.descriptor import ServiceDescriptor
from google.protobuf.message import DecodeError
from grpc_health.v1 import health, health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection

from marketing.adapters.errors import to_public_error
from marketing.adapters.log import Logger, log_context
from marketing.adapters.rpc import Authenticate, Handler, Method, RpcCall, log_failure, methods_of
from marketing.domain.errors import MarketingError, invalid_field


@dataclass(frozen=True)
class TlsFiles:
    """Mutual TLS: this service's certificate and key, and the CA its clients' certificates must chain to."""

    cert_file: str
    key_file: str
    ca_file: str

    def server_credentials(self) -> grpc.ServerCredentials:
        return grpc.ssl_server_credentials(
            [(Path(self.key_file).read_bytes(), Path(self.cert_file).read_bytes())],
            root_certificates=Path(self.ca_file).read_bytes(),
            require_client_auth=True,
        )


class GrpcServer:
    def __init__(
        self,
        service: ServiceDescriptor,
        handlers: Callable[[], dict[str, Handler] | None],
        authenticate: Authenticate,
        logger: Logger,
    ) -> None:
        self._service = service
        self._handlers = handlers
        self._authenticate = authenticate
        self._logger = logger
        self._server = grpc.aio.server()
        self.health = health.aio.HealthServicer()
        health_pb2_grpc.add_HealthServicer_to_server(self.health, self._server)
        reflection.enable_server_reflection(
            [service.full_name, health.SERVICE_NAME, reflection.SERVICE_NAME], self._server
        )
        rpc_handlers = {m.name: self._unary(m) for m in methods_of(service)}
        self._server.add_generic_rpc_handlers((grpc.method_handlers_generic_handler(service.full_name, rpc_handlers),))

    async def listen(self, host: str, port: int, tls: TlsFiles | None = None) -> int:
        address = f"{host}:{port}"
        bound = (
            self._server.add_secure_port(address, tls.server_credentials())
            if tls
            else self._server.add_insecure_port(address)
        )
        if bound == 0:
            raise OSError(f"cannot listen on {host}:{port}")
        await self.set_serving(False)
        await self._server.start()
        return bound

    async def set_serving(self, serving: bool) -> None:
        status = health_pb2.HealthCheckResponse.SERVING if serving else health_pb2.HealthCheckResponse.NOT_SERVING
        for name in ("", self._service.full_name):
            await self.health.set(name, status)

    async def shutdown(self, grace_s: float) -> None:
        await self._server.stop(grace_s)

    def _unary(self, method: Method) -> grpc.RpcMethodHandler:
        rpc = method.name

        async def behaviour(request: object, context: grpc.aio.ServicerContext) -> object:
            call = RpcCall(method.descriptor, "grpc")
            with log_context(rpc=rpc):
                try:
                    authorization = dict(context.invocation_metadata() or ()).get("authorization")
                    actor = self._authenticate(rpc, authorization if isinstance(authorization, str) else None)
                    if isinstance(request, _Malformed):
                        raise invalid_field(
                            "request", f"is not a valid {method.request.DESCRIPTOR.full_name} ({request.problem})"
                        )
                    handlers = self._handlers()
                    if handlers is None:
                        raise MarketingError(
                            "SERVICE.STARTING", "unavailable", "the service is starting; try again shortly"
                        )
                    response = await handlers[rpc](request, actor)
                    call.done(grpc.StatusCode.OK)
                    return response
                except Exception as error:
                    failure = to_public_error(error)
                    call.done(failure.grpc_status)
                    log_failure(self._logger, rpc, failure, error)
                    trailers: list[tuple[str, str | bytes]] = [
                        ("error-reason", failure.reason),
                        ("grpc-status-details-bin", failure.status().SerializeToString()),
                    ]
                    if failure.field:
                        trailers.append(("error-field", failure.field))
                    if failure.retry_after_seconds is not None:
                        trailers.append(("retry-after", str(failure.retry_after_seconds)))
                    context.set_trailing_metadata(tuple(trailers))
                    await context.abort(failure.grpc_status, failure.message)

        return grpc.unary_unary_rpc_method_handler(
            behaviour,
            request_deserializer=_guarded(method.request.FromString),
            response_serializer=method.response.SerializeToString,
        )


@dataclass(frozen=True)
class _Malformed:
    """Bytes that are not the request message: answered INVALID_ARGUMENT once the caller is known."""

    problem: str


def _guarded(parse: Callable[[bytes], object]) -> Callable[[bytes], object]:
    def deserialize(data: bytes) -> object:
        try:
            return parse(data)
        except DecodeError as error:
            return _Malformed(str(error) or "undecodable")

    return deserialize
