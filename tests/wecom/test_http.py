"""The WeCom client against the emulator over real HTTP: reads, writes,
token handling, retries and pacing. Sleeps are injected (recorded, not slept)
so back-off shows up as data and the tests never wait for it."""

from __future__ import annotations

import threading

import pytest

from tests.helpers import FakeClock, env_for
from reconciler.core.model import LiveChat, ReadError
from reconciler.wecom import (ChatNotFound, Credentials, InvalidCredentials, RateLimited, ReadOnlyViolation,
                              TransportError, WeComClient, WeComError, WriteOutcomeUnknown, client_from_env)

USERS = ["alice", "bob", "carol", "dave", "erin"]
CHATS = [{"chatid": f"chat{i:02d}", "name": f"Chat {i}", "owner": "alice", "userlist": ["alice", "bob"]}
         for i in range(40)]
SEED = {"users": USERS,
        "chats": CHATS + [{"chatid": "team", "name": "Team", "owner": "alice", "userlist": ["alice", "bob", "carol"]}],
        "foreign_chats": [{"chatid": "legacy", "name": "Old", "owner": "bob", "userlist": ["alice", "bob"]}]}
IDS = [c["chatid"] for c in CHATS]


class Sleeps:
    """Injected sleep: records each wait (thread-safe), optionally moves a fake clock."""

    def __init__(self, clock: FakeClock | None = None):
        self.waits: list[float] = []
        self.clock = clock
        self._lock = threading.Lock()

    def __call__(self, seconds: float) -> None:
        with self._lock:
            self.waits.append(seconds)
            if self.clock is not None:
                self.clock.advance(seconds)


@pytest.fixture
def emu(emulator_factory):
    return emulator_factory(seed=SEED)


# A read timeout far past what a loaded machine takes to answer anything,
# against slow answers the `stalled` emulator holds until the test ends.
TIMEOUT = (5.0, 2.0)


@pytest.fixture
def stalled(emulator_factory):
    """An emulator whose slow answers are held on an event, not for their
    milliseconds: the client's read timeout is what ends them, however long
    the rest takes on a busy machine."""
    release = threading.Event()
    yield emulator_factory(seed=SEED, sleep=lambda seconds: release.wait(120))
    release.set()


def make_client(emu, *, read_only=True, sleep=None, **kw) -> WeComClient:
    kw.setdefault("concurrency", 8)
    return client_from_env(env_for(emu), read_only=read_only, sleep=sleep or Sleeps(), **kw)


def gets(emu, errcode=None):
    return [c for c in emu.calls() if c["path"] == "appchat/get" and (errcode is None or c["errcode"] == errcode)]


# ---------------------------------------------------------------- reads

def test_reads_and_parses_chats(emu):
    with make_client(emu) as client:
        chat = client.get_chat("team")
        assert chat == LiveChat("team", "Team", "alice", frozenset({"alice", "bob", "carol"}))
        with pytest.raises(ChatNotFound) as info:
            client.get_chat("nosuchchat")
        assert info.value.errcode == 86003 and info.value.chat_id == "nosuchchat"
        result = client.read_chats(["team", "nosuchchat", "legacy"])
    assert list(result) == ["team", "nosuchchat", "legacy"]
    assert result["team"] == chat
    assert result["nosuchchat"] is None
    assert result["legacy"] == ReadError("legacy", 86008, "chat was not created by this app")


def test_api_base_without_trailing_slash(emu):
    env = {**env_for(emu), "WECOM_API_BASE": emu.base_url.rstrip("/")}
    with client_from_env(env) as client:
        assert client.get_chat("team").owner == "alice"


def test_one_token_for_many_concurrent_reads(emu):
    progress = []
    with make_client(emu, concurrency=8) as client:
        result = client.read_chats(IDS, progress=lambda done, total: progress.append((done, total)))
        assert client.stats == {"gettoken": 1, "appchat/get": 40}
    assert all(isinstance(result[i], LiveChat) for i in IDS)
    assert emu.call_counts()["gettoken"] == 1
    assert progress == [(n, 40) for n in range(1, 41)]


@pytest.mark.parametrize("action, errcode", [("invalidate_tokens", 40014), ("expire_tokens", 42001)])
def test_token_lost_mid_run_is_fetched_again_once(emu, action, errcode):
    with make_client(emu, concurrency=8) as client:
        assert all(isinstance(r, LiveChat) for r in client.read_chats(IDS[:10]).values())
        emu.set_faults(**{action: True})
        result = client.read_chats(IDS)
    assert all(isinstance(r, LiveChat) for r in result.values())
    # every thread that met the dead token shared one re-fetch
    assert emu.call_counts()["gettoken"] == 2
    assert len(gets(emu, errcode)) >= 1


