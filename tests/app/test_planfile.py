"""Saved plans: the digest, what is refused, and the round trip."""

from __future__ import annotations

import json
import os

import pytest

from reconciler.app import planfile
from reconciler.core.plan import Target
from reconciler.core.planformat.writer import plan_data
from tests.builders import sample_plan as _sample_plan

TARGET = Target("wwdemo", "http://127.0.0.1:8080/cgi-bin/")


def sample_plan():
    return _sample_plan().aimed_at(TARGET)

def test_planfile_round_trip_keeps_calls_and_records_origin(tmp_path):
    plan = sample_plan()
    path = tmp_path / "plan.json"
    planfile.write(plan, str(path))
    data = json.loads(path.read_text("utf-8"))
    assert data["format_version"] == 1
    assert data["digest"].startswith("sha256:") and len(data["digest"]) == len("sha256:") + 64
    assert data["generated_by"].startswith("appchat ")
    again = planfile.read(str(path))
    assert plan_data(again) == plan_data(plan)
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
    data["digest"] = planfile.digest(data["changes"], data["target"], data.get("wanted"))
    path.write_text(json.dumps(data), "utf-8")
    with pytest.raises(planfile.PlanFileError, match="not a valid plan"):
        planfile.read(str(path))


def test_planfile_missing_file(tmp_path):
    with pytest.raises(planfile.PlanFileError, match="cannot read"):
        planfile.read(str(tmp_path / "nope.json"))



def test_a_saved_plan_records_its_target_and_the_digest_covers_it(tmp_path):
    path = tmp_path / "plan.json"
    planfile.write(sample_plan(), str(path))
    data = json.loads(path.read_text("utf-8"))
    assert data["target"] == {"corp_id": "wwdemo", "api_base": "http://127.0.0.1:8080/cgi-bin/"}
    assert planfile.read(str(path)).target == TARGET
    data["target"]["corp_id"] = "wwprod"  # edited to aim the plan elsewhere: the digest no longer matches
    path.write_text(json.dumps(data), "utf-8")
    with pytest.raises(planfile.PlanFileError, match="changes or target no longer match its digest"):
        planfile.read(str(path))


def test_a_plan_written_before_targets_is_refused_with_make_it_again(tmp_path):
    path = tmp_path / "plan.json"
    planfile.write(sample_plan(), str(path))
    data = json.loads(path.read_text("utf-8"))
    del data["target"]
    # what an older appchat wrote: the digest of `changes` alone
    import hashlib
    canonical = json.dumps(data["changes"], sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    data["digest"] = "sha256:" + hashlib.sha256(canonical.encode("utf-8")).hexdigest()
    path.write_text(json.dumps(data), "utf-8")
    with pytest.raises(planfile.PlanFileError) as info:
        planfile.read(str(path))
    assert "does not say which corp and API base it was made against" in str(info.value)
    assert "make the plan again with `appchat plan --out`" in str(info.value)


@pytest.mark.parametrize("target", [{"corp_id": "wwdemo"}, {"corp_id": "", "api_base": "http://x/"},
                                    {"corp_id": "wwdemo", "api_base": "http://x"}, "wwdemo"])
def test_a_malformed_target_is_not_a_plan(tmp_path, target):
    path = tmp_path / "plan.json"
    planfile.write(sample_plan(), str(path))
    data = json.loads(path.read_text("utf-8"))
    data["target"] = target
    data["digest"] = planfile.digest(data["changes"], target, data.get("wanted"))
    path.write_text(json.dumps(data), "utf-8")
    with pytest.raises(planfile.PlanFileError, match="not a valid plan: .*target"):
        planfile.read(str(path))


def test_target_refusal_names_both_targets():
    plan = sample_plan()
    assert planfile.target_refusal(plan, "p.json", TARGET) is None
    here = Target("wwprod", "https://qyapi.weixin.qq.com/cgi-bin/")
    message = planfile.target_refusal(plan, "p.json", here)
    assert message.startswith("plan file p.json was made against corp wwdemo at http://127.0.0.1:8080/cgi-bin/, "
                              "but the environment (WECOM_CORP_ID, WECOM_API_BASE) targets corp wwprod at "
                              "https://qyapi.weixin.qq.com/cgi-bin/")


def test_a_plan_without_a_target_cannot_be_saved(tmp_path):
    with pytest.raises(ValueError, match="target"):
        planfile.write(_sample_plan(), str(tmp_path / "p.json"))


def _with_digest(data: dict) -> str:
    data["digest"] = planfile.digest(data["changes"], data["target"])
    return json.dumps(data)


@pytest.mark.parametrize("depth", [50, 990, 3000, 100_000])
def test_a_plan_nested_however_deep_is_a_plan_file_error(tmp_path, depth):
    # issue 20: 3,000 deep was a RecursionError and no report
    path = tmp_path / "plan.json"
    nested = "[" * depth + "]" * depth
    text = f'{{"format_version": 1, "target": {{"corp_id": "wwdemo", "api_base": "{TARGET.api_base}"}}, ' \
           f'"changes": {nested}, "digest": "sha256:0"}}'
    path.write_text(text, "utf-8")
    with pytest.raises(planfile.PlanFileError) as info:
        planfile.read(str(path))
    assert str(info.value).startswith(f"plan file {path} ")
    if depth >= 3000:
        assert "nested too deep" in str(info.value)


@pytest.mark.parametrize("where", ["format_version", "changes", "digest-consistent"])
def test_a_plan_holding_a_number_however_long_is_a_plan_file_error(tmp_path, where):
    # issue 20: a 5,000-digit number was a ValueError and no report
    path = tmp_path / "plan.json"
    planfile.write(sample_plan(), str(path))
    data = json.loads(path.read_text("utf-8"))
    long_number = "9" * 5000
    if where == "format_version":
        text = json.dumps(data).replace('"format_version": 1', f'"format_version": {long_number}')
    elif where == "changes":
        text = json.dumps(data).replace('"changes": [', f'"changes": [{long_number}, ', 1)
    else:
        data["changes"][0]["calls"][0]["body"]["extra"] = 10 ** 4000  # within Python's limit, not a plan's
        text = _with_digest(data)
    path.write_text(text, "utf-8")
    with pytest.raises(planfile.PlanFileError, match=f"plan file {path} "):
        planfile.read(str(path))


def test_a_plan_over_the_size_limit_is_refused_unread_and_at_the_limit_read(tmp_path):
    path = tmp_path / "plan.json"
    planfile.write(sample_plan(), str(path))
    size = path.stat().st_size
    assert planfile.read(str(path), max_bytes=size).changes
    with pytest.raises(planfile.PlanFileError, match="is larger than .* MB .*: not read"):
        planfile.read(str(path), max_bytes=size - 1)
    assert planfile.MAX_PLAN_BYTES == 256 * 1024 * 1024  # the contract's bound


def test_a_plan_file_that_is_a_fifo_is_refused_without_blocking(tmp_path):
    path = tmp_path / "plan.json"
    os.mkfifo(path)  # opening it to read would wait for a writer forever
    with pytest.raises(planfile.PlanFileError, match="not a regular file"):
        planfile.read(str(path))
