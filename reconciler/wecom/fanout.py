"""Many independent calls at once, as many as a limit that may move allows."""

from __future__ import annotations

import itertools
import queue
from concurrent.futures import ThreadPoolExecutor
from typing import Callable, Iterable, TypeVar

Item = TypeVar("Item")
Result = TypeVar("Result")


def fan_out(fn: Callable[[Item], Result], items: Iterable[Item], limit: Callable[[], int], max_workers: int,
            progress: Callable[[int, int], None] | None = None,
            on_result: Callable[[int, Result], None] | None = None) -> list[Result]:
    """fn(item) for every item on worker threads, at most limit() started and
    unfinished at a time (read again after each one ends); the results in
    the order of `items`.

    Items are handed out as others end, not queued all at once: the threads
    stay about as many as the limit, and after the limit is cut only the
    items already started wait for it. The first exception fn raises stops
    new items from starting and is raised once the started ones have ended.
    progress(done, total) and on_result(index, result), as each item ends
    (in the order they end), are called from this thread: what they do
    overlaps the calls still in flight (a plan is made as its chat arrives).
    """
    work = list(items)
    results: list = [None] * len(work)
    if not work:
        return results
    finished: queue.SimpleQueue = queue.SimpleQueue()
    upcoming = iter(range(len(work)))
    pool = ThreadPoolExecutor(max_workers=max(1, min(max_workers, len(work))), thread_name_prefix="wecom")
    started = done = 0
    try:
        while done < len(work):
            room = max(limit(), 1) - (started - done)
            for index in itertools.islice(upcoming, max(room, 0)):
                future = pool.submit(fn, work[index])
                future.add_done_callback(lambda f, i=index: finished.put((i, f)))
                started += 1
            index, future = finished.get()
            results[index] = future.result()  # fn's exception, if any, is raised here
            done += 1
            if on_result is not None:
                on_result(index, results[index])
            if progress is not None:
                progress(done, len(work))
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
    return results
