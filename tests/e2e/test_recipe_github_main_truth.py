"""Main is the truth (issue 22): the GitHub apply recipe, run as GitHub runs
it, never undoes what main added. A plan reviewed on a branch behind main is
refused by name before any write; a re-run of an old run applies nothing and
says why; a manual run from a branch is refused."""

from __future__ import annotations

import pytest

from tests.e2e.github_mock import GitHubMock
from tests.e2e.pipeline_runner import copy_chats, evaluate, run_github_job
from tests.e2e.test_recipe_github import APPLY_WF, BASE, BOTH, WITH_CAROL, WITH_DAVE, _run, _wecom
from tests.e2e.test_recipe_github_apply import _left, _merge, _push_run, _reviewed

pytestmark = pytest.mark.slow


def _beta(emulator) -> list[str]:
    return sorted(emulator.chat("beta")["userlist"])


def test_a_plan_from_a_branch_behind_main_never_removes_what_main_added(emulator, tmp_path):
    _wecom(emulator, tmp_path, BASE)
    artifacts: dict = {}
    with GitHubMock() as gh:
        # A adds carol to beta: reviewed, merged, applied.
        _reviewed(tmp_path, gh, emulator, 31, "a" * 40, WITH_CAROL, 131, artifacts)
        _merge(gh, 31, "1" * 40)
        _, job = _push_run(tmp_path, gh, emulator, "1" * 40, WITH_CAROL, 231, artifacts)
        assert not job.failed, job.log
        assert _beta(emulator) == ["alice", "bob", "carol"]
        # B was branched before A and re-planned after A's apply: its plan removes carol.
        _reviewed(tmp_path, gh, emulator, 32, "b" * 40, WITH_DAVE, 132, artifacts)
        _merge(gh, 32, "2" * 40)
        _, job = _push_run(tmp_path, gh, emulator, "2" * 40, BOTH, 232, artifacts)
    apply = job.step("Apply")
    assert job.failed and apply.outcome == "failure"
    assert "the files now want carol in beta; this plan removes carol" in apply.stdout
    assert _beta(emulator) == ["alice", "bob", "carol"], "main's carol was not removed"
    assert "in: alpha." in job.step("Check").stdout  # B's own change is named as not applied
    assert _left(emulator, tmp_path, BOTH) == 2


def test_re_running_an_old_apply_run_applies_nothing_and_says_why(emulator, tmp_path):
    _wecom(emulator, tmp_path, BASE)
    artifacts: dict = {}
    with GitHubMock() as gh:
        _reviewed(tmp_path, gh, emulator, 33, "c" * 40, WITH_DAVE, 133, artifacts)
        _merge(gh, 33, "3" * 40)
        _, job = _push_run(tmp_path, gh, emulator, "3" * 40, WITH_DAVE, 233, artifacts)
        assert not job.failed, job.log
        _reviewed(tmp_path, gh, emulator, 34, "d" * 40, BASE, 134, artifacts)  # dave leaves again
        _merge(gh, 34, "4" * 40)
        _, job = _push_run(tmp_path, gh, emulator, "4" * 40, BASE, 234, artifacts)
        assert not job.failed, job.log
        emulator.clear_calls()
        # Someone re-runs the first apply run: main's tip is the second merge.
        _, job = _push_run(tmp_path, gh, emulator, "3" * 40, WITH_DAVE, 233, artifacts, tip=False)
    assert not job.failed, job.log
    assert "Nothing applied: chats/ at 3333333 is no longer chats/ at the tip of main" in job.log
    assert job.step("Apply").outcome == "skipped" and job.step("Check").outcome == "skipped"
    assert not [c for c in emulator.calls() if c["path"].startswith("appchat/")], "not even a read"
    assert "dave" not in emulator.chat("alpha")["userlist"]


def test_a_manual_run_from_a_branch_is_refused_and_applies_nothing(emulator, tmp_path):
    _wecom(emulator, tmp_path, BASE)
    with GitHubMock() as gh:
        gh.push("5" * 40, BASE)
        emulator.clear_calls()
        run = _run(tmp_path, gh, APPLY_WF, emulator, "workflow_dispatch", "6" * 40, {}, 335)
        run.github["ref"] = "refs/heads/feature"
        copy_chats(WITH_DAVE, run.workdir)  # the branch's files, never reviewed
        replan = run_github_job(run, "replan")
    assert replan.failed and "Run this workflow from main only (not refs/heads/feature)" in replan.log
    assert replan.step("Plan").outcome == "skipped" and not run.artifacts
    # GitHub then skips the apply job: its condition needs a successful replan.
    ctx = {"github": run.github, "needs": {"replan": {"result": "failure"}}}
    assert evaluate(APPLY_WF["jobs"]["apply"]["if"], ctx) is False
    assert emulator.calls() == []
    assert "dave" not in emulator.chat("alpha")["userlist"]
