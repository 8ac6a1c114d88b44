"""Saved plans: the digest, what is refused, and the round trip."""

from __future__ import annotations

import json
import os

import pytest

from reconciler.app import planfile
from tests.builders import sample_plan

def test_planfile_round_trip_keeps_calls_and_records_origin(tmp_path):
    plan = sample_plan()
    path = tmp_path / "plan.json"
    planfile.write(plan, str(path))
    data = json.loads(path.read_text("utf-8"))
    assert data["format_version"] == 1
    assert data["digest"].startswith("sha256:") and len(data["digest"]) == len("sha256:") + 64
    assert data["generated_by"].startswith("appchat ")
    again = planfile.read(str(path))
    assert again.data == plan.data
    assert [c.data for c in again.changes[0].calls] == data["changes"][0]["calls"]
    assert os.listdir(tmp_path) == ["plan.json"]  # no temp file left behind


def test_planfile_digest_ignores_whitespace_but_not_content(tmp_path):
    path = tmp_path / "plan.json"
    planfile.write(sample_plan(), str(path))
    data = json.loads(path.read_text("utf-8"))
    path.write_text(json.dumps(data, separators=(",", ":")), "utf-8")  # reformatted, same content
    assert planfile.read(str(path)).changes
    data["changes"][0]["calls"][0]["body"]["add_user_list"] = ["mallory"]
    path.write_text(json.dumps(data), "utf-8")
    with pytest.raises(planfile.PlanFileError, match="edited"):
        planfile.read(str(path))


@pytest.mark.parametrize("mangle, message", [
    (lambda text: text[: len(text) // 2], "truncated"),
    (lambda text: "", "not valid JSON"),
    (lambda text: "this is not json", "not valid JSON"),
    (lambda text: "[1, 2]", "not a plan"),
    (lambda text: text.replace('"format_version": 1', '"format_version": 2'), "format_version 2"),
    (lambda text: json.dumps({k: v for k, v in json.loads(text).items() if k != "digest"}), "no digest"),
    (lambda text: json.dumps({k: v for k, v in json.loads(text).items() if k != "changes"}), "no `changes`"),
])
def test_planfile_refuses_what_it_cannot_trust(tmp_path, mangle, message):
    path = tmp_path / "plan.json"
    planfile.write(sample_plan(), str(path))
    path.write_text(mangle(path.read_text("utf-8")), "utf-8")
    with pytest.raises(planfile.PlanFileError, match=message):
        planfile.read(str(path))


def test_planfile_refuses_a_digest_consistent_file_that_is_not_a_plan(tmp_path):
    # Someone recomputed the digest after editing: the strict reader still
    # refuses changes that are not what the planner writes.
    path = tmp_path / "plan.json"
    planfile.write(sample_plan(), str(path))
    data = json.loads(path.read_text("utf-8"))
    data["changes"][0]["calls"][0]["path"] = "appchat/send"
    data["digest"] = planfile.digest(data["changes"])
    path.write_text(json.dumps(data), "utf-8")
    with pytest.raises(planfile.PlanFileError, match="not a valid plan"):
        planfile.read(str(path))


def test_planfile_missing_file(tmp_path):
    with pytest.raises(planfile.PlanFileError, match="cannot read"):
        planfile.read(str(tmp_path / "nope.json"))

