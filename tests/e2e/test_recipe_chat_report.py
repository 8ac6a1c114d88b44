"""The recipe that posts the apply report to a chat
(examples/chat-report/appchat-apply-report.yml): the apply recipe with the
action's `report-chat` input. Its apply job, run as GitHub runs it against
the emulator and the GitHub mock, applies the reviewed plan, posts one
markdown message of at most 2048 bytes and ends with apply's result."""

from __future__ import annotations

import copy
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.e2e.github_mock import GitHubMock
from tests.e2e.pipeline_runner import copy_chats, run_github_job
from tests.e2e.test_recipe_github import _run
from tests.e2e.test_recipe_github_apply import _merge
from tests.helpers import env_for, run_cli

ROOT = Path(__file__).resolve().parents[2]
RECIPE = ROOT / "examples" / "chat-report" / "appchat-apply-report.yml"
RESULT = ROOT / "action" / "apply_result.py"


def _doc():
    return yaml.safe_load(RECIPE.read_text(encoding="utf-8"))


def test_it_is_the_apply_recipe_with_a_report_chat():
    # One find-the-plan logic, one tip check, one manual run, one comment: the action's.
    mine = _doc()
    other = yaml.safe_load((ROOT / "examples" / "github" / "appchat-apply.yml").read_text(encoding="utf-8"))
    assert "workflow_dispatch" in mine[True] and mine[True] == other[True]  # PyYAML reads `on` as True
    [step] = [s for s in mine["jobs"]["apply"]["steps"] if s.get("uses") == "./"]
    assert step["with"].pop("report-chat") == "${{ vars.APPCHAT_REPORT_CHAT }}"
    assert {k: v for k, v in mine.items() if k != "name"} == {k: v for k, v in other.items() if k != "name"}


# -- the apply job, against the emulator ------------------------------------

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


def _apply_job(cwd: Path, emu, plan: bytes, chat: str = "ops"):
    """The apply job on the push of the merge of a pull request whose reviewed plan is `plan`."""
    with GitHubMock() as gh:
        gh.add_pull(61, "a" * 40)
        gh.add_run("a" * 40, run_id=160, artifacts=({"name": "appchat-plan"},))
        sha = "0123456789abcdef" + "0" * 24
        _merge(gh, 61, sha)
        gh.push(sha, {"chats.yaml": CHATS})
        run = _run(cwd, gh, _doc(), emu, "push", sha, {"after": sha}, 260, {(160, "appchat-plan"): plan})
        run.vars = {"APPCHAT_REPORT_CHAT": chat}
        run.needs = {"replan": {"result": "skipped"}}
        (run.workdir / "chats").mkdir(exist_ok=True)
        (run.workdir / "chats" / "chats.yaml").write_text((cwd / "chats" / "chats.yaml").read_text())
        job = run_github_job(run, "apply")
    return job


def test_the_step_applies_and_posts_the_report(workdir):
    cwd, emu = workdir
    job = _apply_job(cwd, emu, (cwd / "plan.json").read_bytes())
    assert not job.failed, job.log
    assert sorted(emu.chat("team")["userlist"]) == ["alice", "bob", "carol"] and emu.chat("fresh")
    [message] = emu.messages("ops")
    content = message["markdown"]["content"]
    assert content.startswith("**appchat apply done** (acme/chats@0123456)"), content
    assert "> 2 applied, 0 failed, 0 skipped, 2 write calls" in content
    assert "- create fresh" in content and "- update team" in content
    assert content.endswith("[the run](https://github.example/acme/chats/actions/runs/260)")


def test_a_failed_apply_is_reported_and_fails_the_job(workdir):
    cwd, emu = workdir
    emu.set_faults(script=[{"fault": "errcode", "path": "appchat/create", "errcode": 86006}])
    job = _apply_job(cwd, emu, (cwd / "plan.json").read_bytes())
    assert job.failed and job.step("Apply the plan").outcome == "failure"
    content = emu.messages("ops")[0]["markdown"]["content"]
    assert "**appchat apply FAILED**" in content and "> 1 applied, 1 failed" in content
    assert "> failed fresh:" in content


def test_an_apply_that_cannot_start_is_still_reported(workdir):
    cwd, emu = workdir
    job = _apply_job(cwd, emu, b"{not json")
    assert job.failed
    content = emu.messages("ops")[0]["markdown"]["content"]
    assert "**appchat apply FAILED**" in content and "> refused: " in content and "not valid JSON" in content


def test_nothing_to_apply_posts_nothing(tmp_path, emulator_factory):
    emu = emulator_factory(seed=SEED)
    (tmp_path / "chats").mkdir()
    (tmp_path / "chats" / "chats.yaml").write_text(CHATS.split("  team:")[0], encoding="utf-8")  # ops as it is
    assert run_cli(["plan", "chats", "--out", "plan.json"], env_for(emu), cwd=tmp_path)[0] == 0
    emu.clear_calls()
    job = _apply_job(tmp_path, emu, (tmp_path / "plan.json").read_bytes())
    assert not job.failed, job.log
    assert emu.messages() == [] and "appchat/send" not in [c["path"] for c in emu.calls()]


def test_a_report_that_cannot_be_posted_is_a_warning_not_a_failure(workdir):
    cwd, emu = workdir
    job = _apply_job(cwd, emu, (cwd / "plan.json").read_bytes(), chat="no-such-chat!")
    assert not job.failed, job.log
    assert "::warning::The apply report could not be posted" in job.step("Tell what happened").stdout
    assert sorted(emu.chat("team")["userlist"]) == ["alice", "bob", "carol"]


def test_a_long_report_is_cut_to_2048_bytes(tmp_path):
    """The message-building script alone, on a report of 300 failed chats."""
    outcomes = [{"chat_id": f"chat{i:03d}", "action": "update", "status": "failed", "calls_made": 0,
                 "calls_planned": 1, "errcode": 86216, "message": "成员无效 invalid member " * 3,
                 "announcement": None} for i in range(300)]
    report = {"refusals": [], "outcomes": outcomes, "notes": [], "stopped": None,
              "summary": {"applied": 0, "failed": 300, "skipped": 0, "calls": 0, "announcements_failed": 0}}
    (tmp_path / "report.json").write_text(json.dumps(report, ensure_ascii=False), encoding="utf-8")
    out = subprocess.run([sys.executable, str(RESULT), "--chat"], cwd=tmp_path, capture_output=True, text=True,
                         timeout=60, env={**os.environ, "GITHUB_RUN_ID": "7", "TIP": "true", "FIND": "success",
                                          "APPLY_RC": "1"})
    assert out.returncode == 0, out.stderr
    text = out.stdout.rstrip("\n")
    assert len(text.encode("utf-8")) <= 2048
    assert "> failed chat000: " in text and re.search(r"\.\.\. and \d+ more lines", text)
