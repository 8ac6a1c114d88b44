"""The GitLab recipe's jobs, run as a GitLab runner runs them (before_script
and script as one bash script with `set -eo pipefail`), with the real appchat
against the emulator and a mock of GitLab's REST API on 127.0.0.1."""

from __future__ import annotations

import re
import subprocess

import pytest

from tests.e2e.gitlab_mock import GitLabMock
from tests.e2e.pipeline_runner import ROOT, copy_chats, gitlab_config, run_gitlab_job
from tests.e2e.test_recipe_github import BASE, BOTH, INVALID, MARKER, WITH_CAROL, WITH_DAVE, _wecom
from tests.e2e.test_recipe_github_apply import _left

DOC = gitlab_config(ROOT / "examples" / "gitlab-ci.yml")
PERSON = {"id": 7, "username": "carol"}


def _ci(gl: GitLabMock, emulator, sha: str, **extra) -> dict[str, str]:
    return {"CI_API_V4_URL": gl.api, "CI_PROJECT_ID": str(gl.project_id), "CI_COMMIT_SHA": sha,
            "CI_COMMIT_SHORT_SHA": sha[:8], "CI_JOB_URL": "https://gitlab.example/-/jobs/1",
            "CI_DEFAULT_BRANCH": "main", "APPCHAT_GITLAB_TOKEN": gl.token,
            "APPCHAT_PIP_SPEC": "appchat-reconciler",     # already installed: the install is a no-op
            "WECOM_CORP_ID": emulator.config.corp_id, "WECOM_CORP_SECRET": emulator.config.corp_secret,
            "WECOM_API_BASE": emulator.base_url, **extra}


def _git_server(tmp_path) -> dict[str, str]:
    """The project's git server for the apply jobs' ledger branch: a local bare repository."""
    bare = tmp_path / "server" / "acme" / "chats.git"
    if not bare.exists():
        subprocess.run(["git", "init", "-q", "--bare", str(bare)], check=True)
    return {"CI_SERVER_URL": str(tmp_path / "server"), "CI_PROJECT_PATH": "acme/chats", "CI_JOB_TOKEN": "job-token"}


def _plan_job(tmp_path, gl, emulator, iid: int, files, **extra):
    workdir = tmp_path / f"mr-{iid}-{gl.mrs[iid]['sha'][:4]}"
    copy_chats(files, workdir)
    ci = _ci(gl, emulator, gl.mrs[iid]["sha"], CI_MERGE_REQUEST_IID=str(iid), **extra)
    return workdir, run_gitlab_job(DOC, "appchat-plan", workdir, ci)


def test_one_note_created_then_updated_only_among_the_tokens_own(emulator, tmp_path):
    _wecom(emulator, tmp_path, BASE)
    with GitLabMock() as gl:
        gl.add_mr(3, "a" * 40)
        persons = gl.add_note(3, f"{MARKER}\nquoting the bot", PERSON)    # a person's note starting with the marker
        _, job = _plan_job(tmp_path, gl, emulator, 3, WITH_DAVE)
        assert job.returncode == 0, job.stdout + job.stderr
        [note] = gl.my_notes(3)
        assert note["body"].startswith(MARKER) and "dave" in note["body"]
        assert "merging applies this job's `plan.json`" in note["body"]

        gl.mrs[3]["sha"] = "b" * 40
        workdir, job = _plan_job(tmp_path, gl, emulator, 3, INVALID)
        assert job.returncode == 1
        assert "ERROR: appchat validate exited 1" in job.stdout
        assert not (workdir / "plan.json").exists()
        assert [n["id"] for n in gl.my_notes(3)] == [note["id"]]
        assert ":x: **appchat validate failed** (exit 1)" in note["body"]
        assert re.search(r"chats/alpha\.yaml:\d+:\d+: error: .*zed", note["body"])
        assert "dave" not in note["body"] and "**no plan was saved**" in note["body"]
    assert persons["body"] == f"{MARKER}\nquoting the bot"
    assert [(r.method, r.path) for r in gl.writes()] == [
        ("POST", "/api/v4/projects/7/merge_requests/3/notes"),
        ("PUT", f"/api/v4/projects/7/merge_requests/3/notes/{note['id']}")]


def test_a_failed_plan_or_install_replaces_the_note_and_fails_the_job(emulator, tmp_path):
    with GitLabMock() as gl:
        gl.add_mr(4, "c" * 40)
        _, job = _plan_job(tmp_path, gl, emulator, 4, WITH_DAVE, WECOM_CORP_SECRET="wrong-secret")
        assert job.returncode == 1 and "ERROR: appchat plan exited 1" in job.stdout
        [note] = gl.my_notes(4)
        assert ":x: **appchat plan failed** (exit 1)" in note["body"] and "**no plan was saved**" in note["body"]
        assert "wrong-secret" not in note["body"]

        gl.mrs[4]["sha"] = "d" * 40
        _, job = _plan_job(tmp_path, gl, emulator, 4, WITH_DAVE, APPCHAT_PIP_SPEC="./no-such-directory")
        assert job.returncode == 1 and "ERROR: appchat could not be installed" in job.stdout
        assert ":x: **appchat did not run**" in note["body"]