def test_token_rejected_twice_fails_after_one_refetch(emu):
    emu.set_faults(script=[{"fault": "errcode", "errcode": 40014, "path": "appchat/get", "count": 5}])
    with make_client(emu) as client:
        with pytest.raises(WeComError) as info:
            client.get_chat("team")
        assert client.stats == {"gettoken": 2, "appchat/get": 2}
    assert info.value.errcode == 40014 and info.value.chat_id == "team"


@pytest.mark.parametrize("fault, errcode", [("busy", -1), ("overload", 45033)])
def test_busy_answers_are_retried_with_backoff(emu, fault, errcode):
    emu.set_faults(script=[{"fault": fault, "path": "appchat/get", "count": 3}])
    sleeps = Sleeps()
    with make_client(emu, sleep=sleeps) as client:
        assert client.get_chat("team").name == "Team"
        assert client.stats["appchat/get"] == 4
    assert len(sleeps.waits) == 3
    # exponential: each ceiling doubles from 0.5 s; equal jitter keeps it in the upper half
    for attempt, wait in enumerate(sleeps.waits):
        assert 0.25 * 2 ** attempt <= wait <= 0.5 * 2 ** attempt


@pytest.mark.parametrize("fault, errcode", [("busy", -1), ("overload", 45033)])
def test_busy_gives_up_after_three_retries(emu, fault, errcode):
    emu.set_faults(script=[{"fault": fault, "path": "appchat/get", "count": 10}])
    with make_client(emu) as client:
        result = client.read_chats(["team"])
        assert client.stats["appchat/get"] == 4
    assert isinstance(result["team"], ReadError) and result["team"].errcode == errcode


def test_rate_limited_reads_back_off_and_succeed(emu):
    emu.set_faults(script=[{"fault": "errcode", "errcode": 45009, "path": "appchat/get", "count": 3}])
    sleeps = Sleeps()
    with make_client(emu, sleep=sleeps) as client:
        assert client.get_chat("team").owner == "alice"
        assert client.stats["appchat/get"] == 4
    assert len(sleeps.waits) == 3 and sleeps.waits[0] >= 0.5


def test_rate_limited_reads_give_up_within_the_bound(emu):
    emu.set_faults(script=[{"fault": "errcode", "errcode": 45009, "path": "appchat/get", "count": 1000}])
    sleeps = Sleeps()
    with make_client(emu, sleep=sleeps, rate_limit_wait=75.0) as client:
        with pytest.raises(RateLimited) as info:
            client.get_chat("team")
        calls = client.stats["appchat/get"]
    assert info.value.errcode == 45009 and info.value.chat_id == "team"
    assert sum(sleeps.waits) <= 75.0
    assert calls == len(sleeps.waits) + 1 < 20


def test_real_quota_block_is_waited_out(emulator_factory):
    """The emulator's per-minute quota on a fake clock that the client's sleeps
    move: without client pacing the reads meet 45009, back off, and all succeed."""
    clock = FakeClock()
    emu = emulator_factory(seed=SEED, clock=clock, calls_per_minute=5)
    sleeps = Sleeps(clock)
    with make_client(emu, sleep=sleeps, concurrency=1, calls_per_minute=100_000) as client:
        result = client.read_chats(IDS[:12])
    assert all(isinstance(r, LiveChat) for r in result.values())
    assert len(gets(emu, 45009)) >= 1
    assert len(gets(emu, 0)) == 12


def test_client_pacing_keeps_under_the_quota(emulator_factory):
    """Same quota, with client pacing at the quota: not one 45009."""
    clock = FakeClock()
    emu = emulator_factory(seed=SEED, clock=clock, calls_per_minute=5)
    sleeps = Sleeps(clock)
    with make_client(emu, sleep=sleeps, concurrency=1, calls_per_minute=5, clock=clock) as client:
        result = client.read_chats(IDS[:23])
        assert client.stats == {"gettoken": 1, "appchat/get": 23}
    assert all(isinstance(r, LiveChat) for r in result.values())
    assert [c for c in emu.calls() if c["errcode"] == 45009] == []
    assert len(sleeps.waits) == 4  # 23 calls at 5 a minute: four waits for a new window


@pytest.mark.parametrize("fault", [{"fault": "drop"}, {"fault": "garbage"}, {"fault": "http", "status": 502},
                                   {"fault": "http", "status": 503}])
