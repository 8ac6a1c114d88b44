"""The composite action (action.yml): its steps run as GitHub runs a
composite action's, with the real appchat against the emulator. A reviewed
plan is applied only with the files given; an invalid file fails the step
with annotations; plan's exit 2 is an answer, not a failure."""

from __future__ import annotations

import json

import pytest

from tests.e2e.github_mock import GitHubMock
from tests.e2e.pipeline_runner import ROOT, copy_chats, load, run_github_job
from tests.e2e.test_recipe_github import BASE, INVALID, WITH_DAVE, _run, _wecom

pytestmark = pytest.mark.slow


def _job(tmp_path, gh, emulator, run_id: int, files, plan: bytes | None = None, **with_):
    step = {"name": "appchat", "id": "appchat", "uses": "./",
            "with": {"install": "appchat-reconciler", **with_},  # installed already: the install is a no-op
            "env": {"WECOM_CORP_ID": "${{ secrets.WECOM_CORP_ID }}",
                    "WECOM_CORP_SECRET": "${{ secrets.WECOM_CORP_SECRET }}"}}
    workflow = {"name": "uses the action", "jobs": {"j": {"steps": [step]}}}
    run = _run(tmp_path, gh, workflow, emulator, "push", "a" * 40, {}, run_id)
    copy_chats(files, run.workdir)
    if plan is not None:  # the reviewed plan, downloaded
        (run.workdir / "plan.json").write_bytes(plan)
    return run, run_github_job(run, "j").step("appchat")


def test_the_action_plans_saves_and_applies_only_to_the_files_it_was_made_from(emulator, tmp_path):
    _wecom(emulator, tmp_path, BASE)
    with GitHubMock() as gh:
        run, step = _job(tmp_path, gh, emulator, 1, WITH_DAVE, command="plan", **{"plan-file": "plan.json"})
        assert step.outcome == "success" and step.outputs["exit-code"] == "2", step.stdout
        plan = (run.workdir / "plan.json").read_bytes()

        _, step = _job(tmp_path, gh, emulator, 2, WITH_DAVE, plan, command="apply")
        assert step.outcome == "failure" and "set plan-file" in step.stdout  # no plan named: refused
        # The files changed since the review (dave taken out again): refused by name, nothing written.
        _, step = _job(tmp_path, gh, emulator, 3, BASE, plan, command="apply", **{"plan-file": "plan.json"})
        assert step.outcome == "failure" and step.outputs["exit-code"] == "1"
        assert "the files no longer want dave in alpha; this plan adds dave" in step.stdout
        assert "dave" not in emulator.chat("alpha")["userlist"]
        # The files it was made from: applied.
        _, step = _job(tmp_path, gh, emulator, 4, WITH_DAVE, plan, command="apply", **{"plan-file": "plan.json"})
    assert step.outcome == "success" and step.outputs["exit-code"] == "0", step.stdout
    assert "dave" in emulator.chat("alpha")["userlist"]


def test_the_action_validates_with_annotations(emulator, tmp_path):
    with GitHubMock() as gh:
        _, step = _job(tmp_path, gh, emulator, 5, INVALID, command="validate", format="github")
    assert step.outcome == "failure" and step.outputs["exit-code"] == "1"
    assert "::error file=chats/alpha.yaml,line=" in step.stdout and "zed" in step.stdout


def test_the_action_installs_its_own_checkout_by_default():
    action = load(ROOT / "action.yml")
    install = next(s for s in action["runs"]["steps"] if s.get("id") == "install")
    assert action["inputs"]["install"]["default"] == ""
    assert install["env"]["ACTION_PATH"] == "${{ github.action_path }}"
    assert '"${SPEC:-$ACTION_PATH}"' in install["run"]
    assert json.dumps(action["outputs"]["exit-code"]["value"]) == '"${{ steps.run.outputs.exit-code }}"'
