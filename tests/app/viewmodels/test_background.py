"""Work a view model started and did not wait for: held until it ends, ended with its owner."""

from __future__ import annotations

import asyncio

import pytest

from app.viewmodels.background import BackgroundTasks

pytestmark = pytest.mark.anyio


async def test_cancel_all_ends_what_is_still_running_and_nothing_runs_on() -> None:
    tasks = BackgroundTasks()
    finished: list[str] = []

    async def quick() -> None:
        finished.append("quick")

    async def slow() -> None:
        await asyncio.sleep(30)  # a banner's timer, a permission dialog waited for
        finished.append("slow")

    tasks.start(quick)
    tasks.start(slow)
    await asyncio.sleep(0.01)
    assert finished == ["quick"]
    tasks.cancel_all()
    await asyncio.sleep(0.01)
    assert finished == ["quick"]
    assert not tasks._running  # the cancelled task let go of
