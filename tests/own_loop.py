"""Run a coroutine to its end from a synchronous test."""

import asyncio
from concurrent.futures import ThreadPoolExecutor


def run(coro):
    """asyncio.run in a thread of its own: once a browser test ran, the session's Playwright
    (sync API) keeps an event loop running in the main thread, and asyncio.run refuses to start
    a second one there."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coro).result()
