"""JSON log lines on stdout, with the correlation fields of the call or event being handled."""

from __future__ import annotations

import contextvars
import json
import logging
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

# Never mutated: each block sets a new dict.
_context: contextvars.ContextVar[dict[str, str]] = contextvars.ContextVar("log_context", default={})  # noqa: B039

LEVELS = {"trace": 5, "debug": 10, "info": 20, "warn": 30, "error": 40, "fatal": 50, "silent": 100}
_NAMES = {5: "trace", 10: "debug", 20: "info", 30: "warn", 40: "error", 50: "fatal"}


@contextmanager
def log_context(**fields: str | None) -> Iterator[None]:
    """Adds fields (orderId, eventId, rpc, …) to every line logged inside the block."""
    token = _context.set({**_context.get(), **{k: v for k, v in fields.items() if v}})
    try:
        yield
    finally:
        _context.reset(token)


class _JsonFormatter(logging.Formatter):
    def __init__(self, service: str) -> None:
        super().__init__()
        self._service = service

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "level": _NAMES.get(record.levelno, record.levelname.lower()),
            "time": datetime.fromtimestamp(record.created, UTC)
            .isoformat(timespec="milliseconds")
            .replace("+00:00", "Z"),
            "service": self._service,
            **_context.get(),
            **getattr(record, "fields", {}),
            "msg": record.getMessage(),
        }
        if record.exc_info:
            line["err"] = self.formatException(record.exc_info)
        return json.dumps(line, default=str, separators=(",", ":"))


class Logger:
    """A thin structured logger: `logger.info("message", orderId=…)`."""

    def __init__(self, service: str, level: str) -> None:
        self._logger = logging.getLogger(f"fooddelivery.{service}")
        self._logger.propagate = False
        self._logger.setLevel(LEVELS[level])
        if not self._logger.handlers:
            handler = logging.StreamHandler(sys.stdout)
            handler.setFormatter(_JsonFormatter(service))
            self._logger.addHandler(handler)

    def _log(self, level: int, message: str, exc_info: bool, fields: dict[str, Any]) -> None:
        if self._logger.isEnabledFor(level):
            self._logger.log(level, message, exc_info=exc_info, extra={"fields": fields})

    def debug(self, message: str, **fields: Any) -> None:
        self._log(10, message, False, fields)

    def info(self, message: str, **fields: Any) -> None:
        self._log(20, message, False, fields)

    def warn(self, message: str, **fields: Any) -> None:
        self._log(30, message, False, fields)

    def error(self, message: str, exc_info: bool = False, **fields: Any) -> None:
        self._log(40, message, exc_info, fields)

    def fatal(self, message: str, exc_info: bool = False, **fields: Any) -> None:
        self._log(50, message, exc_info, fields)
