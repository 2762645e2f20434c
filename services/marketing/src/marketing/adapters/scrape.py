"""Values read when /metrics is scraped (from NATS, a database) rather than kept up to date: each
registered read runs first, given at most two seconds; one that fails or is late leaves its last
values."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable

_READ_TIMEOUT_S = 2.0
_reads: list[Callable[[], Awaitable[None]]] = []


def on_scrape(read: Callable[[], Awaitable[None]]) -> None:
    _reads.append(read)


async def read_all() -> None:
    async def bounded(read: Callable[[], Awaitable[None]]) -> None:
        with contextlib.suppress(Exception):
            await asyncio.wait_for(read(), _READ_TIMEOUT_S)

    await asyncio.gather(*(bounded(read) for read in _reads))
