"""The security-context cache: one issue in flight per key for threads and asyncio tasks,
renewal at 60 % of the lifetime, dropping on BadContextToken, failures not cached."""

from __future__ import annotations

import asyncio
import datetime as dt
import itertools
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from altinn2.runtime.security.context_cache import ContextCache, ContextKey
from altinn2.runtime.security.trust import SecurityContext

KEY = ContextKey("https://127.0.0.1/ReporteeElementListEC.svc", "thumbprint", "enterprise-user")
OTHER_USER = ContextKey(KEY.endpoint, KEY.certificate, "another-user")
START = dt.datetime(2026, 11, 29, 12, tzinfo=dt.UTC)
CALLS = 50


class Clock:
    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> dt.datetime:
        return self.now


class Issuer:
    """Issues numbered contexts of a 10-minute lifetime; counts the issues."""

    def __init__(self) -> None:
        self.count = 0
        self._numbers = itertools.count(1)
        self._lock = threading.Lock()

    def __call__(self) -> SecurityContext:
        with self._lock:
            self.count += 1
            number = next(self._numbers)
        return SecurityContext(
            endpoint=KEY.endpoint,
            identifier=f"urn:uuid:{number}",
            token_id=f"sct-{number}",
            instance=None,
            token=b"<c:SecurityContextToken/>",
            has_cookie=False,
            created=START,
            expires=START + dt.timedelta(minutes=10),
            key=bytes(32),
        )


def test_fifty_threads_share_one_issue() -> None:
    cache, issuer = ContextCache(), Issuer()
    arrived = threading.Semaphore(0)
    all_arrived = threading.Event()

    def slow_issue() -> SecurityContext:
        # Hold the issue until every caller has reached the cache: they all find it in flight.
        for _ in range(CALLS - 1):
            arrived.acquire(timeout=30)
        all_arrived.set()
        return issuer()

    def call(_: int) -> str:
        arrived.release()
        return cache.get(KEY, slow_issue).identifier

    with ThreadPoolExecutor(max_workers=CALLS) as pool:
        identifiers = list(pool.map(call, range(CALLS)))
    assert all_arrived.is_set()
    assert issuer.count == 1
    assert set(identifiers) == {"urn:uuid:1"}


async def test_fifty_tasks_share_one_issue_and_a_thread_waits_for_it_too() -> None:
    cache, issuer = ContextCache(), Issuer()
    release = asyncio.Event()

    async def slow_issue() -> SecurityContext:
        await release.wait()
        return issuer()

    tasks = [asyncio.create_task(cache.get_async(KEY, slow_issue)) for _ in range(CALLS)]
    await asyncio.sleep(0)  # every task reaches the cache; the first one is issuing
    thread_result: list[str] = []
    thread = threading.Thread(
        target=lambda: thread_result.append(cache.get(KEY, issuer).identifier)
    )
    thread.start()
    release.set()
    results = await asyncio.gather(*tasks)
    await asyncio.to_thread(thread.join)
    assert issuer.count == 1
    assert {context.identifier for context in results} == {"urn:uuid:1"}
    assert thread_result == ["urn:uuid:1"]


def test_renewed_after_sixty_percent_of_the_lifetime() -> None:
    clock, issuer = Clock(), Issuer()
    cache = ContextCache(clock=clock)
    assert cache.get(KEY, issuer).identifier == "urn:uuid:1"
    clock.now = START + dt.timedelta(minutes=5, seconds=59)
    assert cache.get(KEY, issuer).identifier == "urn:uuid:1"
    clock.now = START + dt.timedelta(minutes=6)
    assert cache.get(KEY, issuer).identifier == "urn:uuid:2"
    assert issuer.count == 2


def test_a_context_replaced_by_its_renewal_is_kept_aside_once_for_cancelling() -> None:
    clock, issuer = Clock(), Issuer()
    cache = ContextCache(clock=clock)
    first = cache.get(KEY, issuer)
    assert cache.take_replaced() == []
    clock.now = START + dt.timedelta(minutes=7)
    cache.get(KEY, issuer)
    assert cache.take_replaced() == [(KEY, first)]
    assert cache.take_replaced() == []
    # Dropped on BadContextToken is not replaced: the service already forgot it.
    cache.drop(KEY, cache.get(KEY, issuer))
    cache.get(KEY, issuer)
    assert cache.take_replaced() == []
    # Not yet taken when the client closes: close cancels it with the others.
    clock.now = START + dt.timedelta(minutes=14)
    cache.get(KEY, issuer)
    assert [context.identifier for _, context in cache.take_all()] == ["urn:uuid:3", "urn:uuid:4"]


def test_keys_are_separate_per_enterprise_user() -> None:
    cache, issuer = ContextCache(), Issuer()
    assert cache.get(KEY, issuer).identifier != cache.get(OTHER_USER, issuer).identifier
    assert cache.get(KEY, issuer).identifier == "urn:uuid:1"
    assert issuer.count == 2


def test_a_dropped_context_is_issued_anew_but_a_newer_one_stays() -> None:
    cache, issuer = ContextCache(), Issuer()
    first = cache.get(KEY, issuer)
    cache.drop(KEY, first)  # BadContextToken
    second = cache.get(KEY, issuer)
    assert second.identifier == "urn:uuid:2"
    cache.drop(KEY, first)  # a late fault about the old token: the new one stays
    assert cache.get(KEY, issuer) is second
    assert [context.identifier for _, context in cache.take_all()] == ["urn:uuid:2"]
    assert cache.take_all() == []


async def test_a_failed_issue_reaches_every_waiter_and_is_not_cached() -> None:
    cache, issuer = ContextCache(), Issuer()
    release = asyncio.Event()

    async def failing() -> SecurityContext:
        await release.wait()
        raise ConnectionError("refused")

    tasks = [asyncio.create_task(cache.get_async(KEY, failing)) for _ in range(3)]
    await asyncio.sleep(0)
    release.set()
    outcomes = await asyncio.gather(*tasks, return_exceptions=True)
    assert all(isinstance(outcome, ConnectionError) for outcome in outcomes)

    async def works() -> SecurityContext:
        return issuer()

    assert (await cache.get_async(KEY, works)).identifier == "urn:uuid:1"


async def test_a_waiter_takes_over_when_the_issuing_task_is_cancelled() -> None:
    cache, issuer = ContextCache(), Issuer()
    started = asyncio.Event()

    async def never() -> SecurityContext:
        started.set()
        await asyncio.Event().wait()
        raise AssertionError("unreachable")

    async def works() -> SecurityContext:
        return issuer()

    owner = asyncio.create_task(cache.get_async(KEY, never))
    await started.wait()
    waiter = asyncio.create_task(cache.get_async(KEY, works))
    await asyncio.sleep(0)  # the waiter waits for the owner's issue
    assert issuer.count == 0
    owner.cancel()
    with pytest.raises(asyncio.CancelledError):
        await owner
    assert (await waiter).identifier == "urn:uuid:1"
    assert issuer.count == 1
