"""The drift recipe (issue 22): a drift opens one issue, a later drift
updates that issue, and a run without drift closes it with a comment. Run as
GitHub runs it, against the emulator and the GitHub mock."""

from __future__ import annotations

import pytest

from tests.e2e.github_mock import GitHubMock
from tests.e2e.pipeline_runner import ROOT, copy_chats, load, run_github_job
from tests.e2e.test_recipe_github import BASE, WITH_DAVE, _run, _wecom

DRIFT_WF = load(ROOT / "examples" / "github" / "appchat-drift.yml")
MARKER = "<!-- appchat-drift -->"

pytestmark = pytest.mark.slow


def _scheduled(tmp_path, gh, emulator, run_id: int):
    run = _run(tmp_path, gh, DRIFT_WF, emulator, "schedule", "7" * 40, {}, run_id)
    copy_chats(BASE, run.workdir)
    drift = run_github_job(run, "drift")
    rc = drift.outputs["drift"]
    run.needs = {"drift": drift.needs}
    assert DRIFT_WF["jobs"]["issue"]["if"]  # GitHub runs the issue job when the comparison gave an answer
    return drift, rc, run_github_job(run, "issue")


def _mine(gh):
    return [i for i in gh.issues.values() if i["body"].startswith(MARKER)]


def test_one_issue_is_opened_updated_and_closed_when_the_drift_is_gone(emulator, tmp_path):
    _wecom(emulator, tmp_path, WITH_DAVE)  # someone added dave by hand: main says BASE
    with GitHubMock() as gh:
        other = gh.add_issue("a bug", "not ours", {"login": "carol", "type": "User"})
        drift, rc, issue = _scheduled(tmp_path, gh, emulator, 401)
        assert rc == "2" and drift.failed and not issue.failed, issue.log
        [opened] = _mine(gh)
        assert opened["state"] == "open" and "dave" in opened["body"]
        assert opened["title"] == "appchat: WeCom has drifted from main"

        drift, rc, issue = _scheduled(tmp_path, gh, emulator, 402)  # still drifted: the same issue
        assert not issue.failed, issue.log
        assert _mine(gh) == [opened] and f"Updated issue #{opened['number']}" in issue.log

        _wecom(emulator, tmp_path, BASE)  # the drift is put back
        drift, rc, issue = _scheduled(tmp_path, gh, emulator, 403)
        assert rc == "0" and not drift.failed and not issue.failed, issue.log
        assert opened["state"] == "closed"
        assert any("WeCom matches `chats/` again" in c["body"] for c in gh.comments[opened["number"]])
        assert other["state"] == "open" and other["body"] == "not ours"


EXPIRING_WF = load(ROOT / "examples" / "github" / "appchat-expiring.yml")
ENDED = {**BASE, "beta.yaml": BASE["beta.yaml"].replace("[alice, bob]", "[alice, bob, {user: carol, until: 2001-01-31}]")}


def test_the_reminder_keeps_one_issue_and_closes_it_when_nothing_ends(emulator, tmp_path):
    with GitHubMock() as gh:
        for run_id, files in ((501, ENDED), (502, ENDED), (503, BASE)):
            run = _run(tmp_path, gh, EXPIRING_WF, emulator, "schedule", "8" * 40, {}, run_id)
            run.secrets = {}                                      # offline: no WeCom credentials
            copy_chats(files, run.workdir)
            job = run_github_job(run, "remind")
            assert not job.failed, job.log
            mine = [i for i in gh.issues.values() if "<!-- appchat-expiring -->" in i["body"]]
            assert len(mine) == 1, "one issue, kept up to date"
            if files is ENDED:
                assert mine[0]["state"] == "open" and "`carol`" in mine[0]["body"] and "ended" in mine[0]["body"]
    assert mine[0]["state"] == "closed"
