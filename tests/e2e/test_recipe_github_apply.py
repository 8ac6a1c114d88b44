"""The GitHub apply workflow, run as GitHub runs it (see pipeline_runner.py),
on the case that matters most: a merged change is never left unapplied
without a red job. Three merges while an apply runs: GitHub cancels the
middle run as it waits; the last run applies its own reviewed plan and then
fails, naming the chat the middle merge changed. Planning afresh by hand
then finishes it."""

from __future__ import annotations

import json

import pytest

from tests.e2e.github_mock import GitHubMock
from tests.e2e.pipeline_runner import ROOT, copy_chats, load, run_github_job
from tests.e2e.test_recipe_github import APPLY_WF, BASE, BOTH, WITH_CAROL, WITH_DAVE, _plan_run, _run, _wecom
from tests.helpers import env_for, run_cli

# Each test runs whole workflow runs (plans, applies, checks): tens of seconds.
pytestmark = pytest.mark.slow


def _left(emulator, tmp_path, files) -> int:
    """`appchat plan --detailed-exitcode` of `files` against WeCom now."""
    scratch = tmp_path / "check"
    copy_chats(files, scratch)
    code, _, err = run_cli(["plan", str(scratch / "chats"), "--detailed-exitcode"], env_for(emulator))
    assert code in (0, 2), err
    return code


def _reviewed(tmp_path, gh, emulator, number: int, head: str, files, run_id: int, artifacts: dict) -> None:
    """Pull request `number` at `head`, planned by the plan workflow as run `run_id`."""
    gh.add_pull(number, head)
    _, job = _plan_run(tmp_path, gh, emulator, number, files, run_id=run_id, artifacts=artifacts)
    assert not job.failed, job.log
    gh.add_run(head, run_id=run_id, artifacts=({"name": "appchat-plan"},))


def _merge(gh, number: int, sha: str) -> None:
    gh.pulls[number]["merged_at"] = "2026-12-01T12:00:00Z"
    gh.commit_pulls[sha] = [number]


def _push_run(tmp_path, gh, emulator, sha: str, files, run_id: int, artifacts: dict, *, tip: bool = True):
    if tip:  # the pushed commit is main's tip when its run starts (unless the test says otherwise)
        gh.push(sha, files)
    run = _run(tmp_path, gh, APPLY_WF, emulator, "push", sha, {"after": sha}, run_id, artifacts)
    run.needs = {"replan": {"result": "skipped"}}
    copy_chats(files, run.workdir)
    return run, run_github_job(run, "apply")


def _dispatch(tmp_path, gh, emulator, sha: str, files, run_id: int, ref: str = "refs/heads/main"):
    if sha not in gh.chats_trees:
        gh.push(sha, files)
    run = _run(tmp_path, gh, APPLY_WF, emulator, "workflow_dispatch", sha, {}, run_id)
    run.github["ref"] = ref
    copy_chats(files, run.workdir)
    replan = run_github_job(run, "replan")
    run.needs = {"replan": {"result": "failure" if replan.failed else "success"}}
    return run, replan, run_github_job(run, "apply")


def test_a_cancelled_middle_merge_turns_the_next_apply_red_by_name_and_replan_finishes_it(emulator, tmp_path):
    _wecom(emulator, tmp_path, BASE)
    artifacts: dict = {}
    with GitHubMock() as gh:
        # Two pull requests branched from the same main, each planned and reviewed.
        _reviewed(tmp_path, gh, emulator, 21, "b" * 40, WITH_CAROL, 101, artifacts)
        _reviewed(tmp_path, gh, emulator, 22, "c" * 40, WITH_DAVE, 102, artifacts)
        # Both merge while another apply runs; GitHub cancels #21's waiting run and runs #22's.
        _merge(gh, 21, "1" * 40)
        _merge(gh, 22, "2" * 40)
        run, job = _push_run(tmp_path, gh, emulator, "2" * 40, BOTH, 201, artifacts)

        assert job.step("Find").outputs["run_id"] == "102"
        assert job.step("Apply").outcome == "success"          # #22's reviewed plan: dave joins alpha
        check = job.step("Check that every merged change is applied")
        assert job.failed and check.outcome == "failure"
        assert "::error title=Merged changes not applied::" in check.stdout
        named = check.stdout.split("::error title=Merged changes not applied::")[1].splitlines()[0]
        assert "in: beta." in named, "the chat #21 changed is named, and only it"
        summary = (run.workdir / ".summary").read_text()
        assert "## Not applied: WeCom differs from chats/ at " + "2" * 40 in summary and "carol" in summary
        assert _left(emulator, tmp_path, BOTH) == 2

        # Run workflow by hand: a fresh plan of main, saved, then applied by the apply job.
        run, replan, job = _dispatch(tmp_path, gh, emulator, "2" * 40, BOTH, 301)
        assert not replan.failed, replan.log
        assert {key for key in run.artifacts if key[0] == 301} == {(301, "appchat-replan"), (301, "appchat-ledger-lines")}
        assert "carol" in (run.workdir / ".summary").read_text()
        assert not job.failed, job.log
        assert job.step("Find").outcome == "skipped" and job.step("Download the fresh").outcome == "success"
        assert "every change merged up to this commit is applied" in job.step("Check").stdout
    assert _left(emulator, tmp_path, BOTH) == 0


