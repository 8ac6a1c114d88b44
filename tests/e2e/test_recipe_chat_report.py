"""The recipe that posts the apply report to a chat
(examples/chat-report/appchat-apply-report.yml): it parses as a GitHub
workflow, calls only commands and flags the CLI has, and its shell step,
run with bash as GitHub runs it against the emulator, applies the plan,
posts one markdown message of at most 2048 bytes and exits with apply's
exit code."""

from __future__ import annotations

import json
import os
import re

import subprocess
import sys
from pathlib import Path

import pytest

from reconciler.cli import build_parser
from tests.e2e.test_recipes import all_commands, shell_scripts
from tests.helpers import env_for, run_cli, subprocess_env

ROOT = Path(__file__).resolve().parents[2]
RECIPE = ROOT / "examples" / "chat-report" / "appchat-apply-report.yml"
STEP = "Apply and post the report"


def _doc():
    import yaml

    return yaml.safe_load(RECIPE.read_text(encoding="utf-8"))


def _script() -> str:
    return dict(shell_scripts(RECIPE))[f"apply/{STEP}"]


def test_it_applies_on_merge_once_at_a_time_and_checks_nothing_merged_is_left():
    # The shape every workflow shares (pins, permissions, secrets) is checked
    # with the others in test_recipes.py; here what this one adds.
    doc = _doc()
    assert doc[True]["push"]["branches"] == ["main"]  # PyYAML reads `on` as True
    assert doc["concurrency"]["cancel-in-progress"] is False
    text = RECIPE.read_text(encoding="utf-8")
    assert "APPCHAT_REPORT_CHAT: ${{ vars.APPCHAT_REPORT_CHAT }}" in text
    check = dict(shell_scripts(RECIPE))["apply/Check that every merged change is applied"]
    assert "--detailed-exitcode" in check and "Merged changes not applied" in check


def test_it_calls_only_real_commands_and_applies_the_reviewed_plan():
    commands = all_commands(RECIPE)
    parsed = [build_parser().parse_args(argv) for _, argv in commands]
    assert [a.command for a in parsed] == ["plan", "apply", "send", "plan"]
    replan, apply, send, check = parsed
    assert replan.out == "plan.json" and replan.paths == ["chats/"]
    assert check.detailed_exitcode and check.paths == ["chats/"]
    assert apply.plan_file == "plan.json" and apply.format == "json"
    assert apply.paths == ["chats/"], "the plan is applied only to the checked-out files"
    assert send.markdown == "-" and send.chat_id == "DUMMY"


# -- the step itself, against the emulator ------------------------------------

SEED = {"chats": [
    {"chatid": "ops", "name": "Ops", "owner": "alice", "userlist": ["alice", "bob"]},
    {"chatid": "team", "name": "Team", "owner": "alice", "userlist": ["alice", "bob"]},
]}
CHATS = """\
chats:
  ops:
    name: Ops
    owner: alice
    members: [alice, bob]
  team:
    name: Team
    owner: alice
    members: [alice, bob, carol]
  fresh:
    name: Fresh
    owner: dave
    members: [dave, erin]
"""


@pytest.fixture
def workdir(tmp_path, emulator_factory):
    """A checkout with a reviewed plan.json, and the emulator it was planned against."""
    emu = emulator_factory(seed=SEED)
    (tmp_path / "chats").mkdir()
    (tmp_path / "chats" / "chats.yaml").write_text(CHATS, encoding="utf-8")
    code, _, err = run_cli(["plan", "chats", "--out", "plan.json"], env_for(emu), cwd=tmp_path)
    assert code == 0, err
    return tmp_path, emu


def _run_step(cwd: Path, emu, **extra) -> subprocess.CompletedProcess:
    bin_dir = str(Path(sys.executable).parent)  # appchat and python of this test run
    env = subprocess_env({**env_for(emu), "APPCHAT_REPORT_CHAT": "ops", "GITHUB_SERVER_URL": "https://github.com",
                          "GITHUB_REPOSITORY": "acme/chats", "GITHUB_RUN_ID": "42", "GITHUB_SHA": "0123456789abcdef",
                          "NO_COLOR": "1", **extra})
    env["PATH"] = bin_dir + os.pathsep + env.get("PATH", "")
    return subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", _script()], env=env,
                          cwd=cwd, capture_output=True, text=True, timeout=120)


