"""After apply, the result goes back on the merged pull request (issue 22,
item 9), as Atlantis does: one comment, found by its marker and updated in
place, never a second one; written by a job of its own, the only one with
`pull-requests: write`. Run as GitHub runs the apply workflow, against the
emulator and the GitHub mock."""

from __future__ import annotations

import pytest

from tests.e2e.github_mock import GitHubMock
from tests.e2e.pipeline_runner import evaluate, run_github_job
from tests.e2e.test_recipe_github import APPLY_WF, BASE, BOTH, PERSON, WITH_CAROL, WITH_DAVE, _wecom
from tests.e2e.test_recipe_github_apply import _merge, _push_run, _reviewed

MARKER = "<!-- appchat-apply -->"

pytestmark = pytest.mark.slow


def _comment(run, apply_job):
    """The comment job, when GitHub runs it (its `if:` on the apply job's outputs)."""
    run.needs = {"apply": apply_job.needs}
    if not evaluate(APPLY_WF["jobs"]["comment"]["if"], {"github": run.github, "needs": run.needs}):
        return None
    return run_github_job(run, "comment")


def _mine(gh, number: int) -> list[dict]:
    return [c for c in gh.bot_comments(number) if c["body"].startswith(MARKER)]


def test_only_the_comment_job_may_write_to_pull_requests():
    jobs = APPLY_WF["jobs"]
    writers = [name for name, job in jobs.items() if job["permissions"].get("pull-requests") == "write"]
    assert writers == ["comment"]
    assert set(jobs["comment"]["permissions"]) == {"contents", "pull-requests"}
    assert jobs["comment"]["permissions"]["contents"] == "read"
    assert "WECOM_CORP_SECRET" not in str(jobs["comment"]), "the job that writes to GitHub never sees WeCom's secret"


def test_the_result_is_one_comment_on_the_merged_pull_request_updated_in_place(emulator, tmp_path):
    _wecom(emulator, tmp_path, BASE)
    artifacts: dict = {}
    with GitHubMock() as gh:
        _reviewed(tmp_path, gh, emulator, 51, "a" * 40, WITH_DAVE, 151, artifacts)
        quoted = gh.add_comment(51, f"{MARKER}\na person quoting the bot", PERSON)
        _merge(gh, 51, "1" * 40)
        run, job = _push_run(tmp_path, gh, emulator, "1" * 40, WITH_DAVE, 251, artifacts)
        assert not job.failed, job.log
        assert job.outputs["pull-request"] == "51"
        comment = _comment(run, job)
        assert comment is not None and not comment.failed, comment.log
        [first] = _mine(gh, 51)
        body = first["body"]
        assert ":white_check_mark: **Applied**" in body and "- Applied: `alpha`" in body
        assert "every merged change is applied" in body and "commit 1111111" in body

        # Someone re-runs the same apply run: WeCom moved since the review, so its plan is refused as stale,
        # and the same comment now says so.
        run, job = _push_run(tmp_path, gh, emulator, "1" * 40, WITH_DAVE, 251, artifacts)
        assert job.failed and "stale" in job.step("Apply the plan").stdout
        comment = _comment(run, job)
        assert comment is not None and not comment.failed, comment.log
        assert [c["id"] for c in _mine(gh, 51)] == [first["id"]], "never a second comment"
        assert ":x: **Refused as stale**" in first["body"] and "Applied" not in first["body"].split("\n")[3]
    writes = [(r.method, r.path) for r in gh.writes() if "/issues/51/" in r.path or "/issues/comments/" in r.path]
    assert writes[-2:] == [("POST", "/repos/acme/chats/issues/51/comments"),
                           ("PATCH", f"/repos/acme/chats/issues/comments/{first['id']}")]
    assert quoted["body"] == f"{MARKER}\na person quoting the bot"


def test_a_refusal_by_the_files_names_the_chat_in_the_comment(emulator, tmp_path):
    _wecom(emulator, tmp_path, BASE)
    artifacts: dict = {}
    with GitHubMock() as gh:
        _reviewed(tmp_path, gh, emulator, 52, "b" * 40, WITH_CAROL, 152, artifacts)
        _merge(gh, 52, "2" * 40)
        run, job = _push_run(tmp_path, gh, emulator, "2" * 40, WITH_CAROL, 252, artifacts)
        assert not job.failed, job.log
        # Branched before #52, re-planned after its apply: its plan would remove carol.
        _reviewed(tmp_path, gh, emulator, 53, "c" * 40, WITH_DAVE, 153, artifacts)
        _merge(gh, 53, "3" * 40)
        run, job = _push_run(tmp_path, gh, emulator, "3" * 40, BOTH, 253, artifacts)
        assert job.failed and job.outputs["pull-request"] == "53"
        assert _comment(run, job) is not None
        [mine] = _mine(gh, 53)
    assert ":x: **Refused**: the merged files want something other than this plan" in mine["body"]
    assert "the files now want carol in beta; this plan removes carol" in mine["body"]
    assert "**Still different in WeCom:** `alpha`" in mine["body"]
    assert sorted(emulator.chat("beta")["userlist"]) == ["alice", "bob", "carol"]


def test_a_run_without_a_pull_request_comments_nowhere(emulator, tmp_path):
    _wecom(emulator, tmp_path, BASE)
    with GitHubMock() as gh:
        run, job = _push_run(tmp_path, gh, emulator, "4" * 40, WITH_DAVE, 254, {})
        assert job.failed and job.outputs["pull-request"] == ""
        assert _comment(run, job) is None
    assert not gh.writes()
