"""The one table from error kinds to gRPC and HTTP status (the google.rpc mapping, as
adapters/src/errors.ts), and the outside view of a failure."""

from __future__ import annotations

from dataclasses import dataclass

import grpc
import sqlalchemy.exc

from marketing.domain.errors import MarketingError

STATUS_BY_KIND: dict[str, tuple[grpc.StatusCode, int]] = {
    "invalid_argument": (grpc.StatusCode.INVALID_ARGUMENT, 400),
    "not_found": (grpc.StatusCode.NOT_FOUND, 404),
    "already_exists": (grpc.StatusCode.ALREADY_EXISTS, 409),
    "failed_precondition": (grpc.StatusCode.FAILED_PRECONDITION, 400),
    "permission_denied": (grpc.StatusCode.PERMISSION_DENIED, 403),
    "unauthenticated": (grpc.StatusCode.UNAUTHENTICATED, 401),
    "resource_exhausted": (grpc.StatusCode.RESOURCE_EXHAUSTED, 429),
    "unavailable": (grpc.StatusCode.UNAVAILABLE, 503),
    "deadline_exceeded": (grpc.StatusCode.DEADLINE_EXCEEDED, 504),
    "unimplemented": (grpc.StatusCode.UNIMPLEMENTED, 501),
}


@dataclass(frozen=True)
class PublicError:
    grpc_status: grpc.StatusCode
    http_status: int
    message: str
    reason: str
    field: str | None = None
    retry_after_seconds: int | None = None
    # Not expected: logged with its stack.
    unexpected: bool = False

    def status_body(self) -> dict[str, object]:
        """google.rpc.Status as JSON, with a google.rpc.ErrorInfo naming the reason (and field)."""
        return {
            "code": self.grpc_status.value[0],
            "message": self.message,
            "details": [
                {
                    "@type": "type.googleapis.com/google.rpc.ErrorInfo",
                    "reason": self.reason,
                    "domain": "fooddelivery",
                    "metadata": {"field": self.field} if self.field else {},
                }
            ],
        }


def is_dependency_outage(error: BaseException) -> bool:
    """Whether `error` says the database cannot be reached or did not answer in time (SQLite busy or
    locked, PostgreSQL down, a pool or statement timeout), rather than that the request or the code
    is wrong: such failures answer UNAVAILABLE, and an event that meets one is not dead-lettered."""
    return isinstance(
        error, (sqlalchemy.exc.OperationalError, sqlalchemy.exc.TimeoutError, sqlalchemy.exc.InterfaceError)
    )


def to_public_error(error: BaseException) -> PublicError:
    if isinstance(error, MarketingError):
        grpc_status, http_status = STATUS_BY_KIND[error.kind]
        return PublicError(
            grpc_status,
            http_status,
            error.message,
            error.code,
            field=error.field,
            retry_after_seconds=1 if error.kind == "unavailable" else None,
        )
    if is_dependency_outage(error):
        return PublicError(
            grpc.StatusCode.UNAVAILABLE,
            503,
            "a service this call depends on is not answering right now; please try again shortly",
            "DEPENDENCY.UNAVAILABLE",
            retry_after_seconds=1,
        )
    return PublicError(grpc.StatusCode.INTERNAL, 500, "internal error", "INTERNAL", unexpected=True)
