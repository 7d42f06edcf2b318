from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager

from helpdesk.celery import app as celery_app

# Celery's `broker_url` prefers the CELERY_BROKER_URL environment variable over
# what is set at run time; the read and write URLs do not.
_KEYS = (
    "task_always_eager",
    "broker_read_url",
    "broker_write_url",
    "broker_transport_options",
)
# Keys of this test process only: a suite running at the same time on the same
# Redis (another checkout, CI) must not take this one's tasks.
_PRIVATE = {"global_keyprefix": f"helpdesk-test-{os.getpid()}:"}


def _drop_connection_pools() -> None:
    # Pools are built lazily from the URL in force at the time, so a pool made
    # while tasks ran eagerly points at the in-memory transport. Dropping them
    # is what Celery itself does after a fork.
    celery_app._after_fork()


@contextmanager
def celery_broker(url: str, *, shared: bool = True) -> Iterator[None]:
    """Publish tasks to a real broker instead of running them in-process.

    `shared=False` is for a Redis server of the test's own, where a worker in
    another process must find the tasks under their usual keys.
    """
    saved = {key: celery_app.conf.get(key) for key in _KEYS}
    celery_app.conf.update(
        task_always_eager=False,
        broker_read_url=url,
        broker_write_url=url,
        broker_transport_options={
            **(saved["broker_transport_options"] or {}),
            **(_PRIVATE if shared else {}),
        },
    )
    _drop_connection_pools()
    try:
        yield
    finally:
        celery_app.conf.update(saved)
        _drop_connection_pools()
