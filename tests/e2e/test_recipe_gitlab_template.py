"""The GitLab template's additions (issue 22, items 8-10), its jobs run as a
GitLab runner runs them, against the emulator and the GitLab mock: the
code-quality report of `appchat validate`, and the apply's result as one
note on the merged merge request, updated in place."""

from __future__ import annotations

import hashlib
import json

import pytest

from tests.e2e.gitlab_mock import GitLabMock
from tests.e2e.pipeline_runner import ROOT, copy_chats, gitlab_config, run_gitlab_job
from tests.e2e.test_recipe_github import BASE, BOTH, INVALID, WITH_CAROL, WITH_DAVE, _wecom
from tests.e2e.test_recipe_gitlab import DOC, PERSON, _apply_job, _ci, _reviewed_mr

MARKER = "<!-- appchat-apply -->"
# GitLab's code-quality format (docs: "Implement a custom tool"): the keys it reads.
SEVERITIES = {"info", "minor", "major", "critical", "blocker"}


def _validate(tmp_path, gl, emulator, files, name: str):
    workdir = tmp_path / name
    copy_chats(files, workdir)
    job = run_gitlab_job(DOC, "appchat-validate", workdir, _ci(gl, emulator, "a" * 40))
    report = json.loads((workdir / "gl-code-quality-report.json").read_text(encoding="utf-8"))
    return job, report


def test_validate_gives_gitlab_a_code_quality_report_on_the_lines(emulator, tmp_path):
    expired = {**BASE, "beta.yaml": BASE["beta.yaml"].replace("[alice, bob]", "[alice, bob, {user: carol, until: 2001-01-31}]")}
    with GitLabMock() as gl:
        ok, clean = _validate(tmp_path, gl, emulator, BASE, "clean")
        bad, errors = _validate(tmp_path, gl, emulator, {**INVALID, "beta.yaml": expired["beta.yaml"]}, "bad")
        again, same = _validate(tmp_path, gl, emulator, {**INVALID, "beta.yaml": expired["beta.yaml"]}, "again")
        warned, warnings = _validate(tmp_path, gl, emulator, expired, "warned")
    assert ok.returncode == 0 and clean == []
    assert bad.returncode == 1, "invalid files fail the job"
    assert isinstance(errors, list) and len(errors) == 2
    for issue in errors:
        assert set(issue) >= {"description", "check_name", "fingerprint", "severity", "location"}
        assert issue["check_name"] == "appchat-validate" and issue["severity"] in SEVERITIES
        assert isinstance(issue["location"]["lines"]["begin"], int) and issue["location"]["lines"]["begin"] >= 1
        assert len(issue["fingerprint"]) == 64 and int(issue["fingerprint"], 16) >= 0
    by_path = {i["location"]["path"]: i for i in errors}
    assert by_path["chats/alpha.yaml"]["severity"] == "major" and "zed" in by_path["chats/alpha.yaml"]["description"]
    assert by_path["chats/alpha.yaml"]["location"]["lines"]["begin"] == 4       # `owner: zed`
    assert by_path["chats/beta.yaml"]["severity"] == "minor" and "2001-01-31" in by_path["chats/beta.yaml"]["description"]
    assert len({i["fingerprint"] for i in errors}) == 2
    assert [i["fingerprint"] for i in same] == [i["fingerprint"] for i in errors], "stable across pipelines"
    issue = by_path["chats/alpha.yaml"]
    # The fingerprint names the place and the message (FILE:LINE:COL:MESSAGE, as the log shows them).
    where = f"chats/alpha.yaml:4:{_col(bad.stdout)}:{issue['description']}"
    assert issue["fingerprint"] == hashlib.sha256(where.encode()).hexdigest()
    assert "chats/alpha.yaml:4:" in bad.stdout, "the log shows the errors too"
    assert warned.returncode == 0 and [w["severity"] for w in warnings] == ["minor"]


def _col(log: str) -> str:
    line = next(ln for ln in log.splitlines() if ln.startswith("chats/alpha.yaml:4:"))
    return line.split(":")[2]


def _notes(gl, iid: int) -> list[dict]:
    return [n for n in gl.my_notes(iid) if n["body"].startswith(MARKER)]


