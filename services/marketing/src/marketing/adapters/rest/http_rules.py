"""google.api.http rules read from the service descriptor, and their path templates
(`/v1/customers/{customer_id}/coupons`), matched as Envoy's transcoder matches them."""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import unquote

from google.api import annotations_pb2
from google.protobuf.descriptor import ServiceDescriptor

from marketing.adapters.rpc import Method, methods_of


@dataclass(frozen=True)
class Segment:
    literal: str | None = None
    variable: str | None = None
    multi: bool = False


@dataclass(frozen=True)
class PathTemplate:
    segments: tuple[Segment, ...]
    verb: str | None = None

    @staticmethod
    def parse(template: str) -> PathTemplate:
        path, verb = template, None
        colon = path.find(":", path.rfind("/"))
        if colon > path.rfind("}"):
            path, verb = path[:colon], path[colon + 1 :]
        segments = []
        for part in path.split("/")[1:]:
            variable = re.fullmatch(r"\{([a-z0-9_.]+)(?:=(\*\*?))?\}", part, re.IGNORECASE)
            if variable:
                segments.append(Segment(variable=variable.group(1), multi=variable.group(2) == "**"))
            else:
                segments.append(Segment(literal=part))
        return PathTemplate(tuple(segments), verb)

    def match(self, path: str) -> dict[str, str] | None:
        """The variables bound from `path`, or None when it does not match."""
        rest = path
        if self.verb is not None:
            colon = rest.find(":", rest.rfind("/"))
            if colon < 0 or rest[colon + 1 :] != self.verb:
                return None
            rest = rest[:colon]
        parts = rest.split("/")[1:]
        bound: dict[str, str] = {}
        for index, segment in enumerate(self.segments):
            if segment.literal is not None:
                if index >= len(parts) or parts[index] != segment.literal:
                    return None
                continue
            assert segment.variable is not None
            if segment.multi:
                bound[segment.variable] = "/".join(unquote(p) for p in parts[index:])
                return bound
            if index >= len(parts) or parts[index] == "":
                return None
            bound[segment.variable] = unquote(parts[index])
        return bound if len(parts) == len(self.segments) else None


@dataclass(frozen=True)
class HttpRoute:
    method: Method
    http_method: str
    template: str
    path: PathTemplate
    # `*`, a field name, or "" (no body).
    body: str


def http_routes(service: ServiceDescriptor) -> list[HttpRoute]:
    routes: list[HttpRoute] = []
    for method in methods_of(service):
        options = method.descriptor.GetOptions()
        if not options.HasExtension(annotations_pb2.http):
            continue
        rule = options.Extensions[annotations_pb2.http]
        for binding in [rule, *rule.additional_bindings]:
            pattern = binding.WhichOneof("pattern")
            if pattern is None or pattern == "custom":
                continue
            template = getattr(binding, pattern)
            routes.append(HttpRoute(method, pattern.upper(), template, PathTemplate.parse(template), binding.body))
    return routes
