"""`appchat show PLANFILE`: a saved plan rendered exactly as `plan`
rendered it when it was made, offline, refused when `apply --plan` would
refuse to read it. The plans are made by `plan --out` against the emulator,
seeded with a directory so that every part of a plan's views is there:
names, a created chat, an owner change in two calls, a removal of someone
whose membership ended, a membership ending soon, someone who left the
directory, and a chat that could not be planned."""

from __future__ import annotations

import json
import textwrap

import pytest

from tests.helpers import run_in_process as run
from tests.helpers import wecom_env

ORG = {
    "departments": [{"id": 1, "name": "Acme", "parentid": 0}, {"id": 2, "name": "SRE", "parentid": 1}],
    "users": [
        {"userid": "alice", "name": "爱丽丝", "department": [2]},
        {"userid": "bob", "name": "Bob", "department": [2]},
        {"userid": "carol", "name": "Carol", "department": [1]},
        {"userid": "kim", "name": "Kim (intern)", "department": [1]},
    ],
    "chats": [{"chatid": "sre", "name": "SRE", "owner": "alice", "userlist": ["alice", "bob", "gone", "kim"]},
              {"chatid": "ops", "name": "Ops", "owner": "alice", "userlist": ["alice", "carol"]}],
}

FILES = """\
chats:
  sre:
    name: SRE on-call
    owner: alice
    members:
      - dept:2
      - {user: kim, until: 2027-01-01, reason: internship}
      - {user: carol, until: 2027-01-12, reason: INC-42 cover}
  ops:
    name: Ops
    owner: kim
    members: [alice, carol, kim]
  brandnew:
    name: Brand new
    owner: bob
    members: [alice, bob]
  broken:
    name: Broken
    owner: alice
    members: [alice, bob, tag:99]
"""
TODAY = "2027-01-10"


@pytest.fixture
def emu(emulator_factory, monkeypatch):
    emu = emulator_factory(seed=ORG)
    wecom_env(monkeypatch, emu)
    return emu


@pytest.fixture
def chats(tmp_path):
    path = tmp_path / "chats.yaml"
    path.write_text(FILES, encoding="utf-8")
    return path


def saved(capsys, chats, tmp_path, fmt: str = "json"):
    """(what `plan --format FMT --out FILE` printed, FILE)."""
    out = tmp_path / f"plan-{fmt}.json"
    r = run(capsys, "plan", chats, "--check-users", "--today", TODAY, "--format", fmt, "--out", out)
    assert r.code == 1, r.err  # `broken` cannot be planned; the rest is planned and saved
    return r.out, out


@pytest.mark.parametrize("fmt", ["text", "markdown", "json"])
def test_show_prints_exactly_what_plan_printed_for_the_same_plan(emu, chats, tmp_path, capsys, fmt):
    printed, path = saved(capsys, chats, tmp_path, fmt)
    # The plan holds every part a view shows, so the equality below covers them.
    data = json.loads(path.read_text(encoding="utf-8"))
    assert {"names", "expiring", "read_concurrency", "errors"} <= set(data) and data["errors"]
    by_id = {c["chat_id"]: c for c in data["changes"]}
    assert by_id["brandnew"]["action"] == "create" and len(by_id["ops"]["calls"]) == 2
    assert by_id["sre"]["expired"][0]["user_id"] == "kim" and by_id["sre"]["not_in_directory"] == ["gone"]
    r = run(capsys, "show", path, "--format", fmt)
    assert r.code == 0, r.err
    assert r.out == printed
    assert r.err == ""


def test_show_defaults_to_text(emu, chats, tmp_path, capsys):
    printed, path = saved(capsys, chats, tmp_path, "text")
    assert run(capsys, "show", path).out == printed
    assert "爱丽丝" in printed and "membership of carol (Carol) ends 2027-01-12" in printed


def test_show_is_offline_and_needs_no_credentials(emu, chats, tmp_path, capsys, monkeypatch):
    printed, path = saved(capsys, chats, tmp_path, "markdown")
    for name in ("WECOM_CORP_ID", "WECOM_CORP_SECRET", "WECOM_API_BASE"):
        monkeypatch.delenv(name)
    emu.clear_calls()
    r = run(capsys, "show", "--format", "markdown", path)
    assert r.code == 0 and r.out == printed
    assert emu.call_counts() == {}


def _edited(path, change) -> None:
    data = json.loads(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(json.dumps(data), encoding="utf-8")


@pytest.mark.parametrize("edit, said", [
    (lambda d: d["changes"][0]["after"]["members"].append("zed"), "was edited after it was written"),
    (lambda d: d.update(format_version=2), "has format_version 2"),
    (lambda d: d.pop("digest"), "has no digest"),
    (lambda d: d.update(names=["alice"]), "names: expected an object of user id -> display name"),
    (lambda d: d["expiring"][0].update(source="chats.yaml"), "expiring[0].source: expected FILE:LINE:COL"),
    (lambda d: d.update(read_concurrency={"mode": "fast"}), "read_concurrency: expected"),
])
def test_show_refuses_what_apply_plan_would_not_read_in_one_located_line(emu, chats, tmp_path, capsys, edit, said):
    _, path = saved(capsys, chats, tmp_path)
    _edited(path, edit)
    r = run(capsys, "show", path)
    assert r.code == 1 and r.out == ""
    assert r.err.count("\n") == 1 and r.err.startswith(f"error: plan file {path}")
    assert said in r.err


def test_show_of_a_file_that_is_not_json_names_line_and_column(tmp_path, capsys):
    path = tmp_path / "cut.json"
    path.write_text('{\n  "format_version": 1,\n  "changes": [', encoding="utf-8")
    r = run(capsys, "show", path)
    assert r.code == 1 and r.err.count("\n") == 1
    assert "not valid JSON (truncated?)" in r.err and "(line 3, column" in r.err


def test_show_json_of_an_unreadable_plan_still_prints_one_json_object(tmp_path, capsys):
    r = run(capsys, "show", tmp_path / "missing.json", "--format", "json")
    assert r.code == 1
    assert r.json()["error"].startswith(f"cannot read plan file {tmp_path / 'missing.json'}")
    assert r.err.count("\n") == 1


def test_show_of_a_plan_without_changes_says_so(emu, tmp_path, capsys):
    path = tmp_path / "same.yaml"
    path.write_text(textwrap.dedent("""\
        chats:
          ops: {name: Ops, owner: alice, members: [alice, carol]}
        """), encoding="utf-8")
    out = tmp_path / "p.json"
    printed = run(capsys, "plan", path, "--out", out).out
    r = run(capsys, "show", out)
    assert r.code == 0 and r.out == printed == "No changes. WeCom matches the files.\n"
