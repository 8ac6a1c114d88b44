"""The GitLab template's apply jobs keep the ledger as the reconcile include
does (templates/appchat.gitlab-ci.yml, through examples/gitlab-ci.yml): the
apply job reads the branch appchat-ledger with the job token and applies with
`--ledger ledger/`; appchat-apply-ledger, the only job given the push token,
appends the lines the apply wrote (only the artifact ledger-new/ passes).
Two merges in a row append in order."""

from __future__ import annotations

import shutil

import pytest

from tests.e2e.gitlab_mock import GitLabMock
from tests.e2e.pipeline_runner import ROOT, gitlab_config, run_gitlab_job
from tests.e2e.test_recipe_apply_ledger import SECOND
from tests.e2e.test_recipe_github import BASE, WITH_DAVE, _wecom
from tests.e2e.test_recipe_gitlab import DOC, _apply_job, _ci, _git_server, _reviewed_mr
from tests.e2e.test_recipe_reconcile import branch_lines

pytestmark = pytest.mark.slow

RECONCILE = gitlab_config(ROOT / "examples" / "gitlab-ci-reconcile.yml")


def test_only_the_ledger_jobs_get_the_push_token_and_they_share_the_apply_group():
    pushers = {name for name, job in {**DOC, **RECONCILE}.items()
               if isinstance(job, dict) and "script" in job and not name.startswith(".")
               and (job.get("environment") or {}).get("name") == "appchat-ledger"}
    assert pushers == {"appchat-apply-ledger", "appchat-replan-ledger", "appchat-ledger"}
    for name in pushers:
        job = {**DOC, **RECONCILE}[name]
        assert job["resource_group"] == "appchat-apply" and job["interruptible"] is False
        assert job["variables"]["GIT_STRATEGY"] == "none"
        assert all(rule.get("when") == "always" for rule in job["rules"])
    assert DOC["appchat-apply-ledger"]["needs"] == [{"job": "appchat-apply", "artifacts": True}]
    assert DOC["appchat-replan-ledger"]["needs"] == [{"job": "appchat-replan-apply", "artifacts": True}]
    for name in ("appchat-apply", "appchat-replan-apply", "appchat-reconcile"):
        job = {**DOC, **RECONCILE}[name]
        assert "APPCHAT_LEDGER_TOKEN" not in "\n".join(job["before_script"] + job["script"])
        assert "ledger-new/" in job["artifacts"]["paths"] and job["artifacts"]["when"] == "always"
    # One copy of the ledger's shell: the template's hidden jobs.
    assert RECONCILE["appchat-reconcile"]["before_script"] == DOC["appchat-apply"]["before_script"]
    assert RECONCILE["appchat-ledger"]["script"] == DOC["appchat-apply-ledger"]["script"]


def _merge_and_apply(tmp_path, gl, emulator, iid: int, head: str, sha: str, files):
    _reviewed_mr(tmp_path, gl, emulator, iid, head, files)
    gl.mrs[iid]["state"] = "merged"
    gl.commit_mrs[sha] = [iid]
    job = _apply_job(tmp_path, gl, emulator, sha, files)
    work = tmp_path / f"appchat-apply-{sha[:4]}"
    pushdir = tmp_path / f"ledger-{sha[:4]}"  # GIT_STRATEGY none: the job's artifacts and nothing else
    pushdir.mkdir()
    if (work / "ledger-new").exists():
        shutil.copytree(work / "ledger-new", pushdir / "ledger-new")
    ci = _ci(gl, emulator, sha, **_git_server(tmp_path), APPCHAT_LEDGER_TOKEN="ledger-token")
    return job, run_gitlab_job(DOC, "appchat-apply-ledger", pushdir, ci)


def test_two_merges_apply_with_the_ledger_and_append_their_lines_in_order_with_causes(emulator, tmp_path):
    _wecom(emulator, tmp_path, BASE)
    bare = tmp_path / "server" / "acme" / "chats.git"
    with GitLabMock() as gl:
        job, push = _merge_and_apply(tmp_path, gl, emulator, 31, "d" * 40, "3" * 40, WITH_DAVE)
        assert job.returncode == 0 and push.returncode == 0, job.stdout + job.stderr + push.stdout + push.stderr
        assert "ledger: no branch appchat-ledger yet" in job.stdout and "appended to appchat-ledger" in push.stdout
        first = branch_lines(bare)
        [dave] = [ln for ln in first if ln["event"] == "joined"]
        assert (dave["chat_id"], dave["user_id"], dave["commit"]) == ("alpha", "dave", "3" * 40)
        assert dave["cause"] == {"kind": "listed", "entries": [{"entry": "dave", "source": "chats/alpha.yaml:5"}]}

        job, push = _merge_and_apply(tmp_path, gl, emulator, 32, "e" * 40, "4" * 40, SECOND)
        assert job.returncode == 0 and push.returncode == 0, job.stdout + job.stderr + push.stdout + push.stderr
        lines = branch_lines(bare)
        assert lines[:len(first)] == first  # appended, never rewritten
        added = lines[len(first):]
        [bob] = [ln for ln in added if ln["event"] == "left"]
        assert (bob["chat_id"], bob["user_id"], bob["cause"], bob["commit"]) == ("alpha", "bob", {"kind": "unlisted"}, "4" * 40)
        assert ("joined", "beta", "carol") in {(ln["event"], ln["chat_id"], ln["user_id"]) for ln in added}
        assert [ln["at"] for ln in lines] == sorted(ln["at"] for ln in lines)


def test_an_apply_that_cannot_read_the_ledger_writes_nothing_and_says_so(emulator, tmp_path):
    _wecom(emulator, tmp_path, BASE)
    with GitLabMock() as gl:
        _reviewed_mr(tmp_path, gl, emulator, 33, "f" * 40, WITH_DAVE)
        gl.mrs[33]["state"] = "merged"
        gl.commit_mrs["5" * 40] = [33]
        emulator.clear_calls()
        job = _apply_job(tmp_path, gl, emulator, "5" * 40, WITH_DAVE, CI_SERVER_URL=str(tmp_path / "nowhere"))
    assert job.returncode == 1 and "ERROR cannot read the branch appchat-ledger" in job.stdout
    assert [c for c in emulator.calls() if c["path"] in ("appchat/create", "appchat/update")] == []
