"""`validate --format json|github` (issue 22): the diagnostics for machines,
the same ones the text format prints, at the same places."""

from __future__ import annotations

import json

import jsonschema

from tests.helpers import REPO, run_in_process

BAD = ("chats:\n"
       "  team:\n"
       "    name: Team\n"
       "    owner: zed\n"
       "    members: [alice, bob, {user: carol, until: 2020-01-01}]\n")
GOOD = "chats:\n  team:\n    name: Team\n    owner: alice\n    members: [alice, bob]\n"


def _files(tmp_path, text):
    folder = tmp_path / "chats"
    folder.mkdir()
    (folder / "team.yaml").write_text(text, encoding="utf-8")
    return folder


def test_json_lists_every_diagnostic_located_and_matches_its_schema(tmp_path, capsys):
    folder = _files(tmp_path, BAD)
    text = run_in_process(capsys, "validate", folder, "--today", "2026-12-07")
    r = run_in_process(capsys, "validate", folder, "--format", "json", "--today", "2026-12-07")
    assert r.code == 1 == text.code
    data = r.json()
    jsonschema.validate(data, json.loads((REPO / "schemas" / "validate.schema.json").read_text("utf-8")))
    assert data["format_version"] == 1
    severities = [(d["severity"], d["line"]) for d in data["diagnostics"]]
    assert ("error", 4) in severities and ("warning", 5) in severities  # owner not a member; an expired entry
    # the same diagnostics the text format prints on stderr, each at its place
    shown = [f"{d['file']}:{d['line']}:{d['col']}: {d['severity']}: {d['message']}" for d in data["diagnostics"]]
    assert shown == [line for line in text.err.splitlines() if ": error: " in line or ": warning: " in line]


def test_json_of_valid_files_is_an_empty_list_and_exit_0(tmp_path, capsys):
    r = run_in_process(capsys, "validate", _files(tmp_path, GOOD), "--format", "json")
    assert r.code == 0 and r.json() == {"format_version": 1, "diagnostics": []}


def test_github_prints_one_workflow_command_per_diagnostic_on_its_line(tmp_path, capsys):
    folder = _files(tmp_path, BAD)
    r = run_in_process(capsys, "validate", folder, "--format", "github", "--today", "2026-12-07")
    assert r.code == 1
    lines = r.out.splitlines()
    file = str(folder / "team.yaml").replace(":", "%3A").replace(",", "%2C")
    assert any(line.startswith(f"::error file={file},line=4,col=") and "zed" in line for line in lines)
    assert any(line.startswith(f"::warning file={file},line=5,col=") for line in lines)
    assert all(line.startswith(("::error ", "::warning ")) for line in lines)


def test_github_escapes_what_would_end_the_command(tmp_path, capsys):
    from reconciler.config.diagnostics import error, github_line
    from reconciler.core.model import Source

    line = github_line(error(Source("a,b:c.yaml", 3, 7), "50% done\nthen ::set-output"))
    assert line == "::error file=a%2Cb%3Ac.yaml,line=3,col=7::50%25 done%0Athen ::set-output"
