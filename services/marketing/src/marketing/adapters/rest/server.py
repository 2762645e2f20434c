"""REST on the paths of the google.api.http rules, transcoded as Envoy's grpc_json_transcoder does
(the proto3 JSON mapping, camelCase names, errors as google.rpc.Status JSON with the HTTP status of
the gRPC code), served by the same handlers as gRPC. Also /metrics, /healthz (the process answers)
and /readyz (200 while SERVING, as the gRPC health service says)."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

import grpc
from aiohttp import web
from google.protobuf import json_format
from google.protobuf.descriptor import Descriptor, FieldDescriptor, ServiceDescriptor
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from marketing.adapters.errors import PublicError, to_public_error
from marketing.adapters.log import Logger, log_context
from marketing.adapters.rest.http_rules import HttpRoute, http_routes
from marketing.adapters.rpc import Authenticate, Handler, RpcCall, log_failure
from marketing.adapters.scrape import read_all
from marketing.domain.errors import MarketingError, invalid_field


class RestServer:
    def __init__(
        self,
        service: ServiceDescriptor,
        handlers: Callable[[], dict[str, Handler] | None],
        authenticate: Authenticate,
        logger: Logger,
        body_limit_bytes: int = 256 * 1024,
    ) -> None:
        self._routes = http_routes(service)
        self._handlers = handlers
        self._authenticate = authenticate
        self._logger = logger
        self._app = web.Application(client_max_size=body_limit_bytes)
        self._serving = False
        self._app.router.add_get("/metrics", self._metrics)
        self._app.router.add_get("/healthz", self._alive)
        self._app.router.add_get("/readyz", self._ready)
        self._app.router.add_route("*", "/{tail:.*}", self._dispatch)
        self._runner: web.AppRunner | None = None

    async def listen(self, host: str, port: int) -> int:
        self._runner = web.AppRunner(self._app, access_log=None, handle_signals=False)
        await self._runner.setup()
        site = web.TCPSite(self._runner, host, port, shutdown_timeout=5)
        await site.start()
        server = site._server  # the bound port, when 0 was asked for
        sockets = getattr(server, "sockets", None) or []
        return int(sockets[0].getsockname()[1]) if sockets else port

    def set_serving(self, serving: bool) -> None:
        self._serving = serving

    async def _alive(self, _request: web.Request) -> web.Response:
        return _json({"status": "alive"}, 200)

    async def _ready(self, _request: web.Request) -> web.Response:
        return _json({"status": "SERVING" if self._serving else "NOT_SERVING"}, 200 if self._serving else 503)

    async def close(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    async def _metrics(self, _request: web.Request) -> web.Response:
        await read_all()
        return web.Response(body=generate_latest(), headers={"content-type": CONTENT_TYPE_LATEST})

    async def _dispatch(self, request: web.Request) -> web.Response:
        path = request.rel_url.raw_path
        found, path_exists = None, False
        for route in self._routes:
            variables = route.path.match(path)
            if variables is None:
                continue
            if route.http_method == request.method:
                found = (route, variables)
                break
            path_exists = True
        if found is None:
            status, code = (405, 12) if path_exists else (404, 5)
            return _json({"code": code, "message": f"no route for {request.method} {path}", "details": []}, status)
        route, variables = found
        rpc = route.method.name
        with log_context(rpc=rpc):
            call = RpcCall(route.method.descriptor, "rest")
            try:
                actor = self._authenticate(rpc, request.headers.get("authorization"))
                message = await self._decode(route, variables, request)
                handlers = self._handlers()
                if handlers is None:
                    raise MarketingError(
                        "SERVICE.STARTING", "unavailable", "the service is starting; try again shortly"
                    )
                response = await handlers[rpc](message, actor)
                call.done(grpc.StatusCode.OK)
                return _json(json_format.MessageToDict(response), 200)
            except Exception as error:
                failure = to_public_error(error)
                call.done(failure.grpc_status)
                log_failure(self._logger, rpc, failure, error)
                return _failure_response(failure)

    async def _decode(self, route: HttpRoute, variables: dict[str, str], request: web.Request) -> Any:
        data: dict[str, Any] = {}
        descriptor = route.method.request.DESCRIPTOR
        if route.body:
            text = (await request.text()).strip()
            try:
                parsed = json.loads(text) if text else {}
            except json.JSONDecodeError as error:
                raise invalid_field("body", "is not valid JSON") from error
            if route.body == "*":
                if not isinstance(parsed, dict):
                    raise invalid_field("body", "must be a JSON object")
                data = parsed
            else:
                data[route.body] = parsed
        else:
            for name, value in request.rel_url.query.items():
                _set_field(data, descriptor, name, value)
        for name, value in variables.items():
            _set_field(data, descriptor, name, value)
        message = route.method.request()
        try:
            json_format.ParseDict(data, message)
        except json_format.ParseError as error:
            raise _parse_failure(descriptor, str(error)) from error
        return message


def _set_field(data: dict[str, Any], descriptor: Descriptor, dotted: str, value: str) -> None:
    """Query and path values are strings: give them the JSON types the proto3 mapping expects."""
    names = dotted.split(".")
    target = data
    message: Descriptor | None = descriptor
    for index, name in enumerate(names):
        field = None
        if message is not None:
            field = message.fields_by_name.get(name) or next((f for f in message.fields if f.json_name == name), None)
        if field is None:
            raise invalid_field(dotted, "is not a field of this request")
        key = field.json_name
        if index == len(names) - 1:
            typed: Any = value == "true" if field.type == FieldDescriptor.TYPE_BOOL else value
            if field.is_repeated:
                target.setdefault(key, []).append(typed)
            else:
                target[key] = typed
            return
        if field.type != FieldDescriptor.TYPE_MESSAGE:
            raise invalid_field(dotted, "is not a field of this request")
        message = field.message_type
        target = target.setdefault(key, {})


def _parse_failure(descriptor: Descriptor, text: str) -> MarketingError:
    """The field a JSON value failed on, by its proto name, and what is wrong with it."""
    unknown = re.search(r'has no field named "([^"]+)"', text)
    if unknown:
        return invalid_field(unknown.group(1), "is not a field of this request")
    match = re.search(r"Failed to parse (\w+) field", text)
    field = None
    if match:
        name = match.group(1)
        field = descriptor.fields_by_name.get(name) or next((f for f in descriptor.fields if f.json_name == name), None)
    if field is None:
        return invalid_field("body", "is not a valid request")
    if field.cpp_type in _INTEGERS:
        return invalid_field(field.name, "must be a whole number in range")
    return invalid_field(field.name, "has a value of the wrong type")


_INTEGERS = {
    FieldDescriptor.CPPTYPE_INT32,
    FieldDescriptor.CPPTYPE_INT64,
    FieldDescriptor.CPPTYPE_UINT32,
    FieldDescriptor.CPPTYPE_UINT64,
}


def _failure_response(failure: PublicError) -> web.Response:
    response = _json(failure.status_body(), failure.http_status)
    if failure.retry_after_seconds is not None:
        response.headers["retry-after"] = str(failure.retry_after_seconds)
    return response


def _json(body: object, status: int) -> web.Response:
    return web.Response(text=json.dumps(body, separators=(",", ":")), status=status, content_type="application/json")
