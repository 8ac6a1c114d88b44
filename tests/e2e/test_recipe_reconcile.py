"""The scheduled reconcile (examples/github/appchat-reconcile.yml and
examples/gitlab-ci-reconcile.yml), run as GitHub and GitLab run them (see
pipeline_runner.py) against the emulator's directory, with the ledger kept on
the branch appchat-ledger of a local bare repository standing in for the
chat repository:

- a contractor's `until` passes: the next run removes them unattended, the
  ledger branch has the line with its cause, `history vera` shows it;
- someone moves out of dept:3 in the directory: the next run removes them,
  and their history shows the join and the leave;
- a `dept:1` typo trips the mass-addition guard: the job fails, its summary
  shows the refused plan, and WeCom receives zero writes.

The date is the recipe's only input a schedule cannot set: a shim `appchat`
first on PATH adds `--today` to `apply` (the real CLI runs behind it)."""

from __future__ import annotations

import dataclasses
import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.e2e.github_mock import GitHubMock
from tests.e2e.pipeline_runner import ROOT, _BIN, copy_chats, load, run_github_job
from tests.e2e.test_recipe_github import _run
from tests.helpers import run_cli
from tests.samples import OPS_WITH_CONTRACTOR

RECIPE = load(ROOT / "examples" / "github" / "appchat-reconcile.yml")

pytestmark = pytest.mark.slow

SRE = ["alice", "bob", "carol"] + [f"s{i:02d}" for i in range(4, 12)]      # dept 3: eleven people
ORG = {
    "departments": [{"id": 1, "name": "Acme", "parentid": 0}, {"id": 3, "name": "SRE", "parentid": 1}],
    "users": ([{"userid": u, "name": u.title(), "department": [3]} for u in SRE]
              + [{"userid": "vera", "name": "Vera", "department": [1]}]
              + [{"userid": f"u{i:02d}", "name": f"U{i:02d}", "department": [1]} for i in range(1, 21)]),
}
FILES = {"chats.yaml": OPS_WITH_CONTRACTOR + """\
  sre:
    name: SRE
    owner: alice
    members: [dept:3]
"""}
TYPO = {"chats.yaml": FILES["chats.yaml"].replace("members: [dept:3]", "members: [dept:1]")}


def git(*args: str, cwd: Path | None = None) -> str:
    return subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, text=True).stdout


@pytest.fixture
def world(emulator_factory, tmp_path):
    emu = emulator_factory(seed=ORG)
    remote = tmp_path / "server"
    bare = remote / "acme" / "chats.git"
    bare.parent.mkdir(parents=True, exist_ok=True)
    if not bare.exists():
        git("init", "-q", "--bare", str(bare))
    shim = tmp_path / "shim"
    shim.mkdir()
    (shim / "appchat").write_text(
        f'#!/bin/sh\nif [ "$1" = apply ]; then exec {sys.executable} -m reconciler "$@" --today "$RECONCILE_TODAY"; fi\n'
        f'exec {sys.executable} -m reconciler "$@"\n')
    (shim / "appchat").chmod(0o755)
    return emu, remote, bare, shim


def reconcile(tmp_path, gh, world, sha: str, files, run_id: int, today: str, report_chat: str = "ops"):
    """One scheduled run of the workflow: the reconcile job, then the ledger job
    in a workdir of its own (only the artifact passes between them)."""
    emu, remote, _, shim = world
    gh.push(sha, files)
    run = _run(tmp_path, gh, RECIPE, emu, "schedule", sha, {}, run_id)
    run.github["server_url"] = str(remote)
    run.vars = {"APPCHAT_REPORT_CHAT": report_chat}
    run.env_overrides.update(RECONCILE_TODAY=today, PATH=f"{shim}:{_BIN}:/usr/bin:/bin")
    copy_chats(files, run.workdir)
    job = run_github_job(run, "reconcile")
    lines = job.outputs.get("lines", "")
    run.needs = {"reconcile": {"result": "failure" if job.failed else "success", "outputs": {"lines": lines}}}
    ledger_dir = tmp_path / f"ledger-job-{run_id}"
    ledger_dir.mkdir()
    ledger_run = dataclasses.replace(run, workdir=ledger_dir)
    ran = lines not in ("", "0")  # the job's `if:`
    assert ran == bool(_evaluate(RECIPE["jobs"]["ledger"]["if"], run))
    push = run_github_job(ledger_run, "ledger") if ran else None
    summary = (run.workdir / ".summary").read_text(encoding="utf-8")
    return job, push, summary