def test_transport_faults_on_reads_are_retried(emu, fault):
    emu.set_faults(script=[{**fault, "path": "appchat/get", "count": 2}])
    with make_client(emu) as client:
        assert client.get_chat("team").members == frozenset({"alice", "bob", "carol"})
        assert client.stats["appchat/get"] == 3


def test_transport_faults_on_reads_are_bounded(emu):
    emu.set_faults(script=[{"fault": "drop", "path": "appchat/get", "count": 50}])
    with make_client(emu) as client:
        result = client.read_chats(["team"])
        assert client.stats["appchat/get"] == 4
    err = result["team"]
    assert isinstance(err, ReadError) and err.errcode is None
    assert "dropped" in err.message and "4 attempts" in err.message


def test_http_4xx_is_not_retried(emu):
    emu.set_faults(script=[{"fault": "http", "status": 404, "path": "appchat/get", "count": 5}])
    with make_client(emu) as client:
        with pytest.raises(TransportError) as info:
            client.get_chat("team")
        assert client.stats["appchat/get"] == 1
    assert info.value.errcode is None and "HTTP 404" in str(info.value)


def test_slow_answer_times_out_and_read_is_retried(stalled):
    emu = stalled
    emu.set_faults(script=[{"fault": "slow", "ms": 1500, "path": "appchat/get", "count": 1}])
    with make_client(emu, timeout=TIMEOUT) as client:
        assert client.get_chat("team").name == "Team"
        assert client.stats["appchat/get"] == 2


# ---------------------------------------------------------------- credentials

def test_wrong_secret_fails_at_once_with_one_gettoken(emulator_factory):
    emu = emulator_factory(seed=SEED)
    env = {**env_for(emu), "WECOM_CORP_SECRET": "not-the-secret"}
    with client_from_env(env, concurrency=8, sleep=Sleeps()) as client:
        with pytest.raises(InvalidCredentials) as info:
            client.read_chats(IDS)
        with pytest.raises(InvalidCredentials):
            client.get_chat("team")  # remembered: no second try at the secret
    assert info.value.errcode == 40001
    assert "WECOM_CORP_ID" in str(info.value) and "WECOM_CORP_SECRET" in str(info.value)
    assert emu.call_counts().get("gettoken") == 1
    assert emu.call_counts().get("appchat/get", 0) == 0


def test_wrong_corp_id_fails_at_once_with_one_gettoken_naming_the_variable(emulator_factory):
    # issue 12: real WeCom answers 40013 to an unknown corp id; it is handled as 40001 is
    emu = emulator_factory(seed=SEED)
    env = {**env_for(emu), "WECOM_CORP_ID": "wwnotthiscorp"}
    with client_from_env(env, concurrency=8, sleep=Sleeps()) as client:
        with pytest.raises(InvalidCredentials) as info:
            client.read_chats(IDS)
        with pytest.raises(InvalidCredentials):
            client.get_chat("team")  # remembered: no second try
    assert info.value.errcode == 40013
    assert "WECOM_CORP_ID" in str(info.value) and "40013" in str(info.value)
    assert emu.call_counts() == {"gettoken": 1}


def test_unreachable_server_is_a_transport_error_naming_the_host(emu):
    creds = Credentials("wwtestcorp", "test-secret-DO-NOT-LEAK", "http://127.0.0.1:1/cgi-bin/")
    sleeps = Sleeps()
    with WeComClient(creds, sleep=sleeps) as client:
        result = client.read_chats(["team", "chat01"])
        assert client.stats == {"gettoken": 1}  # one refused connection, not retried, shared by both reads
    for chat_id, err in result.items():
        assert isinstance(err, ReadError) and err.errcode is None
        assert err.message == ("GET gettoken: cannot connect to 127.0.0.1:1 (connection refused or host "
                               "unreachable)")


@pytest.mark.parametrize("fault, words", [
    ({"fault": "drop"}, "connection to {host} dropped before an answer came"),
    ({"fault": "garbage"}, "{host} sent a body that is not a JSON answer"),
    ({"fault": "http", "status": 503}, "HTTP 503 from {host}"),
])
def test_every_connection_error_names_the_host_and_never_the_query(emu, fault, words):
    emu.set_faults(script=[{**fault, "path": "appchat/get", "count": 10}])
    host = f"127.0.0.1:{emu.port}"
    with make_client(emu) as client:
        token = client._calls.tokens.get()
        with pytest.raises(TransportError) as info:
            client.get_chat("team")
    text = str(info.value)
    assert text.startswith("GET appchat/get for chat team: " + words.format(host=host))
    assert "?" not in text and "chatid=" not in text and token not in text and "access_token" not in text
    # the per-chat ReadError message leaves the chat id to its own field
    assert info.value.errmsg.startswith("GET appchat/get: " + words.format(host=host))


