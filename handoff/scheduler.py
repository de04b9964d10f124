"""APScheduler 3.x wiring: which periodic jobs run in this process.

Jobs are registered by ``handoff.wiring`` from the domains' job functions. On PostgreSQL each job takes
an advisory lock so that, with several Handoff processes on one database, each periodic job runs on one
process at a time.
"""

from __future__ import annotations

import logging
import zlib
from collections.abc import Awaitable, Callable
from typing import Any

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from sqlalchemy import text

from handoff.runtime import Runtime

log = logging.getLogger(__name__)

Job = Callable[[], Awaitable[Any]]


def single_runner(runtime: Runtime, name: str, job: Job) -> Job:
    """Wrap a job so that only one process runs it at a time (PostgreSQL advisory lock; SQLite is one host)."""
    key = zlib.crc32(f"handoff:{name}".encode())

    async def run() -> None:
        if runtime.engine.dialect.name != "postgresql":
            await _logged(name, job)
            return
        with runtime.engine.connect() as connection:
            got = connection.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": key}).scalar()
            if not got:
                return
            try:
                await _logged(name, job)
            finally:
                connection.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": key})
                connection.commit()

    return run


async def _logged(name: str, job: Job) -> None:
    try:
        await job()
    except Exception:
        log.exception("scheduled job failed", extra={"job": name})


def build_scheduler(runtime: Runtime) -> AsyncIOScheduler:
    from handoff.wiring import scheduled_jobs

    scheduler = AsyncIOScheduler(timezone="UTC")
    for name, seconds, job in scheduled_jobs(runtime):
        scheduler.add_job(
            single_runner(runtime, name, job),
            "interval",
            seconds=seconds,
            id=name,
            max_instances=1,
            coalesce=True,
            misfire_grace_time=max(1, int(seconds)),
        )
    return scheduler
