"""Every JSON output has `format_version` and meets its published schema
(schemas/*.schema.json), and a fatal error under --format json still
prints one JSON object on stdout whose `error` says why (contract, "Plan
JSON"; issue 22, items 10 and 11).

tests.helpers checks every --format json run of every test against its
command's schema; the runs here make sure that each kind of output is among
them: a plan with creates, updates, read errors, ending memberships and
names; an apply report with applied, failed and departed-refused chats;
`who` offline and --live; `expiring`; and each fatal error."""

from __future__ import annotations

import json
import socket
import textwrap

import pytest

from tests.helpers import run_in_process as run
from tests.helpers import wecom_env
from tests.json_schemas import assert_valid, problems, schema

SEED = {
    "departments": [{"id": 1, "name": "Acme", "parentid": 0}, {"id": 2, "name": "SRE", "parentid": 1}],
    "users": [{"userid": "alice", "name": "爱丽丝", "department": [2]},
              {"userid": "bob", "name": "Bob", "department": [2]},
              {"userid": "carol", "name": "Carol", "department": [1]}],
    "chats": [{"chatid": "team", "name": "Team", "owner": "alice", "userlist": ["alice", "bob", "zoe"]}],
    "foreign_chats": [{"chatid": "legacy", "name": "Legacy", "owner": "alice", "userlist": ["alice", "bob"]}],
}
CHATS = """\
chats:
  team:                 # update: carol joins until 2030-01-05, zoe (who left) goes
    name: Team
    owner: alice
    members: [alice, bob, {user: carol, until: 2030-01-05, reason: contractor}]
  sre:                  # create, from the directory: names in the plan
    name: SRE
    owner: alice
    members: ["dept:2"]
  fresh:                # create that WeCom refuses: ghost is not in the directory
    name: Fresh
    owner: alice
    members: [alice, ghost]
  legacy:               # another app's chat: a read error
    name: Legacy
    owner: alice
    members: [alice, bob]
"""
TODAY = ("--today", "2030-01-01")


@pytest.fixture
def world(emulator_factory, monkeypatch, tmp_path):
    emu = emulator_factory(seed=SEED, departed_removal_errcode=86216)
    wecom_env(monkeypatch, emu)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("APPCHAT_LOCK_DIR", str(tmp_path))
    (tmp_path / "chats").mkdir()
    (tmp_path / "chats" / "all.yaml").write_text(CHATS, encoding="utf-8")
    return emu


def test_a_plan_with_every_kind_of_entry_meets_the_plan_schema(world, capsys):
    r = run(capsys, "plan", "--format", "json", "--out", "saved.json", *TODAY, "chats")
    assert r.code == 1  # legacy cannot be read
    plan = r.json()
    assert plan["format_version"] == 1
    assert {c["action"] for c in plan["changes"]} == {"create", "update"}
    assert [e["chat_id"] for e in plan["errors"]] == ["legacy"]
    assert [e["user_id"] for e in plan["expiring"]] == ["carol"]
    assert plan["names"]["alice"] == "爱丽丝" and "target" in plan
    assert_valid("plan", plan)
    assert_valid("plan", json.loads(open("saved.json", encoding="utf-8").read()))  # the file apply --plan reads
    shown = run(capsys, "show", "--format", "json", "saved.json")
    assert shown.code == 0 and shown.json()["format_version"] == 1


def test_an_apply_report_with_applied_failed_and_refused_chats_meets_its_schema(world, capsys):
    r = run(capsys, "apply", "--yes", "--format", "json", *TODAY, "chats")
    assert r.code == 1
    report = r.json()
    status = {o["chat_id"]: o["status"] for o in report["outcomes"]}
    assert status == {"fresh": "failed", "sre": "applied", "team": "applied"}
    team = next(o for o in report["outcomes"] if o["chat_id"] == "team")
    assert [(x["user_id"], x["change"]) for x in team["refused"]] == [("zoe", "remove")]
    assert report["format_version"] == 1 and report["error"] is None and report["refusals"] == []
    assert_valid("apply-report", report)


