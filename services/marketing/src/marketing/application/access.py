"""Request rules shared by the queries: whose data may be read, and the shape of ids and sizes."""

import re

from marketing.application.ports import Actor
from marketing.domain.errors import MarketingError, invalid_field

_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$")


def customer_for(actor: Actor, customer_id: str) -> str:
    """Customers read their own (an empty id means themselves); admins anyone's."""
    if actor.role == "admin":
        return require_id("customer_id", customer_id)
    if actor.role == "customer" and customer_id in ("", actor.subject):
        return actor.subject
    raise MarketingError(
        "MARKETING.PERMISSION_DENIED",
        "permission_denied",
        "reading another customer's coupons and recommendations is not allowed",
    )


def require_id(field: str, value: str) -> str:
    if value == "":
        raise invalid_field(field, "is required")
    if not _ID.match(value):
        # The same words as the other services' (kernel/src/request-rules.ts), en dash included.
        raise invalid_field(field, 'must be 1–64 letters, digits, ".", "_", ":" or "-"')  # noqa: RUF001
    return value


def bounded(field: str, value: int, default: int, maximum: int) -> int:
    if value < 0:
        raise invalid_field(field, "must not be negative")
    if value > maximum:
        raise invalid_field(field, f"must be at most {maximum}")
    return default if value == 0 else value
