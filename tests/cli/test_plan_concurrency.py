"""How many requests `plan` and `apply` run at once, as a user sees it: the
plan JSON's `read_concurrency`, `-v`'s log of the limit as it moves, and
`--concurrency N` pinning reads and writes. Counts and limits that hold
whatever the machine's load (the emulator's own figures, scripted answers),
never how long anything took nor how far the adaptive limit grew (that is
test_limiter_server.py's, against a simulated server)."""

from __future__ import annotations

import json
import threading

from tests.app.support import chat, run, start_apply_env, write_chats
from tests.helpers import TEST_CORP_SECRET, env_for, run_cli
from reconciler.wecom.limiter import MAX_LIMIT

LIVE = [chat(f"c{i:03d}", ["alice", "bob"]) for i in range(120)]
WANT = [chat(f"c{i:03d}", ["alice", "bob", "carol"] if i < 30 else ["alice", "bob"]) for i in range(120)]


def test_the_plan_json_says_how_many_reads_ran_at_once(emulator_factory, monkeypatch, tmp_path, capsys):
    emu = start_apply_env(emulator_factory, monkeypatch, tmp_path, {"chats": LIVE}, WANT, latency_ms=150)
    r = run(capsys, "plan", "chats", "--format", "json")
    assert r.code == 0, r.err
    data = r.json()
    assert list(data)[:5] == ["format_version", "changes", "unchanged", "errors", "summary"]
    figures = data["read_concurrency"]
    assert figures["mode"] == "adaptive" and 8 <= figures["peak"] <= MAX_LIMIT, figures
    assert figures["final"] <= figures["peak"] and emu.load()["peak_in_flight"] <= figures["peak"]

    emu.reset()
    emu.set_faults(latency_ms=20)
    r = run(capsys, "plan", "chats", "--format", "json", "--concurrency", "3", "--out", "plan.json")
    assert r.code == 0, r.err
    assert r.json()["read_concurrency"] == {"mode": "fixed", "final": 3, "peak": 3}
    assert emu.load()["peak_in_flight"] <= 3
    # the saved plan carries it too, and apply --plan takes the file as it is
    saved = json.loads((tmp_path / "plan.json").read_text(encoding="utf-8"))
    assert saved["read_concurrency"] == {"mode": "fixed", "final": 3, "peak": 3}
    r = run(capsys, "apply", "--plan", "plan.json", "--format", "json")
    assert r.code == 0, r.err
    assert sum(1 for o in r.json()["outcomes"] if o["status"] == "applied") == 30


def test_verbose_logs_the_limit_as_it_moves_and_no_secret(emulator_factory, tmp_path):
    # One read, refused once: the limit moves whatever the load
    emu = emulator_factory(seed={"chats": LIVE})
    emu.set_faults(script=[{"fault": "overload", "path": "appchat/get"}])
    write_chats(tmp_path, WANT)
    code, out, err = run_cli(["plan", "-v", "--format", "json", "--target", "c000", tmp_path / "chats"],
                             env=env_for(emu))
    assert code == 0, err
    assert ("reconciler.wecom.limiter: concurrency limit 8 -> 6: 45033 (too many concurrent calls) "
            "at a limit of 8") in err
    assert "concurrency {'mode': 'adaptive'" in err   # the figure at the end of the reads
    assert TEST_CORP_SECRET not in err + out
    assert not any(token in err + out for token in emu.issued_tokens())


def _writes_at_once(emu, meet: bool = False) -> dict:
    """Counts the writes the emulator works on at the same moment. With
    `meet`, the first write is held until a second one comes (`met`): two
    at once whatever the load, unless the writes are made one by one."""
    seen = {"now": 0, "peak": 0, "met": None}
    lock = threading.Lock()
    meeting = threading.Barrier(2)
    posts = iter(range(2))

    def hook(event, method, path):
        if method != "POST":
            return
        with lock:
            seen["now"] += 1 if event == "request" else -1
            seen["peak"] = max(seen["peak"], seen["now"])
            first_two = event == "request" and next(posts, None) is not None
        if meet and first_two:
            try:
                meeting.wait(60)
                seen["met"] = True
            except threading.BrokenBarrierError:
                seen["met"] = False
    emu.add_hook(hook)
    return seen


def test_apply_writes_8_chats_at_a_time_unless_pinned(emulator_factory, monkeypatch, tmp_path, capsys):
    emu = start_apply_env(emulator_factory, monkeypatch, tmp_path, {"chats": LIVE[:60]}, WANT[:60], latency_ms=60)
    writes = _writes_at_once(emu, meet=True)
    r = run(capsys, "apply", "chats", "--yes", "--format", "json")
    assert r.code == 0, r.err
    assert writes["met"] and writes["peak"] <= 8, writes   # in parallel, but never more than 8 however reads went

    emu.reset()
    writes = _writes_at_once(emu)
    r = run(capsys, "apply", "chats", "--yes", "--format", "json", "--concurrency", "2")
    assert r.code == 0, r.err
    assert writes["peak"] <= 2 and emu.load()["peak_in_flight"] <= 2
