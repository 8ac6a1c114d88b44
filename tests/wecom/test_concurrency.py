"""The client's concurrency against the emulator over HTTP, asserting only
what holds whatever the machine's load: every read answered, a pinned limit
never exceeded, the adaptive one never past its maximum nor the client's
requests past its highest limit, a refused read sent again and nothing
more. How the adaptive limit moves (grows while latency holds, stops where
the server queues, stays under a 45033 cap) depends on measured round
trips, so it is asserted against a simulated server on a fake clock in
test_limiter_server.py, and here only where a scripted answer decides it."""

from __future__ import annotations

import threading

import pytest

from tests.helpers import env_for
from reconciler.core.model import LiveChat
from reconciler.wecom import client_from_env
from reconciler.wecom.limiter import MAX_LIMIT

CHATS = [{"chatid": f"c{i:03d}", "name": f"Chat {i}", "owner": "alice", "userlist": ["alice", "bob"]}
         for i in range(300)]
IDS = [c["chatid"] for c in CHATS]
FAST_RETRIES = dict(backoff_base=0.02, backoff_cap=0.1)


@pytest.fixture
def emu(emulator_factory):
    return emulator_factory(seed={"chats": CHATS})


def rejected(emu) -> int:
    return sum(1 for c in emu.calls() if c["errcode"] == 45033)


def gets(emu) -> int:
    return sum(1 for c in emu.calls() if c["path"] == "appchat/get")


def test_a_pinned_limit_is_never_exceeded_and_never_moves(emu):
    emu.set_faults(latency_ms=30)
    with client_from_env(env_for(emu), concurrency=3) as client:
        result = client.read_chats(IDS[:60])
        assert client.concurrency_figures() == {"mode": "fixed", "final": 3, "peak": 3}
    assert all(isinstance(r, LiveChat) for r in result.values())
    assert emu.load()["peak_in_flight"] <= 3


def test_the_adaptive_limit_starts_at_8_and_never_lets_more_through_than_its_highest(emu):
    emu.set_faults(latency_ms=200, latency_jitter_ms=20)
    with client_from_env(env_for(emu)) as client:
        assert client.concurrency_figures() == {"mode": "adaptive", "final": 8, "peak": 8}
        result = client.read_chats(IDS)
        figures = client.concurrency_figures()
    assert all(isinstance(r, LiveChat) for r in result.values())
    assert 8 <= figures["peak"] <= MAX_LIMIT and figures["final"] <= figures["peak"], figures
    assert emu.load()["peak_in_flight"] <= figures["peak"]


def test_a_45033_cuts_the_limit_and_the_refused_read_is_sent_again(emu):
    # One read at a time, the first refused: the cut is certain whatever the
    # load (8 -> 90% of the 7 below it, before any round could end), and the
    # ceiling of 7 it leaves keeps the limit at 8 at most for 100 more reads
    # (back to 7, 8 rounds there, a probe at 8 that needs 9 rounds to pass).
    emu.set_faults(script=[{"fault": "overload", "path": "appchat/get"}])
    with client_from_env(env_for(emu), **FAST_RETRIES) as client:
        assert client.get_chat(IDS[0]).name == "Chat 0"
        assert client.concurrency_figures() == {"mode": "adaptive", "final": 6, "peak": 8}
        result = client.read_chats(IDS[:100])
        figures = client.concurrency_figures()
    assert all(isinstance(r, LiveChat) for r in result.values())
    assert figures["peak"] == 8 and figures["final"] <= 8, figures
    assert rejected(emu) == 1 and gets(emu) == 1 + 1 + 100


def test_under_a_45033_cap_no_read_is_lost(emu):
    emu.set_faults(latency_ms=60, latency_jitter_ms=10, max_concurrent=5)
    with client_from_env(env_for(emu), **FAST_RETRIES) as client:
        result = client.read_chats(IDS[:150])
    assert all(isinstance(r, LiveChat) for r in result.values()), "a read failed under the cap"
    assert gets(emu) == 150 + rejected(emu), "a read was sent again without being refused, or not at all"


def test_a_server_that_queues_answers_every_read(emu):
    # The server works on 8 at a time; where the limit stops is the
    # simulation's to say (test_limiter_server.py), not a loaded machine's.
    emu.set_faults(latency_ms=60, capacity=8)
    with client_from_env(env_for(emu)) as client:
        result = client.read_chats(IDS[:200])
        figures = client.concurrency_figures()
    assert all(isinstance(r, LiveChat) for r in result.values())
    assert emu.load()["peak_serving"] <= 8 and emu.load()["peak_in_flight"] <= figures["peak"] <= MAX_LIMIT


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
    # Scripted, one read at a time: a 503 cuts 8 -> 6 (90% of the 7 below
    # it), the retry's timeout 6 -> 4, and the third attempt is answered.
    emu.set_faults(script=[{"fault": "http", "status": 503, "path": "appchat/get"},
                           {"fault": "slow", "ms": 1500, "path": "appchat/get"}])
    with client_from_env(env_for(emu), timeout=(5.0, 0.3), **FAST_RETRIES) as client:
        assert client.get_chat(IDS[0]).name == "Chat 0"
        assert client.concurrency_figures() == {"mode": "adaptive", "final": 4, "peak": 8}
        assert client.stats["appchat/get"] == 3   # the emulator logs the slow one when it ends


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
