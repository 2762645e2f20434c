"""Domain errors: a stable code (MARKETING.NOT_FOUND) and a kind the adapters map to gRPC and HTTP."""

from typing import Literal

ErrorKind = Literal[
    "invalid_argument",
    "not_found",
    "already_exists",
    "failed_precondition",
    "permission_denied",
    "unauthenticated",
    "resource_exhausted",
    "unavailable",
    "deadline_exceeded",
    "unimplemented",
]


class MarketingError(Exception):
    def __init__(self, code: str, kind: ErrorKind, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.kind: ErrorKind = kind
        self.message = message
        self.field = field


def invalid_field(field: str, problem: str) -> MarketingError:
    return MarketingError("MARKETING.INVALID_ARGUMENT", "invalid_argument", f"{field}: {problem}", field)
