"""Every way apply refuses, each checked against the emulator's call log:
a refusal writes nothing (and the file checks make no call at all)."""

from __future__ import annotations

import io
import json

import pytest

from tests.helpers import env_for
from tests.app.support import chat, ok_writes, run, state, start_apply_env, write_chats, writes

from reconciler.app.lock import ApplyLock
from reconciler.app.session import target_from_env
from reconciler.cli import term
from reconciler.cli import applyconsole as apply_cmd
from reconciler.wecom import client_from_env

BIG = [f"u{i}" for i in range(10)]
SEED = {"chats": [
    chat("sre", ["alice", "bob", "dave"], owner="alice", name="SRE"),
    chat("big", BIG, owner="u0", name="Big"),
]}
DESIRED = [
    chat("sre", ["alice", "bob", "carol"], owner="alice", name="SRE"),
    chat("big", BIG, owner="u0", name="Big"),
    chat("newc", ["gina", "hank"], owner="gina", name="New"),
]


@pytest.fixture
def emu(emulator_factory, monkeypatch, tmp_path):
    return start_apply_env(emulator_factory, monkeypatch, tmp_path, SEED, DESIRED)


def _writer(emu):
    return client_from_env(env_for(emu), read_only=False)


# ---------------------------------------------------------------- confirmation

def test_no_terminal_and_no_yes_refuses_without_writing(emu, capsys):
    r = run(capsys, "apply", "chats")
    assert r.code == 1
    assert "--yes" in r.err and "Nothing was applied" in r.err
    assert '~ update chat "sre"' in r.out  # the plan was shown
    assert writes(emu) == []
    assert state(emu, "newc") is None


@pytest.mark.parametrize("answer", ["y\n", "YES\n", "no\n", ""])
def test_on_a_terminal_only_yes_is_accepted(emu, capsys, monkeypatch, answer):
    monkeypatch.setattr(term, "is_terminal", lambda stream: True)
    monkeypatch.setattr("sys.stdin", io.StringIO(answer))
    r = run(capsys, "apply", "chats")
    assert r.code == 1
    assert apply_cmd.PROMPT in r.out
    assert "cancelled" in r.err
    assert writes(emu) == []


def test_on_a_terminal_yes_applies(emu, capsys, monkeypatch):
    monkeypatch.setattr(term, "is_terminal", lambda stream: True)
    monkeypatch.setattr("sys.stdin", io.StringIO("yes\n"))
    r = run(capsys, "apply", "chats")
    assert r.code == 0, r.err
    assert state(emu, "sre")["userlist"] == ["alice", "bob", "carol"]
    assert state(emu, "newc")["userlist"] == ["gina", "hank"]


# ---------------------------------------------------------------- before any call

def test_invalid_chat_files_make_no_call_at_all(emu, capsys, tmp_path):
    (tmp_path / "chats" / "bad.yaml").write_text("chats:\n  x!:\n    name: X\n", encoding="utf-8")
    r = run(capsys, "apply", "--yes", "chats")
    assert r.code == 1
    assert "bad.yaml:" in r.err
    assert emu.calls() == []  # not even gettoken


def test_missing_secret_is_named_and_nothing_is_called(emu, capsys, monkeypatch):
    monkeypatch.delenv("WECOM_CORP_SECRET")
    r = run(capsys, "apply", "--yes", "chats")
    assert r.code == 1
    assert "WECOM_CORP_SECRET" in r.err
    assert emu.calls() == []


def test_no_changes_says_so_and_exits_0(emulator_factory, monkeypatch, tmp_path, capsys):
    e = start_apply_env(emulator_factory, monkeypatch, tmp_path, {"chats": DESIRED}, DESIRED)
    r = run(capsys, "apply", "chats")  # no --yes needed: nothing to confirm
    assert r.code == 0, r.err
    assert "No changes." in r.out
    r = run(capsys, "apply", "--format", "json", "chats")
    assert r.code == 0 and r.json()["outcomes"] == [] and "No changes." in r.err
    assert writes(e) == []


# ---------------------------------------------------------------- saved plans

def _saved(capsys, tmp_path) -> str:
    path = tmp_path / "plan.json"
    r = run(capsys, "plan", "--out", path, "chats")
    assert r.code == 0, r.err
    return str(path)


def test_stale_saved_plan_is_refused_and_shows_what_changed(emu, capsys, tmp_path):
    path = _saved(capsys, tmp_path)
    with _writer(emu) as someone:  # a person changes the chat after the plan was made
        someone.call("appchat/update", {"chatid": "sre", "add_user_list": ["zed"]})
    emu.clear_calls()
    r = run(capsys, "apply", "--plan", path)
    assert r.code == 1
    assert "stale" in r.err
    assert "sre" in r.err and "joined since the plan: zed" in r.err
    assert writes(emu) == []
    assert state(emu, "newc") is None  # all or nothing: the fresh chat was not created either