def test_the_step_applies_and_posts_the_report(workdir):
    cwd, emu = workdir
    result = _run_step(cwd, emu)
    assert result.returncode == 0, result.stderr
    assert sorted(emu.chat("team")["userlist"]) == ["alice", "bob", "carol"] and emu.chat("fresh")
    [message] = emu.messages("ops")
    content = message["markdown"]["content"]
    assert content.startswith("**appchat apply done** (acme/chats@0123456)")
    assert "> 2 applied, 0 failed, 0 skipped, 2 write calls" in content
    assert "- create fresh" in content and "- update team" in content
    assert content.endswith("[the run](https://github.com/acme/chats/actions/runs/42)")


def test_a_failed_apply_is_reported_and_fails_the_job(workdir):
    cwd, emu = workdir
    emu.set_faults(script=[{"fault": "errcode", "path": "appchat/create", "errcode": 86006}])
    result = _run_step(cwd, emu)
    assert result.returncode == 1
    content = emu.messages("ops")[0]["markdown"]["content"]
    assert "**appchat apply FAILED**" in content and "> 1 applied, 1 failed" in content
    assert "> failed fresh:" in content


def test_an_apply_that_cannot_start_is_still_reported(workdir):
    cwd, emu = workdir
    (cwd / "plan.json").write_text("{not json", encoding="utf-8")
    result = _run_step(cwd, emu)
    assert result.returncode == 1
    content = emu.messages("ops")[0]["markdown"]["content"]
    assert "**appchat apply FAILED**" in content and "> refused: " in content and "not valid JSON" in content


def test_nothing_to_apply_posts_nothing(tmp_path, emulator_factory):
    emu = emulator_factory(seed=SEED)
    (tmp_path / "chats").mkdir()
    (tmp_path / "chats" / "chats.yaml").write_text(CHATS.split("  team:")[0], encoding="utf-8")  # ops as it is
    assert run_cli(["plan", "chats", "--out", "plan.json"], env_for(emu), cwd=tmp_path)[0] == 0
    emu.clear_calls()
    result = _run_step(tmp_path, emu)
    assert result.returncode == 0, result.stderr
    assert emu.messages() == [] and "appchat/send" not in [c["path"] for c in emu.calls()]


def test_a_report_that_cannot_be_posted_is_a_warning_not_a_failure(workdir):
    cwd, emu = workdir
    result = _run_step(cwd, emu, APPCHAT_REPORT_CHAT="no-such-chat!")
    assert result.returncode == 0
    assert "::warning::The apply report could not be posted" in result.stdout
    assert sorted(emu.chat("team")["userlist"]) == ["alice", "bob", "carol"]


def test_a_long_report_is_cut_to_2048_bytes(tmp_path):
    """The message-building script alone, on a report of 300 failed chats."""
    script = _script()
    python = script[script.index("<<'PY'\n") + 7:script.index("\nPY\n")]
    outcomes = [{"chat_id": f"chat{i:03d}", "action": "update", "status": "failed", "calls_made": 0,
                 "calls_planned": 1, "errcode": 86216, "message": "成员无效 invalid member " * 3,
                 "announcement": None} for i in range(300)]
    report = {"refusals": [], "outcomes": outcomes, "notes": [], "stopped": None,
              "summary": {"applied": 0, "failed": 300, "skipped": 0, "calls": 0, "announcements_failed": 0}}
    (tmp_path / "report.json").write_text(json.dumps(report, ensure_ascii=False), encoding="utf-8")
    out = subprocess.run([sys.executable, "-", "1"], input=python, cwd=tmp_path, capture_output=True,
                         text=True, timeout=60, env={**os.environ, "GITHUB_RUN_ID": "7"})
    assert out.returncode == 0, out.stderr
    text = out.stdout.rstrip("\n")
    assert len(text.encode("utf-8")) <= 2048
    assert "> failed chat000: " in text and re.search(r"\.\.\. and \d+ more lines", text)


def test_it_shares_every_step_but_the_apply_with_the_apply_recipe():
    # One find-the-plan logic (pagination, newest first, expiry), one tip
    # check, one manual run: the two recipes cannot drift apart again.
    import yaml

    other = yaml.safe_load((ROOT / "examples" / "github" / "appchat-apply.yml").read_text(encoding="utf-8"))
    mine = _doc()
    assert "workflow_dispatch" in mine[True]
    assert mine["jobs"]["replan"] == other["jobs"]["replan"]
    theirs = {s.get("name", s.get("uses")): s for s in other["jobs"]["apply"]["steps"]}
    ours = {s.get("name", s.get("uses")): s for s in mine["jobs"]["apply"]["steps"]}
    assert set(theirs) - set(ours) == {"Apply the plan"} and set(ours) - set(theirs) == {STEP}
    for name, step in ours.items():
        if name != STEP:
            assert step == theirs[name], name
    assert ours[STEP]["if"] == theirs["Apply the plan"]["if"]