def test_one_merge_applies_its_reviewed_plan_and_goes_green(emulator, tmp_path):
    _wecom(emulator, tmp_path, BASE)
    artifacts: dict = {}
    with GitHubMock() as gh:
        _reviewed(tmp_path, gh, emulator, 23, "d" * 40, WITH_DAVE, 103, artifacts)
        _merge(gh, 23, "3" * 40)
        _, job = _push_run(tmp_path, gh, emulator, "3" * 40, WITH_DAVE, 202, artifacts)
    assert not job.failed, job.log
    assert "Applying the plan of pull request #23" in job.step("Find").stdout
    assert "every change merged up to this commit is applied" in job.step("Check").stdout
    assert _left(emulator, tmp_path, WITH_DAVE) == 0


def test_a_push_without_a_pull_request_is_red_and_names_what_is_left(emulator, tmp_path):
    _wecom(emulator, tmp_path, BASE)
    with GitHubMock() as gh:
        _, job = _push_run(tmp_path, gh, emulator, "4" * 40, WITH_CAROL, 203, {})
    assert job.failed
    assert "without a merged pull request" in job.step("Find").stdout
    assert job.step("Apply").outcome == "skipped"
    assert "in: beta." in job.step("Check").stdout
    assert _left(emulator, tmp_path, WITH_CAROL) == 2, "nothing unreviewed was applied"


def test_a_stale_reviewed_plan_writes_nothing_and_is_red_by_name(emulator, tmp_path):
    _wecom(emulator, tmp_path, BASE)
    artifacts: dict = {}
    with GitHubMock() as gh:
        _reviewed(tmp_path, gh, emulator, 24, "e" * 40, WITH_DAVE, 104, artifacts)
        # Someone edits alpha by hand in WeCom after the review.
        _wecom(emulator, tmp_path, {**BASE, "alpha.yaml": BASE["alpha.yaml"].replace("bob]", "bob, erin]")})
        _merge(gh, 24, "5" * 40)
        _, job = _push_run(tmp_path, gh, emulator, "5" * 40, WITH_DAVE, 204, artifacts)
    assert job.failed
    assert job.step("Apply").outcome == "failure" and "stale" in job.step("Apply").stdout
    assert "in: alpha." in job.step("Check").stdout


def test_the_reviewed_plan_is_found_by_its_artifact_name(emulator, tmp_path):
    """The newest successful run without an `appchat-plan` artifact is passed
    over for an older one with it; an expired artifact is named as such."""
    _wecom(emulator, tmp_path, BASE)
    artifacts: dict = {}
    with GitHubMock() as gh:
        _reviewed(tmp_path, gh, emulator, 25, "f" * 40, WITH_DAVE, 105, artifacts)
        gh.runs[-1]["run_started_at"] = gh.runs[-1]["created_at"] = "2026-12-01T08:00:00Z"
        gh.add_run("f" * 40, run_id=106, artifacts=({"name": "coverage-report"},))
        gh.add_run("f" * 40, run_id=107, conclusion="failure", started="2026-12-01T11:00:00Z")
        _merge(gh, 25, "6" * 40)
        _, job = _push_run(tmp_path, gh, emulator, "6" * 40, WITH_DAVE, 205, artifacts)
        assert job.step("Find").outputs["run_id"] == "105", job.log
        assert not job.failed, job.log
        asked = [r.query.get("name") for r in gh.requests if r.path.endswith("/artifacts")]
        assert asked and all(name == ["appchat-plan"] for name in asked)

        gh.artifacts[105][0]["expired"] = True
        _merge(gh, 25, "7" * 40)
        _, job = _push_run(tmp_path, gh, emulator, "7" * 40, WITH_DAVE, 206, artifacts)
    assert job.failed
    assert "has expired" in job.step("Find").stdout
    assert job.step("Download the reviewed").outcome == "skipped"


def test_the_apply_workflow_serialises_runs_and_never_cancels_one_half_way():
    assert APPLY_WF["concurrency"] == {"group": "appchat-apply", "cancel-in-progress": False}
    jobs = APPLY_WF["jobs"]
    assert [s["with"]["command"] for s in jobs["replan"]["steps"] if s.get("uses") == "./"] == ["replan"]
    assert [s["with"]["command"] for s in jobs["apply"]["steps"] if s.get("uses") == "./"] == ["merged"]
    action = load(ROOT / "action.yml")["runs"]["steps"]
    upload = next(s for s in action if s.get("name") == "Keep the fresh plan for the apply job")
    download = next(s for s in action if s.get("name") == "Download the fresh plan")
    assert upload["with"]["name"] == download["with"]["name"] == "appchat-replan"
    assert json.dumps(jobs["apply"]["environment"]) == '"wecom"'
