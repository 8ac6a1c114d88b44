"""The client's concurrency against the emulator over HTTP: a pinned limit is
never exceeded, the adaptive one grows while latency holds, stays under a
server's 45033 cap without losing a read, and stops growing when the server
queues. What is asserted is counts and limits (the emulator's own figures),
never how long anything took."""

from __future__ import annotations

import threading

import pytest

from tests.helpers import env_for
from reconciler.core.model import LiveChat
from reconciler.wecom import client_from_env

CHATS = [{"chatid": f"c{i:03d}", "name": f"Chat {i}", "owner": "alice", "userlist": ["alice", "bob"]}
         for i in range(300)]
IDS = [c["chatid"] for c in CHATS]
FAST_RETRIES = dict(backoff_base=0.02, backoff_cap=0.1)


@pytest.fixture
def emu(emulator_factory):
    return emulator_factory(seed={"chats": CHATS})


def rejected(emu) -> int:
    return sum(1 for c in emu.calls() if c["errcode"] == 45033)


def test_a_pinned_limit_is_never_exceeded_and_never_moves(emu):
    emu.set_faults(latency_ms=30)
    with client_from_env(env_for(emu), concurrency=3) as client:
        result = client.read_chats(IDS[:60])
        assert client.concurrency_figures() == {"mode": "fixed", "final": 3, "peak": 3}
    assert all(isinstance(r, LiveChat) for r in result.values())
    assert emu.load()["peak_in_flight"] == 3


def test_the_adaptive_limit_starts_at_8_and_grows_while_latency_holds(emu):
    emu.set_faults(latency_ms=200, latency_jitter_ms=20)
    with client_from_env(env_for(emu)) as client:
        assert client.concurrency_figures() == {"mode": "adaptive", "final": 8, "peak": 8}
        result = client.read_chats(IDS)
        figures = client.concurrency_figures()
    assert all(isinstance(r, LiveChat) for r in result.values())
    assert figures["peak"] >= 32, figures
    assert emu.load()["peak_in_flight"] >= 32


def test_under_a_45033_cap_no_read_is_lost_and_refusals_stay_few(emu):
    emu.set_faults(latency_ms=60, latency_jitter_ms=10, max_concurrent=5)
    with client_from_env(env_for(emu), **FAST_RETRIES) as client:
        result = client.read_chats(IDS[:150])
        figures = client.concurrency_figures()
    assert all(isinstance(r, LiveChat) for r in result.values()), "a read failed under the cap"
    assert figures["final"] <= 6, figures   # at the cap, or one past it while probing
    calls = len([c for c in emu.calls() if c["path"] == "appchat/get"])
    # the first burst (8 against a cap of 5) and a probe now and then; a
    # limit that kept bumping into the cap would be refused every few rounds
    assert rejected(emu) <= 20, f"{rejected(emu)} refusals in {calls} calls"


def test_the_limit_stops_growing_when_the_server_queues(emu):
    # The server works on 8 at a time: 16 in flight take twice as long, and
    # more would only queue.
    emu.set_faults(latency_ms=60, capacity=8)
    with client_from_env(env_for(emu)) as client:
        result = client.read_chats(IDS[:200])
        figures = client.concurrency_figures()
    assert all(isinstance(r, LiveChat) for r in result.values())
    assert figures["peak"] <= 16, figures


def test_read_all_runs_any_calls_in_item_order_and_several_share_one_limit(emu):
    emu.set_faults(latency_ms=20)
    results = {}
    with client_from_env(env_for(emu), concurrency=4) as client:
        def names(part):
            results[part] = client.read_all(lambda cid: client.get_chat(cid).name, IDS[part::2])
        threads = [threading.Thread(target=names, args=(part,)) for part in (0, 1)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
    assert results[0] == [c["name"] for c in CHATS[0::2]]
    assert results[1] == [c["name"] for c in CHATS[1::2]]
    assert emu.load()["peak_in_flight"] <= 4, "two read_all at once went past the one limit"


def test_read_all_stops_starting_items_after_an_exception_and_raises_it(emu):
    started = []
    lock = threading.Lock()

    def fn(n):
        with lock:
            started.append(n)
        if n == 5:
            raise RuntimeError("item 5")
        return n * 2

    with client_from_env(env_for(emu), concurrency=2) as client:
        assert client.read_all(fn, range(4)) == [0, 2, 4, 6]
        started.clear()
        with pytest.raises(RuntimeError, match="item 5"):
            client.read_all(fn, range(1000))
    assert len(started) < 1000, "items kept starting after one raised"


def test_timeouts_and_5xx_cut_the_limit(emu):
    emu.set_faults(latency_ms=50, http_error_rate=0.3, http_error_status=503)
    with client_from_env(env_for(emu), **FAST_RETRIES) as client:
        client.read_chats(IDS[:60])
        figures = client.concurrency_figures()
    assert figures["final"] < 8, figures     # below where it started: the 503s cut it


def test_proxies_in_the_environment_are_honoured(emu, monkeypatch):
    # The transport reads proxy settings once instead of on every request:
    # HTTP_PROXY still routes the calls (the emulator serves as the proxy)...
    monkeypatch.setenv("HTTP_PROXY", emu.root_url)
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)
    env = {**env_for(emu), "WECOM_API_BASE": "http://wecom.invalid/cgi-bin/"}
    with client_from_env(env) as client:
        assert client.get_chat("c001").name == "Chat 1"
    # ...and NO_PROXY still bypasses it (a dead proxy would fail the call)
    monkeypatch.setenv("HTTP_PROXY", "http://127.0.0.1:9")
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    with client_from_env(env_for(emu)) as client:
        assert client.get_chat("c001").name == "Chat 1"


def test_max_concurrency_bounds_the_adaptive_limit(emu):
    emu.set_faults(latency_ms=100)
    with client_from_env(env_for(emu), max_concurrency=4) as client:
        assert client.concurrency_figures() == {"mode": "adaptive", "final": 4, "peak": 4}
        client.read_chats(IDS[:80])
        assert client.concurrency_figures()["peak"] == 4
    assert emu.load()["peak_in_flight"] <= 4
