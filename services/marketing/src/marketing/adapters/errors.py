"""The one table from error kinds to gRPC and HTTP status (the google.rpc mapping, as
adapters/src/errors.ts), and the outside view of a failure."""

from __future__ import annotations

from dataclasses import dataclass

import grpc
import sqlalchemy.exc
from google.protobuf import any_pb2, duration_pb2, json_format
from google.rpc import error_details_pb2, status_pb2

from marketing.domain.errors import MarketingError

# The domain of every ErrorInfo the services send.
ERROR_DOMAIN = "fooddelivery"

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

    def status(self) -> status_pb2.Status:
        """google.rpc.Status, as the other services send it (adapters/src/error-details.ts): ErrorInfo
        (reason, domain, field), BadRequest for an invalid field, RetryInfo when a retry may succeed."""
        details = [
            error_details_pb2.ErrorInfo(
                reason=self.reason, domain=ERROR_DOMAIN, metadata={"field": self.field} if self.field else {}
            )
        ]
        if self.field and self.grpc_status == grpc.StatusCode.INVALID_ARGUMENT:
            violation = error_details_pb2.BadRequest.FieldViolation(
                field=self.field, description=self.message, reason=self.reason
            )
            details.append(error_details_pb2.BadRequest(field_violations=[violation]))
        if self.retry_after_seconds is not None:
            delay = duration_pb2.Duration(seconds=max(0, self.retry_after_seconds))
            details.append(error_details_pb2.RetryInfo(retry_delay=delay))
        packed = []
        for detail in details:
            entry = any_pb2.Any()
            entry.Pack(detail)
            packed.append(entry)
        return status_pb2.Status(code=self.grpc_status.value[0], message=self.message, details=packed)

    def status_body(self) -> dict[str, object]:
        """The REST error body: google.rpc.Status in proto3 JSON."""
        return json_format.MessageToDict(self.status())


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
