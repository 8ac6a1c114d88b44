"""The apply recipes keep the ledger as the reconcile recipe does
(examples/github/appchat-apply.yml, examples/chat-report/appchat-apply-report.yml):
the apply job reads the branch appchat-ledger of the chat repository (a local
bare repository here) and applies with `--ledger ledger/` holding only
`contents: read`; the ledger job, the only one with `contents: write`, pushes
the lines the apply appended (only the artifact passes between the two jobs).
Two merges in a row append in order and rewrite nothing."""

from __future__ import annotations

import dataclasses

import pytest

from tests.e2e.github_mock import GitHubMock
from tests.e2e.pipeline_runner import ROOT, evaluate, load, run_github_job
from tests.e2e.test_recipe_github import APPLY_WF, BASE, WITH_DAVE, _wecom
from tests.e2e.test_recipe_github_apply import _merge, _push_run, _reviewed
from tests.e2e.test_recipe_reconcile import branch_lines

pytestmark = pytest.mark.slow

REPORT_WF = load(ROOT / "examples" / "chat-report" / "appchat-apply-report.yml")
# The second merge: bob leaves alpha (no entry brings him in any more), carol joins beta.
SECOND = {"alpha.yaml": WITH_DAVE["alpha.yaml"].replace("[alice, bob, dave]", "[alice, dave]"),
          "beta.yaml": BASE["beta.yaml"].replace("[alice, bob]", "[alice, bob, carol]")}


@pytest.mark.parametrize("workflow", [APPLY_WF, REPORT_WF], ids=["apply", "apply-report"])
def test_only_the_ledger_job_may_write_and_it_runs_in_the_apply_group(workflow):
    assert workflow["concurrency"] == {"group": "appchat-apply", "cancel-in-progress": False}
    assert workflow["permissions"] == {}
    writers = {name for name, job in workflow["jobs"].items() if job["permissions"].get("contents") == "write"}
    assert writers == {"ledger"}
    assert workflow["jobs"]["ledger"]["needs"] == "apply"
    assert workflow["jobs"]["ledger"]["steps"][-1]["with"] == {"command": "ledger-push"}
    assert workflow["jobs"]["apply"]["permissions"]["contents"] == "read"
    assert "ledger-lines" in workflow["jobs"]["apply"]["outputs"]


def _apply_and_push(tmp_path, gh, emulator, sha, files, run_id, artifacts):
    """A push run: the apply job, then (when its `if:` says so) the ledger job in a workdir of its own."""
    run, job = _push_run(tmp_path, gh, emulator, sha, files, run_id, artifacts)
    run.needs = {"apply": job.needs}
    ran = evaluate(APPLY_WF["jobs"]["ledger"]["if"], {"github": run.github, "needs": run.needs, "steps": {}})
    if not ran:
        return job, None
    workdir = tmp_path / f"ledger-job-{run_id}"
    workdir.mkdir()
    return job, run_github_job(dataclasses.replace(run, workdir=workdir), "ledger")


def test_two_merges_apply_with_the_ledger_and_append_their_lines_in_order_with_causes(emulator, tmp_path):
    _wecom(emulator, tmp_path, BASE)
    bare = tmp_path / "server" / "acme" / "chats.git"
    artifacts: dict = {}
    with GitHubMock() as gh:
        _reviewed(tmp_path, gh, emulator, 31, "d" * 40, WITH_DAVE, 111, artifacts)
        _merge(gh, 31, "3" * 40)
        job, push = _apply_and_push(tmp_path, gh, emulator, "3" * 40, WITH_DAVE, 211, artifacts)
        assert not job.failed and push is not None and not push.failed, job.log + (push.log if push else "")
        assert "--ledger" not in str(APPLY_WF["jobs"]["apply"])  # the action's merged command passes it
        first = branch_lines(bare)
        [dave] = [ln for ln in first if ln["event"] == "joined"]
        assert (dave["chat_id"], dave["user_id"], dave["commit"]) == ("alpha", "dave", "3" * 40)
        assert dave["cause"] == {"kind": "listed", "entries": [{"entry": "dave", "source": "chats/alpha.yaml:5"}]}
        assert {ln["user_id"] for ln in first if ln["event"] == "present"} == {"alice", "bob"}  # before the ledger

        _reviewed(tmp_path, gh, emulator, 32, "e" * 40, SECOND, 112, artifacts)
        _merge(gh, 32, "4" * 40)
        job, push = _apply_and_push(tmp_path, gh, emulator, "4" * 40, SECOND, 212, artifacts)
        assert not job.failed and push is not None and not push.failed, job.log + (push.log if push else "")
        lines = branch_lines(bare)
        assert lines[:len(first)] == first  # appended, never rewritten
        added = lines[len(first):]
        assert {(ln["event"], ln["chat_id"], ln["user_id"]) for ln in added} >= {
            ("left", "alpha", "bob"), ("joined", "beta", "carol")}
        assert all(ln["commit"] == "4" * 40 and ln["cause"] for ln in added if ln["event"] in ("joined", "left"))
        [bob] = [ln for ln in added if ln["event"] == "left"]
        assert bob["cause"] == {"kind": "unlisted"}  # no entry brings him in any more
        assert [ln["at"] for ln in lines] == sorted(ln["at"] for ln in lines)
        assert int(job.outputs["ledger-lines"]) == len(added)

