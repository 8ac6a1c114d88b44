"""The membership ledger end to end against the emulator over HTTP: apply
--ledger records what it verified (with causes, the commit, the plan's
digest), `history` reads it back, runs append in order, and a killed
apply leaves whole lines only."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import threading
from pathlib import Path

import jsonschema
import pytest

from tests.helpers import REPO, env_for, run_cli, subprocess_env, wecom_env
from tests.helpers import run_in_process as run
from tests.samples import OPS_WITH_CONTRACTOR

FILES = "\n" + OPS_WITH_CONTRACTOR  # its lines as the tests locate them
SCHEMA = json.loads((REPO / "schemas" / "history.schema.json").read_text(encoding="utf-8"))


def valid(text: str) -> dict:
    data = json.loads(text)
    jsonschema.Draft202012Validator(SCHEMA).validate(data)
    return data


def ledger_lines(directory: Path) -> list[dict]:
    out = []
    for path in sorted(directory.glob("*.jsonl")):
        raw = path.read_bytes()
        assert raw.endswith(b"\n"), f"{path} ends in a partial line"
        out += [json.loads(line) for line in raw.splitlines()]
    return out


@pytest.fixture
def setup(emulator_factory, monkeypatch, tmp_path):
    emu = emulator_factory(seed={"users": ["alice", "bob", "vera", "hand"],
                                 "chats": [{"chatid": "ops", "name": "Ops", "owner": "alice",
                                            "userlist": ["alice", "bob", "hand"]}]})
    wecom_env(monkeypatch, emu)
    monkeypatch.setenv("APPCHAT_LOCK_DIR", str(tmp_path))
    monkeypatch.delenv("GITHUB_SHA", raising=False)
    monkeypatch.setenv("CI_COMMIT_SHA", "c0ffee0000000000000000000000000000000000")
    path = tmp_path / "chats.yaml"
    path.write_text(textwrap.dedent(FILES), encoding="utf-8")
    return emu, path, tmp_path / "ledger"


def test_an_ended_membership_is_on_record_with_its_cause_and_history_shows_it(setup, capsys):
    emu, path, ledger = setup
    r = run(capsys, "apply", path, "--yes", "--today", "2027-01-20", "--ledger", ledger, "--source-ref", "abc123")
    assert r.code == 0, r.err
    first = ledger_lines(ledger)
    # first seen: who was there before, then what this run did, in call order
    assert [(x["event"], x.get("user_id")) for x in first] == [
        ("present", "alice"), ("present", "bob"), ("present", "hand"), ("joined", "vera"), ("left", "hand")]
    assert first[0]["cause"] == "before the ledger"
    assert first[4]["cause"] == {"kind": "unlisted"}  # the plan's own cause: hand was added by hand
    assert first[3]["cause"] == {"kind": "listed", "entries": [{"entry": "vera", "source": f"{path}:9",
                                                                "until": "2027-01-31",
                                                                "reason": "contractor, INC-42"}]}
    assert all(x["commit"] == "abc123" and x["plan_digest"].startswith("sha256:") for x in first)
    assert all(x["target"] == {"corp_id": emu.config.corp_id, "api_base": emu.base_url} for x in first)
    assert list(first[3]) == ["at", "target", "chat_id", "chat_name", "event", "user_id", "name", "cause",
                              "commit", "plan_digest"]

    r = run(capsys, "apply", path, "--yes", "--today", "2027-02-01", "--ledger", ledger)
    assert r.code == 0, r.err
    assert sorted(emu.chat("ops")["userlist"]) == ["alice", "bob"]
    second = ledger_lines(ledger)
    assert second[:len(first)] == first  # appended, never rewritten
    (left,) = second[len(first):]
    assert (left["event"], left["user_id"]) == ("left", "vera")
    assert left["cause"] == {"kind": "expired", "entry": "vera", "source": f"{path}:9", "until": "2027-01-31",
                             "reason": "contractor, INC-42"}
    assert left["commit"] == "c0ffee0000000000000000000000000000000000"  # the CI's variable without --source-ref
    assert left["at"].endswith("+08:00") and (ledger / f"{left['at'][:7]}.jsonl").exists()

    r = run(capsys, "history", "vera", "--ledger", ledger)
    assert r.code == 0, r.err
    body = r.out.splitlines()
    assert body[0] == "vera: 2 lines, oldest first"
    assert "+ joined  vera" in body[1] and "- left    vera" in body[2]
    assert f"({path}:9, until 2027-01-31)" in body[1]  # the plan's words for the join
    assert "(expired 2027-01-31: contractor, INC-42)" in body[2]
    r = run(capsys, "history", "VERA", "--ledger", ledger, "--format", "json")
    data = valid(r.out)
    assert [x["event"] for x in data["lines"]] == ["joined", "left"] and data["ignored"] == []
    assert data["lines"][1] == left


def test_history_at_a_day_names_who_was_in_the_chat(setup, capsys):
    emu, path, ledger = setup
    assert run(capsys, "apply", path, "--yes", "--today", "2027-01-20", "--ledger", ledger).code == 0
    day = ledger_lines(ledger)[0]["at"][:10]
    r = run(capsys, "history", "--at", day, "--chat", "ops", "--ledger", ledger, "--format", "json")
    data = valid(r.out)
    assert [m["user_id"] for m in data["members"]] == ["alice", "bob", "vera"]  # hand left that day
    r = run(capsys, "history", "--at", day, "--chat", "ops", "--ledger", ledger)
    assert r.out.startswith(f"In chat ops at the end of {day} (as far as the ledger knows): 3 members")
    r = run(capsys, "history", "--at", "2020-01-01", "--chat", "ops", "--ledger", ledger, "--format", "json")
    assert valid(r.out)["members"] == []  # before the ledger began, it knows nobody
    r = run(capsys, "history", "hand", "--at", day, "--ledger", ledger)
    assert "in 0 chats" in r.out


def test_a_run_without_changes_records_the_members_of_a_chat_first_seen(setup, capsys):
    emu, path, ledger = setup
    assert run(capsys, "apply", path, "--yes", "--today", "2027-01-20").code == 0  # no ledger yet
    assert run(capsys, "apply", path, "--yes", "--today", "2027-01-20", "--ledger", ledger).code == 0
    lines = ledger_lines(ledger)
    assert [(x["event"], x["user_id"]) for x in lines] == [("present", "alice"), ("present", "bob"),
                                                          ("present", "vera")]
    assert run(capsys, "apply", path, "--yes", "--today", "2027-01-20", "--ledger", ledger).code == 0
    assert ledger_lines(ledger) == lines  # seen once: never again


def test_history_refuses_what_it_cannot_answer(tmp_path, capsys):
    r = run(capsys, "history", "vera", "--ledger", tmp_path / "nowhere", "--format", "json")
    assert r.code == 1 and "no ledger at" in valid(r.out)["error"]
    tmp_path.joinpath("ledger").mkdir()
    r = run(capsys, "history", "--at", "2027-01-01", "--ledger", tmp_path / "ledger")
    assert r.code == 1 and "--at needs --chat" in r.err


def test_a_ledger_that_cannot_be_written_stops_apply_before_any_write(setup, capsys):
    emu, path, ledger = setup
    ledger.write_text("a file, not a directory")
    emu.clear_calls()
    r = run(capsys, "apply", path, "--yes", "--today", "2027-01-20", "--ledger", ledger)
    assert r.code == 1 and "ledger directory" in r.err
    assert [c for c in emu.calls() if c["path"] == "appchat/update"] == []


def test_a_killed_apply_leaves_whole_lines_and_the_next_run_appends_in_order(emulator_factory, tmp_path):
    # Three chats, one at a time. The emulator holds every update after the
    # first (a hook in its request thread), so c1 cannot finish; apply says on stderr
    # (-v) that c0 is applied right after c0's lines are written, and is
    # killed then: no timing involved. The held update is never carried out.
    seed = {"chats": [{"chatid": f"c{i}", "name": f"C{i}", "owner": "alice", "userlist": ["alice", "bob"]}
                      for i in range(3)]}
    emu = emulator_factory(seed=seed)
    release, updates = threading.Event(), []

    def hold_second_update(event, method, path):
        if event == "request" and path == "appchat/update" and not release.is_set():
            updates.append(path)
            if len(updates) >= 2:  # c1's, if the killed apply got as far as sending it
                release.wait(60)
                raise ConnectionAbortedError("held by the test, never carried out")

    emu.add_hook(hold_second_update)
    files = tmp_path / "chats.yaml"
    files.write_text("chats:\n" + "".join(f"  c{i}:\n    name: C{i}\n    owner: alice\n    members: [alice, carol]\n"
                                          for i in range(3)), encoding="utf-8")
    ledger = tmp_path / "ledger"
    env = {**env_for(emu), "APPCHAT_LOCK_DIR": str(tmp_path)}
    proc = subprocess.Popen([sys.executable, "-m", "reconciler", "apply", "--yes", "-v", "--concurrency", "1",
                             "--ledger", str(ledger), str(files)], cwd=tmp_path, env=subprocess_env(env),
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        said = ""
        for said in proc.stderr:
            if "c0: applied" in said:
                break
        assert "c0: applied" in said
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
        killed = ledger_lines(ledger)  # every line whole (ledger_lines asserts it)
        assert [(x["chat_id"], x["event"], x["user_id"]) for x in killed] == [
            ("c0", "present", "alice"), ("c0", "present", "bob"), ("c0", "joined", "carol"), ("c0", "left", "bob")]
        assert emu.chat("c1")["userlist"] == ["alice", "bob"]
    finally:
        release.set()
        proc.kill()
        proc.wait(timeout=30)

    code, out, err = run_cli(["apply", "--yes", "--concurrency", "1", "--ledger", ledger, files], env, cwd=tmp_path)
    assert code == 0, out + err
    after = ledger_lines(ledger)
    assert after[:len(killed)] == killed
    later = after[len(killed):]
    assert [(x["chat_id"], x["event"]) for x in later if x["event"] in ("joined", "left")] == [
        ("c1", "joined"), ("c1", "left"), ("c2", "joined"), ("c2", "left")]
    assert [x["at"] for x in after] == sorted(x["at"] for x in after)