@pytest.mark.slow
def test_the_apply_result_is_one_note_on_the_merged_mr_updated_in_place(emulator, tmp_path):
    _wecom(emulator, tmp_path, BASE)
    with GitLabMock() as gl:
        _reviewed_mr(tmp_path, gl, emulator, 61, "a" * 40, WITH_DAVE)
        persons = gl.add_note(61, f"{MARKER}\nquoting the bot", PERSON)
        gl.mrs[61]["state"] = "merged"
        gl.commit_mrs["1" * 40] = [61]
        job = _apply_job(tmp_path, gl, emulator, "1" * 40, WITH_DAVE)
        assert job.returncode == 0, job.stdout + job.stderr
        [note] = _notes(gl, 61)
        assert ":white_check_mark: **Applied**" in note["body"] and "- Applied: `alpha`" in note["body"]
        assert "every merged change is applied" in note["body"]

        # The job retried: WeCom moved since the review, the plan is refused as stale; the same note says so.
        retry = _apply_job(tmp_path, gl, emulator, "1" * 40, WITH_DAVE)
        assert retry.returncode == 1 and "stale" in retry.stderr
        assert [n["id"] for n in _notes(gl, 61)] == [note["id"]], "never a second note"
        assert ":x: **Refused as stale**" in note["body"] and "Applied: `alpha`" not in note["body"]
    assert persons["body"] == f"{MARKER}\nquoting the bot"
    writes = [(r.method, r.path) for r in gl.writes() if r.path.startswith("/api/v4/projects/7/merge_requests/61/")]
    assert writes[-2:] == [("POST", "/api/v4/projects/7/merge_requests/61/notes"),
                           ("PUT", f"/api/v4/projects/7/merge_requests/61/notes/{note['id']}")]


@pytest.mark.slow
def test_a_refusal_by_the_files_is_on_the_merged_mr_with_the_chat(emulator, tmp_path):
    _wecom(emulator, tmp_path, BASE)
    with GitLabMock() as gl:
        _reviewed_mr(tmp_path, gl, emulator, 62, "b" * 40, WITH_CAROL)
        gl.mrs[62]["state"] = "merged"
        gl.commit_mrs["2" * 40] = [62]
        assert _apply_job(tmp_path, gl, emulator, "2" * 40, WITH_CAROL).returncode == 0
        _reviewed_mr(tmp_path, gl, emulator, 63, "c" * 40, WITH_DAVE)   # behind !62, planned after its apply
        gl.mrs[63]["state"] = "merged"
        gl.commit_mrs["3" * 40] = [63]
        job = _apply_job(tmp_path, gl, emulator, "3" * 40, BOTH)
        [note] = _notes(gl, 63)
    assert job.returncode == 1
    assert ":x: **Refused**: the merged files want something other than this plan" in note["body"]
    assert "the files now want carol in beta; this plan removes carol" in note["body"]
    assert "**Still different in WeCom:** `alpha`" in note["body"]


def test_the_template_is_what_the_examples_include_with_inputs():
    example = gitlab_config(ROOT / "examples" / "gitlab-ci.yml")
    assert example["appchat-apply"]["variables"]["APPCHAT_PATHS"] == "chats/"
    assert example["appchat-plan"]["rules"][0]["changes"] == ["chats/**/*"]
    from scripts.gitlab_config import load

    other = load(ROOT / "templates" / "appchat.gitlab-ci.yml",
                 {"paths": "team/chats/", "changes": ["team/chats/**/*"], "stage-apply": "deploy"})
    assert other["appchat-apply"]["stage"] == "deploy" and other["appchat-apply"]["variables"]["APPCHAT_PATHS"] == "team/chats/"
    assert other["appchat-plan"]["rules"][0]["changes"] == ["team/chats/**/*"]
    with pytest.raises(ValueError, match="unknown inputs: pip_spec"):
        load(ROOT / "templates" / "appchat.gitlab-ci.yml", {"pip_spec": "."})


def test_the_expiring_reminder_lists_and_fails_on_what_ended(emulator, tmp_path):
    doc = gitlab_config(ROOT / "examples" / "gitlab-ci-expiring.yml")
    ended = {**BASE, "beta.yaml": BASE["beta.yaml"].replace("[alice, bob]", "[alice, bob, {user: carol, until: 2001-01-31}]")}
    with GitLabMock() as gl:
        results = {}
        for name, files in (("ended", ended), ("none", BASE)):
            workdir = tmp_path / f"expiring-{name}"
            copy_chats(files, workdir)
            results[name] = (run_gitlab_job(doc, "appchat-expiring", workdir, _ci(gl, emulator, "e" * 40)), workdir)
    job, workdir = results["ended"]
    assert job.returncode == 1 and "1 membership(s) already ended" in job.stdout and "carol" in job.stdout
    assert json.loads((workdir / "expiring.json").read_text())["memberships"][0]["user_id"] == "carol"
    assert results["none"][0].returncode == 0, results["none"][0].stdout + results["none"][0].stderr