def _evaluate(expr: str, run):
    from tests.e2e.pipeline_runner import evaluate

    return evaluate(expr, {"github": run.github, "needs": run.needs, "steps": {}, "secrets": {}})


def branch_lines(bare: Path) -> list[dict]:
    out = []
    for name in sorted(git("--git-dir", str(bare), "ls-tree", "--name-only", "appchat-ledger").split()):
        text = git("--git-dir", str(bare), "show", f"appchat-ledger:{name}")
        assert text.endswith("\n")
        out += [json.loads(line) for line in text.splitlines()]
    return out


def checkout_ledger(bare: Path, into: Path) -> Path:
    into.mkdir()
    archive = subprocess.run(["git", "--git-dir", str(bare), "archive", "appchat-ledger"], check=True,
                             capture_output=True).stdout
    subprocess.run(["tar", "-x", "-C", str(into)], input=archive, check=True)
    return into


def writes(emu) -> list[dict]:
    return [c for c in emu.calls() if c["path"] in ("appchat/create", "appchat/update")]


def test_ended_membership_and_directory_move_are_carried_out_on_record_and_a_typo_writes_nothing(world, tmp_path):
    emu, _, bare, _ = world
    with GitHubMock() as gh:
        job, push, summary = reconcile(tmp_path, gh, world, "1" * 40, FILES, 501, "2027-01-20")
        assert not job.failed and push is not None and not push.failed, job.log + (push.log if push else "")
        assert sorted(emu.chat("ops")["userlist"]) == ["alice", "bob", "vera"]
        assert sorted(emu.chat("sre")["userlist"]) == sorted(SRE)
        first = branch_lines(bare)
        assert {(ln["chat_id"], ln["user_id"]) for ln in first if ln["event"] == "joined"} >= {("ops", "vera")}

        # vera's membership ended on 31 January: the next hourly run removes her, unattended.
        job, push, summary = reconcile(tmp_path, gh, world, "1" * 40, FILES, 502, "2027-02-01")
        assert not job.failed and not push.failed, job.log + push.log
        assert sorted(emu.chat("ops")["userlist"]) == ["alice", "bob"]
        lines = branch_lines(bare)
        assert lines[:len(first)] == first  # appended, never rewritten
        [left] = [ln for ln in lines[len(first):] if ln["event"] == "left"]
        assert (left["chat_id"], left["user_id"], left["commit"]) == ("ops", "vera", "1" * 40)
        assert "2027-01-31" in json.dumps(left["cause"]) and "INC-42" in json.dumps(left["cause"])
        assert "- vera" in summary and "done" in summary  # the plan it applied, in the job summary
        message = emu.messages("ops")[-1]  # the apply-report chat: one markdown message a run
        assert "**appchat reconcile done** (1111111)" in message["markdown"]["content"]
        assert "- update ops" in message["markdown"]["content"]
        code, out, err = run_cli(["history", "vera", "--ledger", checkout_ledger(bare, tmp_path / "l1")])
        assert code == 0, err
        assert "left" in out and "2027-01-31" in out and "ops" in out

        # carol moves from SRE to Acme in the directory: the next run takes her out of sre.
        moved = json.loads(json.dumps(ORG))
        next(u for u in moved["users"] if u["userid"] == "carol")["department"] = [1]
        moved["chats"] = [{k: v for k, v in emu.chat(c).items() if k != "foreign"} for c in ("ops", "sre")]
        emu.reset(seed=moved)
        job, push, summary = reconcile(tmp_path, gh, world, "1" * 40, FILES, 503, "2027-02-01")
        assert not job.failed and not push.failed, job.log + push.log
        assert "carol" not in emu.chat("sre")["userlist"]
        carol = [ln for ln in branch_lines(bare) if ln.get("user_id") == "carol"]
        assert [(ln["event"], ln["chat_id"]) for ln in carol] == [("joined", "sre"), ("left", "sre")]
        assert carol[1]["cause"] and carol[1]["commit"] == "1" * 40
        code, out, err = run_cli(["history", "carol", "--ledger", checkout_ledger(bare, tmp_path / "l2")])
        assert code == 0 and "left" in out and "sre" in out, out + err

        # An hour with nothing to do: green, nothing written, nothing posted, no ledger push.
        posted = len(emu.messages("ops"))
        job, push, summary = reconcile(tmp_path, gh, world, "1" * 40, FILES, 505, "2027-02-01")
        assert not job.failed and push is None and "nothing to do" in summary
        assert len(emu.messages("ops")) == posted

        # dept:1 written by mistake: the guard refuses the whole run, nothing is written.
        before = {c: emu.chat(c)["userlist"] for c in ("ops", "sre")}
        count = len(branch_lines(bare))
        emu.clear_calls()
        job, push, summary = reconcile(tmp_path, gh, world, "2" * 40, TYPO, 504, "2027-02-01")
        assert job.failed and job.step("Reconcile").outcome == "failure"
        assert writes(emu) == []  # no chat change (the report to the chat is a message, not a change)
        assert {c: emu.chat(c)["userlist"] for c in ("ops", "sre")} == before
        assert push is None and len(branch_lines(bare)) == count
        assert "REFUSED, nothing applied" in summary and "mass-addition guard" in summary, job.log
        assert "REFUSED" in emu.messages("ops")[-1]["markdown"]["content"]
        assert "What it would have done" in summary and "+ u01 (U01)" in summary  # the refused plan