def test_an_older_pipeline_never_overwrites_the_newest_note(emulator, tmp_path):
    _wecom(emulator, tmp_path, BASE)
    with GitLabMock() as gl:
        gl.add_mr(5, "e" * 40)
        newest = gl.add_note(5, f"{MARKER}\nthe newest push's plan", gl.me)
        workdir = tmp_path / "old"
        copy_chats(WITH_DAVE, workdir)
        ci = _ci(gl, emulator, "0" * 40, CI_MERGE_REQUEST_IID="5")
        job = run_gitlab_job(DOC, "appchat-plan", workdir, ci)
    assert job.returncode == 0, job.stderr
    assert "no longer the head of the merge request" in job.stdout
    assert not gl.writes() and newest["body"] == f"{MARKER}\nthe newest push's plan"


def _reviewed_mr(tmp_path, gl, emulator, iid: int, head: str, files, *, job_name="appchat-plan"):
    gl.add_mr(iid, head)
    workdir, job = _plan_job(tmp_path, gl, emulator, iid, files)
    assert job.returncode == 0, job.stdout + job.stderr
    plan = (workdir / "plan.json").read_bytes()
    gl.add_pipeline(iid, head, jobs=((job_name, "success", {"plan.json": plan}),))


def _apply_job(tmp_path, gl, emulator, sha: str, files, name: str = "appchat-apply", *, tip: bool = True, **extra):
    if tip:  # the commit is the default branch's tip when its pipeline runs (unless the test says otherwise)
        gl.push(sha, files)
    workdir = tmp_path / f"{name}-{sha[:4]}"
    copy_chats(files, workdir)
    return run_gitlab_job(DOC, name, workdir, _ci(gl, emulator, sha, **{**_git_server(tmp_path), **extra}))


@pytest.mark.slow
def test_an_apply_after_a_skipped_merge_fails_naming_the_chat_and_replan_finishes_it(emulator, tmp_path):
    _wecom(emulator, tmp_path, BASE)
    with GitLabMock() as gl:
        _reviewed_mr(tmp_path, gl, emulator, 21, "b" * 40, WITH_CAROL)
        _reviewed_mr(tmp_path, gl, emulator, 22, "c" * 40, WITH_DAVE)
        for iid, sha in ((21, "1" * 40), (22, "2" * 40)):
            gl.mrs[iid]["state"] = "merged"
            gl.commit_mrs[sha] = [iid]
        # !21's apply pipeline was auto-cancelled; !22's runs on a tree with both changes.
        job = _apply_job(tmp_path, gl, emulator, "2" * 40, BOTH)
        assert job.returncode == 1
        assert "Applying the plan reviewed on !22" in job.stdout
        assert re.search(r"ERROR: merged changes not applied: .* in: beta\.$", job.stdout, flags=re.M), job.stdout
        assert _left(emulator, tmp_path, BOTH) == 2

        plan = _apply_job(tmp_path, gl, emulator, "2" * 40, BOTH, "appchat-replan-plan")
        assert plan.returncode == 0 and "carol" in plan.stdout
        workdir = tmp_path / "appchat-replan-plan-2222"
        copy_chats(BOTH, workdir)
        apply = run_gitlab_job(DOC, "appchat-replan-apply", workdir, _ci(gl, emulator, "2" * 40, **_git_server(tmp_path)))
    assert apply.returncode == 0, apply.stdout + apply.stderr
    assert "every change merged up to this commit is applied" in apply.stdout
    assert _left(emulator, tmp_path, BOTH) == 0


@pytest.mark.slow
def test_the_reviewed_plan_is_the_appchat_plan_jobs_artifact(emulator, tmp_path):
    _wecom(emulator, tmp_path, BASE)
    with GitLabMock() as gl:
        _reviewed_mr(tmp_path, gl, emulator, 31, "f" * 40, WITH_DAVE, job_name="plan")
        gl.mrs[31]["state"] = "merged"
        gl.commit_mrs["3" * 40] = [31]
        wrong_name = _apply_job(tmp_path, gl, emulator, "3" * 40, WITH_DAVE)
        assert wrong_name.returncode == 1
        assert "has no successful appchat-plan job" in wrong_name.stdout + wrong_name.stderr
        assert "in: alpha." in wrong_name.stdout, "the red job still names what is left"

        _reviewed_mr(tmp_path, gl, emulator, 32, "9" * 40, WITH_DAVE)
        gl.job_files.clear()                                      # the artifact expired
        gl.mrs[32]["state"] = "merged"
        gl.commit_mrs["4" * 40] = [32]
        expired = _apply_job(tmp_path, gl, emulator, "4" * 40, WITH_DAVE)
        assert expired.returncode == 1 and "HTTP 404; expired?" in expired.stderr

        _reviewed_mr(tmp_path, gl, emulator, 33, "8" * 40, WITH_DAVE)
        gl.mrs[33]["state"] = "merged"
        gl.commit_mrs["5" * 40] = [33]
        ok = _apply_job(tmp_path, gl, emulator, "5" * 40, WITH_DAVE)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert _left(emulator, tmp_path, WITH_DAVE) == 0


