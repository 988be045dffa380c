"""kg/snapshot.py: the first read waited for by all, kept while young, read again in the
background when old (callers keep the kept value meanwhile), failures handled."""
import asyncio
import logging

import pytest

from kg.snapshot import Snapshot


class CountingRead:
    def __init__(self, fail_on=()):
        self.calls = 0
        self.fail_on = fail_on
        self.release = asyncio.Event()
        self.release.set()

    async def __call__(self):
        self.calls += 1
        await self.release.wait()
        if self.calls in self.fail_on:
            raise ConnectionError("graph down")
        return f"value {self.calls}"


async def test_kept_while_young_read_again_in_the_background_when_old():
    read = CountingRead()
    snapshot = Snapshot("thing", read)
    assert await snapshot.get(60) == "value 1"
    assert await snapshot.get(60) == "value 1" and read.calls == 1
    read.release.clear()
    assert await snapshot.get(0) == "value 1"   # too old: read again, the kept one meanwhile
    await asyncio.sleep(0)
    assert await snapshot.get(0) == "value 1"
    await asyncio.sleep(0)
    assert read.calls == 2                      # one read under way, not two
    read.release.set()
    await snapshot.refreshed()
    assert await snapshot.get(60) == "value 2"


async def test_callers_arriving_during_the_first_read_wait_for_that_read():
    read = CountingRead()
    read.release.clear()
    snapshot = Snapshot("thing", read)
    waiting = [asyncio.create_task(snapshot.get(60)) for _ in range(20)]
    await asyncio.sleep(0)
    read.release.set()
    assert await asyncio.gather(*waiting) == ["value 1"] * 20 and read.calls == 1


async def test_a_failed_first_read_reaches_its_callers_and_the_next_call_tries_again():
    read = CountingRead(fail_on={1})
    snapshot = Snapshot("thing", read)
    with pytest.raises(ConnectionError):
        await snapshot.get(60)
    assert await snapshot.get(60) == "value 2"


async def test_a_failed_refresh_keeps_the_value_says_so_and_the_next_call_tries_again(caplog):
    read = CountingRead(fail_on={2})
    snapshot = Snapshot("thing", read)
    await snapshot.get(60)
    with caplog.at_level(logging.WARNING, logger="kg.snapshot"):
        assert await snapshot.get(0) == "value 1"
        await snapshot.refreshed()
    assert "could not read the thing again" in caplog.text and "graph down" in caplog.text
    assert await snapshot.get(0) == "value 1"
    await snapshot.refreshed()
    assert await snapshot.get(60) == "value 3"


async def test_a_caller_that_gives_up_does_not_cancel_the_first_read_of_the_others():
    read = CountingRead()
    read.release.clear()
    snapshot = Snapshot("thing", read)
    impatient, patient = asyncio.create_task(snapshot.get(60)), asyncio.create_task(snapshot.get(60))
    await asyncio.sleep(0)
    impatient.cancel()
    read.release.set()
    assert await patient == "value 1"
    with pytest.raises(asyncio.CancelledError):
        await impatient