def test_a_run_overtaken_by_a_merge_applies_nothing(world, tmp_path):
    emu, _, bare, _ = world
    with GitHubMock() as gh:
        gh.push("1" * 40, FILES)
        run = _run(tmp_path, gh, RECIPE, emu, "schedule", "0" * 40, {}, 601)
        gh.chats_trees["0" * 40] = "old"
        copy_chats(FILES, run.workdir)
        job = run_github_job(run, "reconcile")
        assert not job.failed and job.step("Reconcile").outcome == "skipped"
        assert writes(emu) == [] and "no longer chats/ at the tip" in job.log


def test_the_ledger_job_appends_onto_a_branch_that_moved_meanwhile_and_loses_no_line(world, tmp_path):
    """Between the reconcile job and the ledger job someone else pushed a line
    to appchat-ledger: the ledger job appends onto that newer tip (no force)."""
    emu, _, bare, _ = world
    with GitHubMock() as gh:
        job, push, _ = reconcile(tmp_path, gh, world, "1" * 40, FILES, 701, "2027-01-20")
        assert not push.failed, push.log
        first = branch_lines(bare)

        gh.push("1" * 40, FILES)
        run = _run(tmp_path, gh, RECIPE, emu, "schedule", "1" * 40, {}, 702)
        run.github["server_url"] = str(world[1])
        run.env_overrides.update(RECONCILE_TODAY="2027-02-01", PATH=f"{world[3]}:{_BIN}:/usr/bin:/bin")
        copy_chats(FILES, run.workdir)
        job = run_github_job(run, "reconcile")
        lines = job.outputs["lines"]
        assert lines == "1" and not job.failed, job.log

        other = tmp_path / "other"  # another writer's commit lands on the branch first
        git("clone", "-q", "--branch", "appchat-ledger", str(bare), str(other))
        month = sorted(p.name for p in other.glob("*.jsonl"))[-1]
        extra = {"at": "2026-12-01T00:00:00+08:00", "event": "left", "chat_id": "x", "user_id": "z", "cause": "test"}
        with open(other / month, "a", encoding="utf-8") as f:
            f.write(json.dumps(extra) + "\n")
        git("-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qam", "another writer", cwd=other)
        git("push", "-q", "origin", "HEAD:appchat-ledger", cwd=other)

        run.needs = {"reconcile": {"result": "success", "outputs": {"lines": lines}}}
        ledger_dir = tmp_path / "ledger-job-702"
        ledger_dir.mkdir()
        push = run_github_job(dataclasses.replace(run, workdir=ledger_dir), "ledger")
        assert not push.failed, push.log
        after = branch_lines(bare)
        assert after[:len(first)] == first and after[len(first)] == extra
        [left] = after[len(first) + 1:]
        assert (left["event"], left["user_id"]) == ("left", "vera")
        assert len(git("--git-dir", str(bare), "rev-list", "appchat-ledger").split()) == 3  # nothing rewritten