def test_apply_jobs_take_turns_and_are_never_interrupted():
    for name in ("appchat-apply", "appchat-replan-apply"):
        assert DOC[name]["resource_group"] == "appchat-apply"
        assert DOC[name]["interruptible"] is False
    assert DOC["appchat-replan-apply"]["rules"][0]["when"] == "manual"
    assert DOC["appchat-replan-apply"]["needs"] == ["appchat-replan-plan"]


# -- main is the truth (issue 22) ---------------------------------------------

@pytest.mark.slow
def test_a_merge_request_behind_main_in_chats_gets_no_plan(emulator, tmp_path):
    _wecom(emulator, tmp_path, BASE)
    with GitLabMock() as gl:
        gl.add_mr(41, "a" * 40)
        gl.behind["a" * 40] = ["chats/beta.yaml"]  # main added carol to beta after this branch left it
        workdir, job = _plan_job(tmp_path, gl, emulator, 41, WITH_DAVE, CI_MERGE_REQUEST_TARGET_BRANCH_NAME="main")
        [note] = gl.my_notes(41)
    assert job.returncode == 1
    assert "This branch is behind `main` in chats/ (chats/beta.yaml" in job.stdout
    assert not (workdir / "plan.json").exists(), "no plan to apply"
    assert "Rebase onto `main`" in note["body"] and "**no plan was saved**" in note["body"]


@pytest.mark.slow
def test_a_plan_from_a_branch_behind_main_never_removes_what_main_added(emulator, tmp_path):
    _wecom(emulator, tmp_path, BASE)
    with GitLabMock() as gl:
        _reviewed_mr(tmp_path, gl, emulator, 42, "b" * 40, WITH_CAROL)
        gl.mrs[42]["state"] = "merged"
        gl.commit_mrs["1" * 40] = [42]
        assert _apply_job(tmp_path, gl, emulator, "1" * 40, WITH_CAROL).returncode == 0
        # !43 branched before !42 and was planned after !42's apply (not merged results): it removes carol.
        _reviewed_mr(tmp_path, gl, emulator, 43, "c" * 40, WITH_DAVE)
        gl.mrs[43]["state"] = "merged"
        gl.commit_mrs["2" * 40] = [43]
        job = _apply_job(tmp_path, gl, emulator, "2" * 40, BOTH)
    assert job.returncode == 1
    assert "the files now want carol in beta; this plan removes carol" in job.stderr
    assert sorted(emulator.chat("beta")["userlist"]) == ["alice", "bob", "carol"]
    assert re.search(r"ERROR: merged changes not applied: .* in: alpha\.$", job.stdout, flags=re.M), job.stdout


@pytest.mark.slow
def test_retrying_an_old_apply_job_applies_nothing_and_says_why(emulator, tmp_path):
    _wecom(emulator, tmp_path, BASE)
    with GitLabMock() as gl:
        _reviewed_mr(tmp_path, gl, emulator, 44, "d" * 40, WITH_DAVE)
        gl.mrs[44]["state"] = "merged"
        gl.commit_mrs["3" * 40] = [44]
        assert _apply_job(tmp_path, gl, emulator, "3" * 40, WITH_DAVE).returncode == 0
        _reviewed_mr(tmp_path, gl, emulator, 45, "e" * 40, BASE)
        gl.mrs[45]["state"] = "merged"
        gl.commit_mrs["4" * 40] = [45]
        assert _apply_job(tmp_path, gl, emulator, "4" * 40, BASE).returncode == 0
        emulator.clear_calls()
        job = _apply_job(tmp_path, gl, emulator, "3" * 40, WITH_DAVE, tip=False)  # the retry
    assert job.returncode == 0, job.stdout + job.stderr
    assert "Nothing applied: chats/ at 33333333 is no longer chats/ at the tip of main" in job.stdout
    assert not [c for c in emulator.calls() if c["path"].startswith("appchat/")]
    assert "dave" not in emulator.chat("alpha")["userlist"]


def test_the_expiring_include_has_a_stage_of_the_main_file_and_its_schedule_skips_drift():
    expiring = gitlab_config(ROOT / "examples" / "gitlab-ci-expiring.yml")["appchat-expiring"]
    assert expiring["stage"] in DOC["stages"]
    drift = DOC["appchat-drift"]["rules"][0]["if"]
    assert '$APPCHAT_EXPIRING != "1"' in drift and '$CI_PIPELINE_SOURCE == "schedule"' in drift
