"""Apply under the faults WeCom and networks produce (issue 7's matrix, the
write side): whatever happens, every chat ends at its `before` or its
`after`, the report says which, and a re-run converges with no duplicate
call. Faults are scripted on the emulator so each case is deterministic."""

from __future__ import annotations

import pytest

from tests.app.support import chat, run, state, use_emulator, write_chats, writes

SEED = {"chats": [chat(f"c{i}", ["alice", "bob", "dave"], owner="alice") for i in range(3)]}
DESIRED = ([chat(f"c{i}", ["alice", "bob", "carol"], owner="alice") for i in range(3)]
           + [chat("fresh", ["gina", "hank"], owner="gina")])
BEFORE = {c["chatid"]: c for c in SEED["chats"]}
AFTER = {c["chatid"]: c for c in DESIRED}

# (fault script on the first write, what the first run must report for that chat)
CASES = {
    "busy twice, then fine": ([{"fault": "busy", "path": "appchat/update", "count": 2}], "applied"),
    "45033 twice, then fine": ([{"fault": "overload", "path": "appchat/update", "count": 2}], "applied"),
    "token invalidated": ([{"fault": "errcode", "errcode": 40014, "path": "appchat/update"}], "applied"),
    "token expired": ([{"fault": "errcode", "errcode": 42001, "path": "appchat/update"}], "applied"),
    # the request took effect, the answer was lost: a re-read finds the change
    "dropped after taking effect": ([{"fault": "drop", "path": "appchat/update", "after": True}], "applied"),
    "HTTP 502 after taking effect": ([{"fault": "http", "status": 502, "path": "appchat/update", "after": True}],
                                     "applied"),
    "non-JSON answer after taking effect": ([{"fault": "garbage", "path": "appchat/update", "after": True}],
                                            "applied"),
    # no effect and no answer: a re-read shows nothing happened; failed, the re-run does it
    "dropped before taking effect": ([{"fault": "drop", "path": "appchat/update"}], "failed"),
    "HTTP 502 without effect": ([{"fault": "http", "status": 502, "path": "appchat/update"}], "failed"),
    "busy beyond the retries": ([{"fault": "busy", "path": "appchat/update", "count": 4}], "failed"),  # 1 + 3 retries
    "create dropped after taking effect": ([{"fault": "drop", "path": "appchat/create", "after": True}],
                                           "applied"),
}


@pytest.mark.parametrize("case", list(CASES))
def test_apply_under_a_fault_ends_before_or_after_and_converges(case, emulator_factory, monkeypatch,
                                                                tmp_path, capsys):
    script, first_status = CASES[case]
    emu = emulator_factory(seed=SEED)
    use_emulator(monkeypatch, emu)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("APPCHAT_LOCK_DIR", str(tmp_path))
    write_chats(tmp_path, DESIRED)
    emu.set_faults(script=script)
    r = run(capsys, "apply", "--yes", "--concurrency", "1", "--format", "json", "chats")
    assert "Traceback" not in r.err
    outcomes = {o["chat_id"]: o for o in r.json()["outcomes"]}
    hit = "fresh" if script[0]["path"] == "appchat/create" else "c0"  # one worker: c0 writes first
    assert outcomes[hit]["status"] == first_status, outcomes[hit]
    assert r.code == (0 if first_status == "applied" else 1)
    others = [o for cid, o in outcomes.items() if cid != hit]
    assert all(o["status"] == "applied" for o in others)
    for chat_id, after in AFTER.items():
        assert state(emu, chat_id) in (BEFORE.get(chat_id), after), chat_id
    # the re-run touches only what is still missing, and WeCom accepts every call
    emu.set_faults(clear=True)
    emu.clear_calls()
    r = run(capsys, "apply", "--yes", "chats")
    assert r.code == 0, r.out + r.err
    expected = [] if first_status == "applied" else [hit]
    assert [c["body"]["chatid"] for c in writes(emu)] == expected
    for chat_id, after in AFTER.items():
        assert state(emu, chat_id) == after
    assert run(capsys, "plan", "--detailed-exitcode", "chats").code == 0
