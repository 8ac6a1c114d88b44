"""Single flight of the access token, with real threads."""

import threading
import time

import pytest

from reconciler.wecom import InvalidCredentials
from reconciler.wecom.token import TokenCache


class Fetcher:
    def __init__(self, lifetime=7200.0, fail=None):
        self.calls = 0
        self.lifetime = lifetime
        self.fail = fail
        self.lock = threading.Lock()

    def __call__(self):
        with self.lock:
            self.calls += 1
            n = self.calls
        # long enough that the other threads pile up on the cache meanwhile;
        # correctness does not depend on it, the count would be 1 either way
        time.sleep(0.05)
        if self.fail:
            raise self.fail
        return f"tok{n}", self.lifetime


def run_threads(n, target):
    barrier = threading.Barrier(n)
    results, errors = [], []

    def body():
        barrier.wait()
        try:
            results.append(target())
        except Exception as exc:  # collected for the assertions
            errors.append(exc)

    threads = [threading.Thread(target=body) for _ in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results, errors


def test_eight_threads_share_one_fetch():
    fetch = Fetcher()
    cache = TokenCache(fetch)
    results, errors = run_threads(8, cache.get)
    assert errors == []
    assert fetch.calls == 1 and cache.fetches == 1
    assert results == ["tok1"] * 8


def test_threads_with_the_same_stale_token_share_one_refetch():
    fetch = Fetcher()
    cache = TokenCache(fetch)
    stale = cache.get()
    results, errors = run_threads(8, lambda: cache.refresh(stale))
    assert errors == []
    assert fetch.calls == 2
    assert results == ["tok2"] * 8


def test_refresh_of_an_already_replaced_token_does_not_fetch():
    fetch = Fetcher()
    cache = TokenCache(fetch)
    old = cache.get()
    assert cache.refresh(old) == "tok2"
    assert cache.refresh(old) == "tok2"
    assert fetch.calls == 2


def test_a_failed_fetch_is_remembered_not_repeated():
    fetch = Fetcher(fail=InvalidCredentials("bad secret", errcode=40001))
    cache = TokenCache(fetch)
    results, errors = run_threads(8, cache.get)
    assert results == []
    assert len(errors) == 8 and all(isinstance(e, InvalidCredentials) for e in errors)
    assert all(e.errcode == 40001 for e in errors)
    assert fetch.calls == 1
    with pytest.raises(InvalidCredentials):
        cache.refresh("anything")
    assert fetch.calls == 1


def test_expired_token_is_fetched_again_before_its_end():
    now = [0.0]
    fetch = Fetcher(lifetime=7200)
    cache = TokenCache(fetch, clock=lambda: now[0])
    assert cache.get() == "tok1"
    now[0] = 7200 - 61
    assert cache.get() == "tok1"
    now[0] = 7200 - 59  # inside the safety margin
    assert cache.get() == "tok2"
    assert fetch.calls == 2


def test_token_repr_hides_value():
    cache = TokenCache(Fetcher())
    value = cache.get()
    assert value not in repr(cache._token)