def test_slow_answer_names_the_host(stalled):
    emu = stalled
    emu.set_faults(script=[{"fault": "slow", "ms": 1500, "path": "appchat/get", "count": 10}])
    with make_client(emu, timeout=TIMEOUT, max_retries=0) as client:
        with pytest.raises(TransportError) as info:
            client.get_chat("team")
    assert f"no answer from 127.0.0.1:{emu.port} within 2 s" in str(info.value)


# ---------------------------------------------------------------- writes

def test_read_only_client_refuses_writes_before_any_io(emu):
    with make_client(emu, read_only=True) as client:
        with pytest.raises(ReadOnlyViolation):
            client.call("appchat/update", {"chatid": "team", "add_user_list": ["dave"]})
        with pytest.raises(ReadOnlyViolation):
            client.send("team", "text", {"content": "hi"})
        assert client.stats == {}
    assert emu.calls() == []
    assert emu.chat("team")["userlist"] == ["alice", "bob", "carol"]


def test_writes_create_update_send(emu):
    with make_client(emu, read_only=False) as client:
        client.call("appchat/create", {"chatid": "newone", "name": "New", "owner": "bob",
                                       "userlist": ["alice", "bob"]})
        client.call("appchat/update", {"chatid": "team", "add_user_list": ["dave"], "name": "Team 2"})
        client.send("team", "markdown", {"content": "**hi** 你好"})
        with pytest.raises(WeComError) as info:
            client.call("appchat/update", {"chatid": "team", "del_user_list": ["nobody"]})
        assert client.stats == {"gettoken": 1, "appchat/create": 1, "appchat/update": 2, "appchat/send": 1}
    assert info.value.errcode == 86216 and info.value.chat_id == "team"
    assert emu.chat("newone")["owner"] == "bob"
    assert sorted(emu.chat("team")["userlist"]) == ["alice", "bob", "carol", "dave"]
    assert emu.messages("team")[0]["markdown"] == {"content": "**hi** 你好"}


def test_busy_write_is_retried(emu):
    emu.set_faults(script=[{"fault": "busy", "path": "appchat/update", "count": 2}])
    with make_client(emu, read_only=False) as client:
        client.call("appchat/update", {"chatid": "team", "add_user_list": ["dave"]})
        assert client.stats["appchat/update"] == 3
    assert "dave" in emu.chat("team")["userlist"]


def test_rate_limited_write_is_not_retried(emu):
    emu.set_faults(script=[{"fault": "errcode", "errcode": 45009, "path": "appchat/update", "count": 1}])
    sleeps = Sleeps()
    with make_client(emu, read_only=False, sleep=sleeps) as client:
        with pytest.raises(RateLimited) as info:
            client.call("appchat/update", {"chatid": "team", "add_user_list": ["dave"]})
        assert client.stats["appchat/update"] == 1
    assert info.value.errcode == 45009 and info.value.chat_id == "team"
    assert sleeps.waits == []


@pytest.mark.parametrize("fault", [{"fault": "drop", "after": True}, {"fault": "drop"},
                                   {"fault": "http", "status": 502, "after": True}, {"fault": "garbage"}])
def test_write_with_lost_answer_is_not_retried(emu, fault):
    emu.set_faults(script=[{**fault, "path": "appchat/update", "count": 1}])
    with make_client(emu, read_only=False) as client:
        with pytest.raises(WriteOutcomeUnknown) as info:
            client.call("appchat/update", {"chatid": "team", "add_user_list": ["dave"]})
        assert client.stats["appchat/update"] == 1
    assert info.value.errcode is None and info.value.chat_id == "team"
    assert "may have been applied" in str(info.value)
    applied = "dave" in emu.chat("team")["userlist"]
    assert applied == bool(fault.get("after"))


def test_write_timeout_is_not_retried(stalled):
    emu = stalled
    emu.set_faults(script=[{"fault": "slow", "ms": 1500, "path": "appchat/update", "count": 1}])
    with make_client(emu, read_only=False, timeout=TIMEOUT) as client:
        with pytest.raises(WriteOutcomeUnknown):
            client.call("appchat/update", {"chatid": "team", "add_user_list": ["dave"]})
        assert client.stats["appchat/update"] == 1
