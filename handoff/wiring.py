"""Wiring the domains together: handlers for inbox kinds and outbox operations, and the periodic jobs.

The only place that knows which package handles what. Each domain exposes plain functions; this module
binds them to the runtime's session factory, clients and clock.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Awaitable, Callable
from typing import Any

from handoff.runtime import Runtime
from sync.inbox import InboxHandlers, InboxProcessor
from sync.outbox import OutboxDispatcher, OutboxHandlers


def inbox_handlers(runtime: Runtime) -> InboxHandlers:
    return runtime.extras.setdefault("inbox_handlers", InboxHandlers())


def outbox_handlers(runtime: Runtime) -> OutboxHandlers:
    return runtime.extras.setdefault("outbox_handlers", OutboxHandlers())


def worker_name(role: str) -> str:
    """Unique per process, so that leases taken by two processes on one database never look alike."""
    return f"{role}-{socket.gethostname()}-{os.getpid()}"[:64]


def scheduled_jobs(runtime: Runtime) -> list[tuple[str, float, Callable[[], Awaitable[Any]]]]:
    inbox = InboxProcessor(
        runtime.session_factory, inbox_handlers(runtime), clock=runtime.clock, worker=worker_name("inbox")
    )
    outbox = OutboxDispatcher(
        runtime.session_factory, outbox_handlers(runtime), clock=runtime.clock, worker=worker_name("outbox")
    )
    return [
        ("inbox", 1.0, inbox.run_once),
        ("outbox", 1.0, outbox.run_once),
    ]
