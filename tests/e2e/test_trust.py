"""Issue 12, end to end in a subprocess: a saved plan is applied only where
and as it was reviewed. A plan made against one corp is refused against
another before any request (not even gettoken); a plan edited so that its
calls do more than it shows, digest recomputed, is refused as inconsistent
with zero writes; in both cases the re-run against the right target, with
the plan as written, converges."""

from __future__ import annotations

import json

import pytest

from reconciler.app import planfile
from tests.app.support import chat, state, write_chats
from tests.helpers import env_for, run_cli

SEED = {"chats": [chat("team", ["alice", "ben", "oli"], owner="alice", name="Team"),
                  chat("ops", ["erin", "frank"], owner="erin", name="Ops")]}
DESIRED = [chat("team", ["alice", "ben"], owner="alice", name="Team"),   # oli leaves
           chat("ops", ["erin", "frank", "gina"], owner="erin", name="Ops"),
           chat("fresh", ["gina", "hank"], owner="gina", name="Fresh")]


def _env(emu, tmp_path, **overrides):
    return {**env_for(emu), "APPCHAT_LOCK_DIR": str(tmp_path), **overrides}


def _plan(emu, tmp_path) -> str:
    write_chats(tmp_path, DESIRED)
    path = str(tmp_path / "plan.json")
    code, out, err = run_cli(["plan", "chats", "--out", path], _env(emu, tmp_path), cwd=tmp_path)
    assert code == 0, err
    emu.clear_calls()
    return path


def _converged(emu, tmp_path, path: str) -> None:
    """apply --plan against the plan's own target applies it; then nothing is left."""
    code, out, err = run_cli(["apply", "--plan", path], _env(emu, tmp_path), cwd=tmp_path)
    assert code == 0, err
    assert state(emu, "team")["userlist"] == ["alice", "ben"]
    assert state(emu, "ops")["userlist"] == ["erin", "frank", "gina"]
    assert state(emu, "fresh")["userlist"] == ["gina", "hank"]
    code, _, err = run_cli(["plan", "--detailed-exitcode", "chats"], _env(emu, tmp_path), cwd=tmp_path)
    assert code == 0, err


@pytest.mark.parametrize("fmt", ["text", "json"])
def test_a_plan_made_against_one_corp_is_refused_against_another_before_any_request(
        emulator_factory, tmp_path, fmt):
    staging = emulator_factory(seed=SEED)
    production = emulator_factory(seed=SEED, corp_id="wwproduction", corp_secret="prod-secret")
    path = _plan(staging, tmp_path)
    assert json.loads(open(path, encoding="utf-8").read())["target"] == {
        "corp_id": "wwtestcorp", "api_base": staging.base_url}
    code, out, err = run_cli(["apply", "--plan", path, "--format", fmt], _env(production, tmp_path), cwd=tmp_path)
    assert code == 1
    assert (f"was made against corp wwtestcorp at {staging.base_url}, but the environment (WECOM_CORP_ID, "
            f"WECOM_API_BASE) targets corp wwproduction at {production.base_url}") in err
    assert "Nothing was applied" in err
    if fmt == "json":
        report = json.loads(out)
        assert "wwproduction" in report["refusals"][0] and report["outcomes"] == []
    # no request at all, to either corp: not even gettoken
    assert production.calls() == [] and staging.calls() == []
    assert state(production, "team")["userlist"] == ["alice", "ben", "oli"]
    _converged(staging, tmp_path, path)


def test_same_base_other_corp_is_refused_and_a_base_without_its_slash_is_the_same_target(
        emulator_factory, tmp_path):
    emu = emulator_factory(seed=SEED)
    path = _plan(emu, tmp_path)
    code, _, err = run_cli(["apply", "--plan", path], _env(emu, tmp_path, WECOM_CORP_ID="wwother"), cwd=tmp_path)
    assert code == 1 and "targets corp wwother at" in err
    assert emu.calls() == []
    code, _, err = run_cli(["apply", "--plan", path],
                           _env(emu, tmp_path, WECOM_API_BASE=emu.base_url.rstrip("/")), cwd=tmp_path)
    assert code == 0, err
    assert state(emu, "team")["userlist"] == ["alice", "ben"]


def test_an_edited_plan_whose_calls_do_more_than_it_shows_is_refused_as_inconsistent(emulator_factory, tmp_path):
    emu = emulator_factory(seed=SEED)
    path = _plan(emu, tmp_path)
    original = open(path, encoding="utf-8").read()
    data = json.loads(original)
    team = next(c for c in data["changes"] if c["chat_id"] == "team")
    assert team["calls"][0]["body"]["del_user_list"] == ["oli"]
    # The attack: the call also removes ben; `after`, `people` and `summary`
    # still say only oli leaves; the plain sha256 digest is recomputed.
    team["calls"][0]["body"]["del_user_list"] = ["ben", "oli"]
    data["digest"] = planfile.digest(data["changes"], data["target"], data.get("wanted"))
    edited = tmp_path / "edited.json"
    edited.write_text(json.dumps(data, indent=2), encoding="utf-8")
    for fmt in ("text", "json"):
        code, out, err = run_cli(["apply", "--plan", edited, "--format", fmt], _env(emu, tmp_path), cwd=tmp_path)
        assert code == 1
        assert "is inconsistent" in err and "chat team" in err and "they also remove ben" in err
        if fmt == "json":
            assert "inconsistent" in json.loads(out)["refusals"][0]
    assert emu.calls() == []  # refused before any request: zero writes, zero reads
    assert state(emu, "team")["userlist"] == ["alice", "ben", "oli"]
    # the plan as it was reviewed still applies, and ben stays
    _converged(emu, tmp_path, path)
