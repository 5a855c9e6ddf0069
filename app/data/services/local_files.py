"""Files the app keeps for the resident on the device (prepared photos and videos, uploads
from the browser, camera shots): erased by "delete my data on this device" (raw camera shots
and the photo cache on every sign-out too)."""

from __future__ import annotations

import asyncio
import logging
import shutil
from pathlib import Path

log = logging.getLogger(__name__)


def wipe(*folders: Path) -> int:
    """Delete everything inside these folders (they stay, empty); how many entries went.
    Blocking: call from a thread."""
    removed = 0
    for folder in folders:
        if not folder.is_dir():
            continue
        for entry in folder.iterdir():
            try:
                if entry.is_dir() and not entry.is_symlink():
                    shutil.rmtree(entry)
                else:
                    entry.unlink()
                removed += 1
            except OSError as exc:
                log.info("could not delete %s: %s", entry.name, type(exc).__name__)
    return removed


_pending: set[asyncio.Task[int]] = set()


def wipe_soon(*folders: Path) -> None:
    """`wipe` from a worker thread when an event loop runs (an auth listener), else now."""
    try:
        loop = asyncio.get_running_loop()
    except RuntimeError:
        wipe(*folders)
        return
    task = loop.create_task(asyncio.to_thread(wipe, *folders))
    _pending.add(task)
    task.add_done_callback(_pending.discard)