def test_an_interrupted_apply_report_meets_its_schema():
    from reconciler.core.report import SKIPPED, ApplyReport, ChatResult
    from reconciler.render import REPORT

    report = ApplyReport(outcomes=(ChatResult("a", "update", SKIPPED, 1, 2, message="interrupted"),
                                   ChatResult("b", "create", SKIPPED, 0, 1)),
                         interrupted="SIGTERM", forced=True, saved=True, stopped="interrupted")
    data = json.loads(REPORT["json"](report))
    assert data["interrupted"] == "SIGTERM" and data["summary"]["partial"] == 1
    assert_valid("apply-report", data)


def test_who_offline_and_live_meets_the_who_schema(world, capsys):
    offline = run(capsys, "who", "carol", "--format", "json", *TODAY, "chats")
    chats = {c["chat_id"]: c for c in offline.json()["chats"]}
    assert offline.code == 0 and chats["team"]["memberships"][0]["until"] == "2030-01-05"
    assert chats["sre"]["unresolved"][0]["entry"] == "dept:2"  # offline, dept:2 may bring carol in
    live = run(capsys, "who", "bob", "--live", "--format", "json", *TODAY, "chats")
    assert live.code == 1  # legacy is unreadable
    states = {c["chat_id"]: c["live"]["state"] for c in live.json()["chats"]}
    assert states == {"legacy": "unreadable", "sre": "missing", "team": "member"}
    for r in (offline, live):
        assert r.json()["format_version"] == 1
        assert_valid("who", r.json())


def test_expiring_meets_the_expiring_schema(world, capsys):
    r = run(capsys, "expiring", "--format", "json", *TODAY, "chats")
    assert r.code == 0
    data = r.json()
    assert data["format_version"] == 1 and [m["user_id"] for m in data["memberships"]] == ["carol"]
    assert_valid("expiring", data)


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


BROKEN = "chats:\n  bad:\n    name: Bad\n    owner: zed\n    members: [alice, bob]\n    bogus: 1\n"
# what ends the run: (argv after the command, variables unset, words `error` must hold)
FATAL = {
    "invalid files": (["broken"], [], ["not valid", "2 errors", "broken/b.yaml:"]),
    "a path that does not exist": (["/nonexistent"], [], ["not valid", "/nonexistent"]),
    "a date out of range": (["--today", "9999-12-31", "chats"], [], ["--today", "9998-12-31"]),
    "an unknown option": (["--bogus", "chats"], [], ["unrecognized arguments: --bogus"]),
    "missing credentials": (["chats"], ["WECOM_CORP_ID"], ["WECOM_CORP_ID"]),
    "an unknown --target": (["--target", "nosuch", "chats"], [], ["--target nosuch"]),
}
COMMANDS = {"plan": ["plan"], "apply": ["apply", "--yes"], "who": ["who", "alice", "--live"],
            "expiring": ["expiring"]}
# offline commands meet no credentials and no --target
OFFLINE = {"expiring": {"missing credentials", "an unknown --target"},
           "who": {"an unknown --target"}}


CASES = [(c, f) for c in COMMANDS for f in FATAL if f not in OFFLINE.get(c, ())]


@pytest.mark.parametrize(("command", "fatal"), CASES, ids=[f"{c}: {f}" for c, f in CASES])
def test_a_fatal_error_under_format_json_prints_one_object_that_says_why(command, fatal, world, monkeypatch,
                                                                         tmp_path, capsys):
    argv, env, words = FATAL[fatal]
    (tmp_path / "broken").mkdir()
    (tmp_path / "broken" / "b.yaml").write_text(BROKEN, encoding="utf-8")
    for key in env:
        monkeypatch.delenv(key)
    r = run(capsys, *COMMANDS[command], "--format", "json", *argv)
    assert r.code == 1
    data = r.json()  # one object, and tests.helpers checked it against the command's schema
    assert data["format_version"] == 1
    assert all(w in data["error"] for w in words), data["error"]
    assert "errors are above" not in r.out
    if fatal == "invalid files":  # every located error, as validate lists them
        assert {(d["file"], d["line"]) for d in data["diagnostics"]} == {("broken/b.yaml", 4), ("broken/b.yaml", 6)}
    if command == "apply":  # the report of a run that applied nothing, its refusals kept
        assert data["refusals"] == [data["error"]] and data["outcomes"] == []
    if fatal in ("invalid files", "a path that does not exist"):
        assert world.calls() == []  # before any API call, not even gettoken


