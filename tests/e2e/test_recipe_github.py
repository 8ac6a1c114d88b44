"""The GitHub Actions recipes, run as GitHub runs them: the jobs' steps in
order with their `if:` conditions, the shell steps in bash, the github-script
bodies in Node with github-script's own modules, the real appchat against the
emulator, and a mock of GitHub's REST API on 127.0.0.1."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

from tests.e2e.github_mock import BOT, GitHubMock
from tests.e2e.pipeline_runner import ROOT, GitHubRun, copy_chats, load, run_github_job
from tests.helpers import env_for, run_cli

PLAN_WF = load(ROOT / "examples" / "github" / "appchat-plan.yml")
APPLY_WF = load(ROOT / "examples" / "github" / "appchat-apply.yml")
MARKER = "<!-- appchat-plan -->"
PERSON = {"login": "carol", "id": 7, "type": "User"}

# WeCom before the pull requests below: two chats.
BASE = {"alpha.yaml": "chats:\n  alpha:\n    name: Alpha\n    owner: alice\n    members: [alice, bob]\n",
        "beta.yaml": "chats:\n  beta:\n    name: Beta\n    owner: alice\n    members: [alice, bob]\n"}
WITH_DAVE = {**BASE, "alpha.yaml": BASE["alpha.yaml"].replace("[alice, bob]", "[alice, bob, dave]")}
WITH_CAROL = {**BASE, "beta.yaml": BASE["beta.yaml"].replace("[alice, bob]", "[alice, bob, carol]")}
BOTH = {"alpha.yaml": WITH_DAVE["alpha.yaml"], "beta.yaml": WITH_CAROL["beta.yaml"]}
INVALID = {**BASE, "alpha.yaml": BASE["alpha.yaml"].replace("owner: alice", "owner: zed")}


def _wecom(emulator, tmp_path: Path, files: dict[str, str]) -> None:
    """Make WeCom hold `files` (appchat apply --yes from a scratch directory)."""
    scratch = tmp_path / "wecom-setup"
    copy_chats(files, scratch)
    code, out, err = run_cli(["apply", str(scratch / "chats"), "--yes"], env_for(emulator))
    assert code == 0, err


def _run(tmp_path, gh: GitHubMock, workflow: dict, emulator, event: str, sha: str, payload: dict,
         run_id: int, artifacts=None) -> GitHubRun:
    workdir = tmp_path / f"run-{run_id}"
    workdir.mkdir(exist_ok=True)
    event_path = workdir / ".event.json"
    event_path.write_text(json.dumps(payload))
    # The chat repository's git server (its branch appchat-ledger holds the ledger): a local bare repository.
    bare = tmp_path / "server" / gh.owner / f"{gh.repo}.git"
    if not bare.exists():
        subprocess.run(["git", "init", "-q", "--bare", str(bare)], check=True)
    return GitHubRun(
        workflow=workflow, workdir=workdir,
        github={"event_name": event, "sha": sha, "repository": f"{gh.owner}/{gh.repo}", "run_id": run_id,
                "token": gh.token, "event": payload, "ref": "refs/heads/main",
                "server_url": str(tmp_path / "server")},
        secrets={"WECOM_CORP_ID": emulator.config.corp_id, "WECOM_CORP_SECRET": emulator.config.corp_secret},
        api_url=gh.url, token=gh.token, event_path=event_path,
        artifacts={} if artifacts is None else artifacts,
        # The runner reaches WeCom at its default address; the tests reach the emulator. The
        # install steps (the action's: action_inputs; a recipe's own: APPCHAT_PIP_SPEC) find
        # this checkout's appchat already installed.
        env_overrides={"WECOM_API_BASE": emulator.base_url, "APPCHAT_PIP_SPEC": "appchat-reconciler"})


def _pr_payload(gh: GitHubMock, number: int) -> dict:
    return {"pull_request": gh.pulls[number], "repository": {"full_name": f"{gh.owner}/{gh.repo}"}}


def _plan_run(tmp_path, gh, emulator, number: int, files, run_id: int, artifacts=None):
    run = _run(tmp_path, gh, PLAN_WF, emulator, "pull_request", gh.pulls[number]["head"]["sha"],
               _pr_payload(gh, number), run_id, artifacts)
    copy_chats(files, run.workdir)
    return run, run_github_job(run, "plan")


# -- the pull request's plan comment -----------------------------------------

def test_one_comment_created_then_updated_and_a_failed_validate_replaces_the_plan(emulator, tmp_path):
    _wecom(emulator, tmp_path, BASE)
    with GitHubMock() as gh:
        gh.add_pull(5, "a" * 40)
        quoted = gh.add_comment(5, f"{MARKER}\nI copied the bot's comment here", PERSON)
        other_bot = gh.add_comment(5, "Coverage: 93%", {**BOT, "login": "codecov[bot]"})

        run, job = _plan_run(tmp_path, gh, emulator, 5, WITH_DAVE, run_id=1)
        assert not job.failed, job.log
        mine = [c for c in gh.bot_comments(5) if c["body"].startswith(MARKER)]
        assert len(mine) == 1
        first = mine[0]
        assert "### appchat plan" in first["body"] and "dave" in first["body"]
        assert "merging applies this plan (the `appchat-plan` artifact of this run)" in first["body"]
        assert "Commit aaaaaaa" in first["body"]
        assert list(run.artifacts) == [(1, "appchat-plan")]
        assert json.loads(run.artifacts[(1, "appchat-plan")])["changes"][0]["chat_id"] == "alpha"

        # The next push breaks a file: the same comment now shows the errors, not the old plan.
        gh.pulls[5]["head"]["sha"] = "b" * 40
        run, job = _plan_run(tmp_path, gh, emulator, 5, INVALID, run_id=2)
        assert job.failed and job.step("Plan").outcome == "skipped"
        assert job.step("Keep the saved plan").outcome == "skipped"
        assert job.step("Fail when").outcome == "failure"
        assert "::error::appchat validate exited 1" in job.step("Fail when").stdout
        assert [c["id"] for c in gh.bot_comments(5) if c["body"].startswith(MARKER)] == [first["id"]]
        body = first["body"]
        assert body.startswith(MARKER)
        assert ":x: **appchat validate failed** (exit 1)" in body
        assert re.search(r"chats/alpha\.yaml:\d+:\d+: error: .*zed", body), body
        assert "dave" not in body, "the previous push's plan must be gone"
        assert "**no plan was saved**" in body and "merging applies this plan" not in body
        assert "Commit bbbbbbb" in body

    # Nobody else's comment was touched: only one comment was created and then edited.
    writes = [(r.method, r.path) for r in gh.writes()]
    assert writes == [("POST", "/repos/acme/chats/issues/5/comments"),
                      ("PATCH", f"/repos/acme/chats/issues/comments/{first['id']}")]
    assert quoted["body"] == f"{MARKER}\nI copied the bot's comment here"
    assert other_bot["body"] == "Coverage: 93%"


def test_a_failed_plan_says_so_and_promises_no_artifact(emulator, tmp_path):
    _wecom(emulator, tmp_path, BASE)
    with GitHubMock() as gh:
        gh.add_pull(6, "c" * 40)
        gh.add_comment(6, f"{MARKER}\nold plan: merging applies this plan", BOT)
        run = _run(tmp_path, gh, PLAN_WF, emulator, "pull_request", "c" * 40, _pr_payload(gh, 6), 3)
        run.secrets["WECOM_CORP_SECRET"] = "wrong-secret"
        copy_chats(WITH_DAVE, run.workdir)
        job = run_github_job(run, "plan")
    assert job.failed
    assert job.step("Plan").outputs["rc"] == "1"
    assert job.step("Keep the saved plan").outcome == "skipped" and not run.artifacts
    [comment] = gh.bot_comments(6)
    assert ":x: **appchat plan failed** (exit 1)" in comment["body"]
    assert "**no plan was saved**" in comment["body"] and "merging applies this plan" not in comment["body"]
    assert "wrong-secret" not in comment["body"]


def test_a_failed_install_still_replaces_the_comment(emulator, tmp_path):
    with GitHubMock() as gh:
        gh.add_pull(8, "e" * 40)
        run = _run(tmp_path, gh, PLAN_WF, emulator, "pull_request", "e" * 40, _pr_payload(gh, 8), 4)
        run.action_inputs["install"] = "./no-such-directory"
        copy_chats(BASE, run.workdir)
        job = run_github_job(run, "plan")
    assert job.failed and job.step("Install").outcome == "failure"
    assert job.step("Validate").outcome == "skipped"
    assert "::error::appchat did not run: see the Install step" in job.step("Fail when").stdout
    [comment] = gh.bot_comments(8)
    assert ":x: **appchat did not run**" in comment["body"] and "**no plan was saved**" in comment["body"]


def test_re_running_a_plan_replaces_its_artifact(emulator, tmp_path):
    _wecom(emulator, tmp_path, BASE)
    with GitHubMock() as gh:
        gh.add_pull(9, "f" * 40)
        artifacts: dict = {}
        _, first = _plan_run(tmp_path, gh, emulator, 9, WITH_DAVE, run_id=11, artifacts=artifacts)
        _, again = _plan_run(tmp_path, gh, emulator, 9, WITH_DAVE, run_id=11, artifacts=artifacts)  # a re-run
    assert not first.failed and not again.failed, again.log
    assert again.step("Keep the saved plan").outcome == "success"
    assert len(gh.bot_comments(9)) == 1


def test_an_older_push_never_overwrites_the_newest_comment(emulator, tmp_path):
    _wecom(emulator, tmp_path, BASE)
    with GitHubMock() as gh:
        gh.add_pull(10, "1" * 40)
        mine = gh.add_comment(10, f"{MARKER}\nthe plan of the newest push", BOT)
        run = _run(tmp_path, gh, PLAN_WF, emulator, "pull_request", "0" * 40,
                   {"pull_request": {**gh.pulls[10], "head": {**gh.pulls[10]["head"], "sha": "0" * 40}}}, 12)
        copy_chats(WITH_DAVE, run.workdir)
        job = run_github_job(run, "plan")
    assert not job.failed, job.log
    assert "no longer the head of the pull request" in job.step("Post or update").stdout
    assert not gh.writes() and mine["body"] == f"{MARKER}\nthe plan of the newest push"


def test_a_fork_gets_the_result_in_the_job_summary_not_a_comment(emulator, tmp_path):
    with GitHubMock() as gh:
        gh.add_pull(11, "2" * 40, fork=True)
        run = _run(tmp_path, gh, PLAN_WF, emulator, "pull_request", "2" * 40, _pr_payload(gh, 11), 13)
        run.secrets = {}                                # GitHub gives a fork's pull request no secrets
        run.env_overrides.pop("WECOM_API_BASE")
        copy_chats(BASE, run.workdir)
        job = run_github_job(run, "plan")
    assert job.failed
    assert "Pull request from a fork" in job.step("Post or update").stdout
    assert not gh.writes()
    summary = (run.workdir / ".summary").read_text()
    assert ":x: **appchat plan failed** (exit 1)" in summary
