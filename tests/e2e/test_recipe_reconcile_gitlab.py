"""The GitLab reconcile include (examples/gitlab-ci-reconcile.yml), its two
jobs run as GitLab runs them against the emulator, the GitLab mock and a
local bare repository holding the branch appchat-ledger; only the artifact
ledger-new/ passes from one job to the other (see test_recipe_reconcile.py
for the GitHub recipe and the shim that sets the date)."""

from __future__ import annotations

import json
import shutil

import pytest

from reconciler.cli import build_parser
from tests.e2e.gitlab_mock import GitLabMock
from tests.e2e.pipeline_runner import ROOT, _BIN, copy_chats, gitlab_config, run_gitlab_job
from tests.e2e.test_recipe_gitlab import DOC as MAIN
from tests.e2e.test_recipe_gitlab import _ci
from tests.e2e.test_recipe_reconcile import FILES, ORG, TYPO, branch_lines, world, writes  # noqa: F401 - fixture
from tests.e2e.test_recipes import all_commands, shell_scripts, strip_heredocs

PATH = ROOT / "examples" / "gitlab-ci-reconcile.yml"
DOC = gitlab_config(PATH)

pytestmark = pytest.mark.slow


def test_it_is_an_include_of_the_main_file_scheduled_apart_from_drift_in_the_apply_group():
    for name in ("appchat-reconcile", "appchat-ledger"):
        job = DOC[name]
        assert job["stage"] in MAIN["stages"] and job["resource_group"] == "appchat-apply"
        assert job["interruptible"] is False
        assert '$APPCHAT_RECONCILE == "1"' in job["rules"][0]["if"]
    assert '$APPCHAT_RECONCILE != "1"' in MAIN["appchat-drift"]["rules"][0]["if"]
    assert DOC["appchat-ledger"]["environment"]["name"] == "appchat-ledger"   # its token is scoped there
    assert "APPCHAT_LEDGER_TOKEN" not in "\n".join(DOC["appchat-reconcile"]["script"])
    [apply] = [build_parser().parse_args(argv) for _, argv in all_commands(PATH) if argv[0] == "apply"]
    assert apply.yes and apply.ledger == "ledger/" and apply.paths == ["chats/"]
    assert not apply.check_users and apply.plan_file is None
    for where, script in shell_scripts(PATH):
        for body in strip_heredocs(script)[1]:
            compile(body, f"{PATH.name}:{where}", "exec")


def _pipeline(tmp_path, gl, world, sha: str, files, n: int, today: str):
    emu, remote, _, shim = world
    gl.push(sha, files)
    ci = _ci(gl, emu, sha, CI_PIPELINE_SOURCE="schedule", CI_SERVER_URL=str(remote), CI_PROJECT_PATH="acme/chats",
             CI_JOB_TOKEN="job-token", APPCHAT_LEDGER_TOKEN="ledger-token", APPCHAT_REPORT_CHAT="ops",
             RECONCILE_TODAY=today, PATH=f"{shim}:{_BIN}:/usr/bin:/bin")
    work = tmp_path / f"reconcile-{n}"
    copy_chats(files, work)
    job = run_gitlab_job(DOC, "appchat-reconcile", work, ci)
    pushdir = tmp_path / f"ledger-{n}"  # GIT_STRATEGY none: the job's artifacts and nothing else
    pushdir.mkdir()
    if (work / "ledger-new").exists():
        shutil.copytree(work / "ledger-new", pushdir / "ledger-new")
    push = run_gitlab_job(DOC, "appchat-ledger", pushdir, ci)
    return job, push, (work / "reconcile.md").read_text(encoding="utf-8") if (work / "reconcile.md").exists() else ""


def test_gitlab_reconcile_removes_an_ended_membership_on_record_and_refuses_a_typo_with_zero_writes(world, tmp_path):
    emu, _, bare, _ = world
    with GitLabMock() as gl:
        job, push, report = _pipeline(tmp_path, gl, world, "1" * 40, FILES, 1, "2027-01-20")
        assert job.returncode == 0 and push.returncode == 0, job.stdout + job.stderr + push.stdout + push.stderr
        first = branch_lines(bare)
        assert sorted(emu.chat("ops")["userlist"]) == ["alice", "bob", "vera"] and first

        job, push, report = _pipeline(tmp_path, gl, world, "1" * 40, FILES, 2, "2027-02-01")
        assert job.returncode == 0 and push.returncode == 0, job.stdout + job.stderr + push.stdout + push.stderr
        assert sorted(emu.chat("ops")["userlist"]) == ["alice", "bob"]
        lines = branch_lines(bare)
        assert lines[:len(first)] == first
        [left] = [ln for ln in lines[len(first):] if ln["event"] == "left"]
        assert left["user_id"] == "vera" and "2027-01-31" in json.dumps(left["cause"])
        assert "- vera  (expired 2027-01-31: contractor, INC-42)" in report
        assert "**appchat reconcile done**" in emu.messages("ops")[-1]["markdown"]["content"]

        emu.clear_calls()
        job, push, report = _pipeline(tmp_path, gl, world, "2" * 40, TYPO, 3, "2027-02-01")
        assert job.returncode == 1 and "mass-addition guard" in job.stdout + job.stderr
        assert writes(emu) == [] and len(branch_lines(bare)) == len(lines)
        assert push.returncode == 0 and "no new lines" in push.stdout
        assert "REFUSED, nothing applied" in report and "+ u01 (U01)" in report


def test_an_older_pipeline_applies_nothing(world, tmp_path):
    emu = world[0]
    with GitLabMock() as gl:
        gl.push("1" * 40, FILES)
        gl.chats_trees["0" * 40] = "old"
        ci = _ci(gl, emu, "0" * 40, CI_PIPELINE_SOURCE="schedule")
        work = tmp_path / "old"
        copy_chats(FILES, work)
        job = run_gitlab_job(DOC, "appchat-reconcile", work, ci)
    assert job.returncode == 0 and "no longer chats/ at the tip of main" in job.stdout
    assert writes(emu) == []