def test_wecom_unreachable_is_said_in_the_json_of_each_command(world, monkeypatch, capsys):
    """Not fatal: each chat that cannot be read is an error of its own (the
    plan's `errors`, the report's `unread`, who's `live`), with the reason."""
    monkeypatch.setenv("WECOM_API_BASE", f"http://127.0.0.1:{_closed_port()}/cgi-bin/")
    plan = run(capsys, "plan", "--format", "json", *TODAY, "chats")
    report = run(capsys, "apply", "--yes", "--format", "json", *TODAY, "chats")
    who = run(capsys, "who", "alice", "--live", "--format", "json", *TODAY, "chats")
    assert plan.code == report.code == who.code == 1
    every = ["fresh", "legacy", "sre", "team"]
    assert [e["chat_id"] for e in plan.json()["errors"]] == [e["chat_id"] for e in report.json()["unread"]] == every
    said = [e["message"] for e in plan.json()["errors"] + report.json()["unread"]] + [
        c["live"]["message"] for c in who.json()["chats"]]
    assert len(said) > 8 and all("cannot connect to 127.0.0.1" in m for m in said), said
    assert report.json()["outcomes"] == [] and report.json()["error"] is None


FATAL_OBJECT = {"format_version": 1, "error": "WECOM_CORP_ID is not set", "diagnostics": []}


OURS = ("plan", "apply-report", "who", "expiring")  # history's schema and tests are tests/e2e/test_ledger.py's


@pytest.mark.parametrize("name", OURS)
def test_each_schema_refuses_an_output_without_format_version(name, world, capsys):
    argv = {"plan": ["plan", *TODAY, "chats"], "apply-report": ["apply", "--yes", *TODAY, "chats"],
            "who": ["who", "carol", *TODAY, "chats"], "expiring": ["expiring", *TODAY, "chats"]}[name]
    output = run(capsys, *argv, "--format", "json").json()
    samples = [output] if name == "apply-report" else [output, FATAL_OBJECT]
    for sample in samples:
        assert problems(name, sample) == []
        unversioned = {k: v for k, v in sample.items() if k != "format_version"}
        assert problems(name, unversioned), f"{name} accepts an output without format_version"
        assert problems(name, {**sample, "format_version": 2}), f"{name} accepts format_version 2"
    if name != "apply-report":  # an error object must say why
        assert problems(name, {"format_version": 1, "diagnostics": []})


def test_the_fatal_error_object_is_the_same_in_every_schema():
    defs = {name: (schema(name)["$defs"]["fatal"], schema(name)["$defs"]["diagnostics"])
            for name in OURS}
    assert len({json.dumps(d, sort_keys=True) for d in defs.values()}) == 1


def test_a_refused_apply_report_must_say_why():
    from reconciler.core.report import ApplyReport

    refused = json.loads(json.dumps(ApplyReport(refusals=("stale",)).data))
    assert refused["error"] == "stale" and problems("apply-report", refused) == []
    assert problems("apply-report", {**refused, "error": None})


def test_history_errors_are_the_same_fatal_object(tmp_path, capsys):
    r = run(capsys, "history", "alice", "--ledger", tmp_path / "none", "--format", "json")
    assert r.code == 1
    assert r.json() == {"format_version": 1, "error": r.json()["error"], "diagnostics": []}
    assert "no ledger at" in r.json()["error"] and problems("history", r.json()) == []