def test_saved_plan_is_stale_when_a_chat_to_create_now_exists(emu, capsys, tmp_path):
    path = _saved(capsys, tmp_path)
    with _writer(emu) as someone:
        someone.call("appchat/create", {"chatid": "newc", "name": "Other", "owner": "x1", "userlist": ["x1", "x2"]})
    emu.clear_calls()
    r = run(capsys, "apply", "--plan", path)
    assert r.code == 1
    assert "stale" in r.err and "newc" in r.err and "now exists" in r.err
    assert writes(emu) == []
    assert state(emu, "sre")["userlist"] == ["alice", "bob", "dave"]


def test_reapplying_a_saved_plan_is_refused_as_stale(emu, capsys, tmp_path):
    path = _saved(capsys, tmp_path)
    assert run(capsys, "apply", "--plan", path).code == 0
    emu.clear_calls()
    r = run(capsys, "apply", "--plan", path)
    assert r.code == 1 and "stale" in r.err and "already match the plan's `after`" in r.err
    assert writes(emu) == []


@pytest.mark.parametrize("mangle, message", [
    (lambda t: t.replace('"carol"', '"mallory"'), "edited"),
    (lambda t: t[: len(t) * 2 // 3], "truncated"),
    (lambda t: "{}", "format_version"),
    (lambda t: "not json at all", "not valid JSON"),
    (lambda t: t.replace('"format_version": 1', '"format_version": 99'), "format_version 99"),
])
def test_untrustworthy_plan_files_are_refused_before_any_call(emu, capsys, tmp_path, mangle, message):
    path = _saved(capsys, tmp_path)
    text = open(path, encoding="utf-8").read()
    open(path, "w", encoding="utf-8").write(mangle(text))
    emu.clear_calls()
    r = run(capsys, "apply", "--plan", path)
    assert r.code == 1
    assert message in r.err and "refusing to apply" in r.err
    assert emu.calls() == []


def test_missing_plan_file(emu, capsys, tmp_path):
    r = run(capsys, "apply", "--plan", tmp_path / "nope.json")
    assert r.code == 1 and "cannot read" in r.err
    assert emu.calls() == []


# ---------------------------------------------------------------- mass-removal guard

def _keep(n: int):
    """Desired files where `big` keeps u0..u{n-1} of its 10 members."""
    return [chat("big", BIG[:n], owner="u0", name="Big")]


def test_guard_refuses_more_than_30_percent_and_names_the_chat(emu, capsys, tmp_path):
    write_chats(tmp_path, _keep(6))  # 4 of 10 = 40%
    r = run(capsys, "apply", "--yes", "chats")
    assert r.code == 1
    assert "mass-removal guard" in r.err and "big" in r.err and "4 of 10" in r.err
    assert writes(emu) == []


def test_guard_json_report_lists_the_refusal(emu, capsys, tmp_path):
    write_chats(tmp_path, _keep(6))
    r = run(capsys, "apply", "--yes", "--format", "json", "chats")
    assert r.code == 1
    data = r.json()
    assert data["outcomes"] == [] and "big" in data["refusals"][0]
    assert writes(emu) == []


def test_exactly_30_percent_passes(emu, capsys, tmp_path):
    write_chats(tmp_path, _keep(7))  # 3 of 10
    r = run(capsys, "apply", "--yes", "chats")
    assert r.code == 0, r.err
    assert state(emu, "big")["userlist"] == BIG[:7]


def test_force_overrides_the_guard(emu, capsys, tmp_path):
    write_chats(tmp_path, _keep(2))
    r = run(capsys, "apply", "--yes", "--force", "chats")
    assert r.code == 0, r.err
    assert "--force" in r.err
    assert state(emu, "big")["userlist"] == ["u0", "u1"]


def test_max_removal_ratio_changes_the_limit(emu, capsys, tmp_path):
    write_chats(tmp_path, _keep(6))
    assert run(capsys, "apply", "--yes", "--max-removal-ratio", "0.5", "chats").code == 0
    assert state(emu, "big")["userlist"] == BIG[:6]
    emu.reset()  # back to 10 members
    write_chats(tmp_path, _keep(8))  # 2 of 10 = 20% > 0.1
    r = run(capsys, "apply", "--yes", "--max-removal-ratio", "0.1", "chats")
    assert r.code == 1 and "big" in r.err and "10%" in r.err


def test_guard_refuses_a_saved_plan_too(emu, capsys, tmp_path):
    write_chats(tmp_path, _keep(5))
    path = _saved(capsys, tmp_path)
    emu.clear_calls()
    r = run(capsys, "apply", "--plan", path)
    assert r.code == 1 and "mass-removal guard" in r.err
    assert writes(emu) == []
    r = run(capsys, "apply", "--plan", path, "--force")
    assert r.code == 0, r.err
    assert [c["path"] for c in ok_writes(emu)] == ["appchat/update"]


# ---------------------------------------------------------------- one apply at a time

def test_a_second_apply_on_this_machine_is_refused(emu, capsys):
    holder = ApplyLock(target_from_env())
    assert holder.acquire() is None
    try:
        r = run(capsys, "apply", "--yes", "chats")
        assert r.code == 1 and "another `appchat apply`" in r.err
        assert emu.calls() == []
    finally:
        holder.release()
    assert run(capsys, "apply", "--yes", "chats").code == 0


def test_the_lock_keys_on_the_normalised_base_and_the_corp(emu, capsys, monkeypatch):
    # issue 12: `.../cgi-bin` and `.../cgi-bin/` were two locks, and two applies interleaved
    holder = ApplyLock(target_from_env({**env_for(emu), "WECOM_API_BASE": emu.base_url.rstrip("/")}))
    assert holder.acquire() is None
    try:
        r = run(capsys, "apply", "--yes", "chats")  # the environment has the trailing slash
        assert r.code == 1 and "another `appchat apply`" in r.err
        assert emu.calls() == []
        # another corp at the same base is another lock
        other = ApplyLock(target_from_env({**env_for(emu), "WECOM_CORP_ID": "wwother"}))
        assert other.path != holder.path
    finally:
        holder.release()
    unset = target_from_env({"WECOM_CORP_ID": "wwx", "WECOM_CORP_SECRET": "s"})
    explicit = target_from_env({"WECOM_CORP_ID": "wwx", "WECOM_CORP_SECRET": "s",
                                "WECOM_API_BASE": "https://qyapi.weixin.qq.com/cgi-bin"})
    assert ApplyLock(unset).path == ApplyLock(explicit).path


def test_a_lock_file_that_cannot_be_opened_refuses_instead_of_skipping_the_lock(emu, capsys, monkeypatch, tmp_path):
    monkeypatch.setenv("APPCHAT_LOCK_DIR", str(tmp_path / "no" / "such" / "dir"))
    for argv in (["--yes", "chats"], ["--yes", "--format", "json", "chats"]):
        r = run(capsys, "apply", *argv)
        assert r.code == 1
        assert "cannot use the apply lock directory" in r.err and "APPCHAT_LOCK_DIR" in r.err
        assert "Nothing was applied" in r.err
    assert "cannot use the apply lock directory" in r.json()["refusals"][0]
    assert writes(emu) == []


def test_a_saved_plan_is_refused_too_while_another_apply_runs(emu, capsys, tmp_path):
    assert run(capsys, "plan", "--out", tmp_path / "p.json", "chats").code == 0
    emu.clear_calls()
    holder = ApplyLock(target_from_env())
    assert holder.acquire() is None
    try:
        r = run(capsys, "apply", "--plan", tmp_path / "p.json")
        assert r.code == 1 and "another `appchat apply`" in r.err
        assert emu.calls() == []
    finally:
        holder.release()
    assert run(capsys, "apply", "--plan", tmp_path / "p.json").code == 0


def test_json_report_on_success(emu, capsys):
    r = run(capsys, "apply", "--yes", "--format", "json", "chats")
    assert r.code == 0, r.err
    data = json.loads(r.out)  # stdout is only the report; the plan went to stderr
    assert data["refusals"] == []
    assert {o["chat_id"]: o["status"] for o in data["outcomes"]} == {"newc": "applied", "sre": "applied"}
    assert data["summary"]["calls"] == 2
    assert '~ update chat "sre"' in r.err


def test_target_with_a_saved_plan_is_refused(emu, capsys, tmp_path):
    path = _saved(capsys, tmp_path)
    emu.clear_calls()
    r = run(capsys, "apply", "--plan", path, "--target", "sre")
    assert r.code == 1 and "--target" in r.err
    assert emu.calls() == []


# ---------------------------------------------------------------- --format json: one report, also on refusal

def test_json_refusals_are_a_report_on_stdout_too(emu, capsys, tmp_path):
    def report(*argv):
        r = run(capsys, "apply", "--format", "json", *argv)
        assert r.code == 1, r.err
        data = r.json()  # stdout is exactly one JSON report
        assert data["refusals"] and data["outcomes"] == [] and data["summary"]["applied"] == 0
        return data

    assert "not confirmed" in report("chats")["refusals"][0]
    (tmp_path / "bad.json").write_text('{"format_version": 1, "changes": [', encoding="utf-8")
    assert "not valid JSON" in report("--plan", tmp_path / "bad.json")["refusals"][0]
    holder = ApplyLock(target_from_env())
    assert holder.acquire() is None
    try:
        assert "another `appchat apply`" in report("--yes", "chats")["refusals"][0]
    finally:
        holder.release()
    (tmp_path / "broken").mkdir()
    (tmp_path / "broken" / "a.yaml").write_text("chats:\n  x:\n    name: X\n    owner: zed\n    members: [a, b]\n",
                                                encoding="utf-8")
    assert "not valid" in report("--yes", tmp_path / "broken")["refusals"][0]
    assert "--target" in report("--yes", "chats", "--target", "nosuch")["refusals"][0]
    with pytest.MonkeyPatch.context() as env:
        env.setenv("WECOM_CORP_SECRET", "wrong")
        assert "40001" in report("--yes", "chats")["refusals"][0]
        env.delenv("WECOM_CORP_SECRET")
        assert "WECOM_CORP_SECRET" in report("--yes", "chats")["refusals"][0]
    assert writes(emu) == []
