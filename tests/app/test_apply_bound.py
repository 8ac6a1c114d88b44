"""A saved plan is applied only to the chat files it was made from (issue 22):
`apply --plan FILE PATH...` refuses, before any write, a plan whose chats the
files now want otherwise. Against the emulator over HTTP, with its call log."""

from __future__ import annotations

import json

from reconciler.app import planfile
from tests.app.support import chat, run, start_apply_env, state, write_chats, writes

# X and Y were applied; then A added erin to Y, was merged and applied.
LIVE = {"chats": [chat("xchat", ["alice", "bob"], owner="alice", name="X"),
                  chat("ychat", ["alice", "bob", "erin"], owner="alice", name="Y")]}
# Branch B (behind main) adds dave to X; its Y is still the one without erin.
BRANCH_B = [chat("xchat", ["alice", "bob", "dave"], owner="alice", name="X"),
            chat("ychat", ["alice", "bob"], owner="alice", name="Y")]
# Main once B is merged: both changes.
MAIN = [chat("xchat", ["alice", "bob", "dave"], owner="alice", name="X"),
        chat("ychat", ["alice", "bob", "erin"], owner="alice", name="Y")]


def _plan_from_branch_b(emulator_factory, monkeypatch, tmp_path, capsys):
    emu = start_apply_env(emulator_factory, monkeypatch, tmp_path, LIVE, BRANCH_B)
    r = run(capsys, "plan", "--out", "plan.json", "chats")
    assert r.code == 0, r.err
    assert json.loads((tmp_path / "plan.json").read_text())["changes"][1]["calls"][0]["body"]["del_user_list"] == ["erin"]
    write_chats(tmp_path, MAIN)  # B is merged: the checkout now holds main's files
    emu.clear_calls()
    return emu


def test_a_plan_from_a_branch_behind_main_never_removes_what_main_added(emulator_factory, monkeypatch, tmp_path,
                                                                         capsys):
    emu = _plan_from_branch_b(emulator_factory, monkeypatch, tmp_path, capsys)
    r = run(capsys, "apply", "--plan", "plan.json", "chats")
    assert r.code == 1
    assert "files" in r.err
    assert "the files now want erin in ychat; this plan removes erin" in r.err
    assert "(the files changed)" in r.err and "Plan again from these files" in r.err
    assert "xchat" not in r.err.split("ychat:")[0].split("other chat files")[1]  # xchat agrees: not named
    assert writes(emu) == []  # not one write: dave is not added either
    assert emu.calls() == []  # the files are compared before any request, not even gettoken
    assert state(emu, "ychat")["userlist"] == ["alice", "bob", "erin"]


def test_the_refusal_is_in_the_json_report(emulator_factory, monkeypatch, tmp_path, capsys):
    emu = _plan_from_branch_b(emulator_factory, monkeypatch, tmp_path, capsys)
    r = run(capsys, "apply", "--plan", "plan.json", "chats", "--format", "json")
    assert r.code == 1
    data = r.json()
    assert data["format_version"] == 1 and data["outcomes"] == []
    assert "the files now want erin in ychat" in data["error"]
    assert data["refusals"] and "erin" in data["refusals"][0]
    assert writes(emu) == []


def test_a_plan_is_applied_to_the_files_it_was_made_from(emulator_factory, monkeypatch, tmp_path, capsys):
    emu = start_apply_env(emulator_factory, monkeypatch, tmp_path, LIVE, MAIN)
    assert run(capsys, "plan", "--out", "plan.json", "chats").code == 0
    r = run(capsys, "apply", "--plan", "plan.json", "chats")
    assert r.code == 0, r.err
    assert state(emu, "xchat")["userlist"] == ["alice", "bob", "dave"]
    assert state(emu, "ychat")["userlist"] == ["alice", "bob", "erin"]


def test_without_paths_a_saved_plan_is_applied_as_before(emulator_factory, monkeypatch, tmp_path, capsys):
    emu = _plan_from_branch_b(emulator_factory, monkeypatch, tmp_path, capsys)
    r = run(capsys, "apply", "--plan", "plan.json")
    assert r.code == 0, r.err  # the contract's old behaviour: the recipes always give the paths
    assert state(emu, "ychat")["userlist"] == ["alice", "bob"]


def test_a_plan_that_does_not_record_the_files_is_refused_with_paths(emulator_factory, monkeypatch, tmp_path,
                                                                     capsys):
    emu = start_apply_env(emulator_factory, monkeypatch, tmp_path, LIVE, MAIN)
    assert run(capsys, "plan", "--out", "plan.json", "chats").code == 0
    data = json.loads((tmp_path / "plan.json").read_text())
    del data["wanted"]  # as written before plans recorded it
    data["digest"] = planfile.digest(data["changes"], data["target"])
    (tmp_path / "plan.json").write_text(json.dumps(data))
    emu.clear_calls()
    r = run(capsys, "apply", "--plan", "plan.json", "chats")
    assert r.code == 1 and "does not record what the chat files wanted" in r.err
    assert emu.calls() == []
    assert run(capsys, "apply", "--plan", "plan.json").code == 0  # without paths: as before


def test_the_recorded_files_are_covered_by_the_digest(emulator_factory, monkeypatch, tmp_path, capsys):
    start_apply_env(emulator_factory, monkeypatch, tmp_path, LIVE, BRANCH_B)
    assert run(capsys, "plan", "--out", "plan.json", "chats").code == 0
    data = json.loads((tmp_path / "plan.json").read_text())
    assert data["wanted"]["chats"]["ychat"]["members"] == ["alice", "bob"]
    data["wanted"]["chats"]["ychat"]["members"] = ["alice", "bob", "erin"]  # hide the revert
    (tmp_path / "plan.json").write_text(json.dumps(data))
    r = run(capsys, "apply", "--plan", "plan.json", "chats")
    assert r.code == 1 and "edited" in r.err


def test_files_that_no_longer_define_a_planned_chat_refuse_it(emulator_factory, monkeypatch, tmp_path, capsys):
    emu = start_apply_env(emulator_factory, monkeypatch, tmp_path, LIVE, MAIN)
    assert run(capsys, "plan", "--out", "plan.json", "chats").code == 0
    write_chats(tmp_path, MAIN[1:])
    emu.clear_calls()
    r = run(capsys, "apply", "--plan", "plan.json", "chats")
    assert r.code == 1 and "the files no longer define xchat" in r.err
    assert writes(emu) == []


def test_a_membership_that_ended_since_the_plan_names_the_date(emulator_factory, monkeypatch, tmp_path, capsys):
    emu = start_apply_env(emulator_factory, monkeypatch, tmp_path, LIVE, [])
    (tmp_path / "chats" / "chats.yaml").write_text(
        "chats:\n  ychat:\n    name: Y\n    owner: alice\n"
        "    members: [alice, bob, erin, {user: carol, until: 2030-01-31}]\n", encoding="utf-8")
    assert run(capsys, "plan", "--out", "plan.json", "chats", "--today", "2030-01-30").code == 0
    emu.clear_calls()
    r = run(capsys, "apply", "--plan", "plan.json", "chats", "--today", "2030-02-01")
    assert r.code == 1
    assert "the files no longer want carol in ychat; this plan adds carol" in r.err
    assert "the date changed (2030-01-30 then, 2030-02-01 now)" in r.err
    assert writes(emu) == []
    r = run(capsys, "apply", "--plan", "plan.json", "chats", "--today", "2030-01-31")
    assert r.code == 0, r.err  # the same day's files want what was planned
    assert "carol" in state(emu, "ychat")["userlist"]


ORG = {
    "departments": [{"id": 1, "name": "Acme", "parentid": 0}, {"id": 3, "name": "SRE", "parentid": 1}],
    "users": [{"userid": "bob", "name": "Bob", "department": [3]},
              {"userid": "carol", "name": "Carol", "department": [3]},
              {"userid": "dan", "name": "Dan", "department": [3]},
              {"userid": "erin", "name": "Erin", "department": [1]}],
    "chats": [chat("sre", ["bob", "erin"], owner="bob", name="SRE")],
}


def test_a_directory_that_moved_someone_since_the_plan_is_named(emulator_factory, monkeypatch, tmp_path, capsys):
    emu = start_apply_env(emulator_factory, monkeypatch, tmp_path, ORG, [])
    (tmp_path / "chats" / "chats.yaml").write_text(
        "chats:\n  sre:\n    name: SRE\n    owner: bob\n    members: [dept:3]\n", encoding="utf-8")
    assert run(capsys, "plan", "--out", "plan.json", "chats").code == 0  # + carol, dan, - erin
    moved = json.loads(json.dumps(ORG))
    moved["users"][1]["department"] = [1]  # carol left SRE after the review
    emu.reset(seed=moved)
    emu.clear_calls()
    r = run(capsys, "apply", "--plan", "plan.json", "chats")
    assert r.code == 1
    assert "the files no longer want carol in sre; this plan adds carol (the directory changed)" in r.err
    assert writes(emu) == []
    assert state(emu, "sre")["userlist"] == ["bob", "erin"]


def test_a_prune_false_chat_records_whom_the_files_remove(emulator_factory, monkeypatch, tmp_path, capsys):
    emu = start_apply_env(emulator_factory, monkeypatch, tmp_path, LIVE, [])
    (tmp_path / "chats" / "chats.yaml").write_text(
        "chats:\n  ychat:\n    name: Y\n    owner: alice\n    prune: false\n"
        "    members: [alice, bob, dave]\n    exclude: [erin]\n", encoding="utf-8")
    assert run(capsys, "plan", "--out", "plan.json", "chats").code == 0
    assert json.loads((tmp_path / "plan.json").read_text())["wanted"]["chats"]["ychat"]["removes"] == ["erin"]
    (tmp_path / "chats" / "chats.yaml").write_text(
        "chats:\n  ychat:\n    name: Y\n    owner: alice\n    prune: false\n"
        "    members: [alice, bob, dave]\n", encoding="utf-8")  # someone took the exclude back
    emu.clear_calls()
    r = run(capsys, "apply", "--plan", "plan.json", "chats")
    assert r.code == 1 and "the files no longer name erin for removal from ychat; this plan does" in r.err
    assert writes(emu) == []


def test_a_saved_plan_and_the_apply_report_match_their_published_schemas(emulator_factory, monkeypatch, tmp_path,
                                                                        capsys):
    import jsonschema

    from tests.helpers import REPO

    _plan_from_branch_b(emulator_factory, monkeypatch, tmp_path, capsys)
    schema = json.loads((REPO / "schemas" / "plan.schema.json").read_text("utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    saved = json.loads((tmp_path / "plan.json").read_text())
    jsonschema.validate(saved, schema)
    saved["wanted"]["chats"]["ychat"]["members"] = "erin"
    try:
        jsonschema.validate(saved, schema)
    except jsonschema.ValidationError:
        pass
    else:
        raise AssertionError("the schema accepts a `wanted` whose members are not a list")


def test_a_chat_the_plan_leaves_unchanged_may_want_more_now(emulator_factory, monkeypatch, tmp_path, capsys):
    # A branch adds dave to xchat and leaves ychat alone; main meanwhile adds
    # carol to ychat. The plan removes nobody main wants: it applies, and ychat
    # is left to the run that plans main (the recipes' check after apply names it).
    before = [chat("xchat", ["alice", "bob"], owner="alice", name="X"), BRANCH_B[1]]
    emu = start_apply_env(emulator_factory, monkeypatch, tmp_path, {"chats": before}, BRANCH_B)
    assert run(capsys, "plan", "--out", "plan.json", "chats").code == 0
    write_chats(tmp_path, [MAIN[0], chat("ychat", ["alice", "bob", "carol"], owner="alice", name="Y")])
    r = run(capsys, "apply", "--plan", "plan.json", "chats")
    assert r.code == 0, r.err
    assert state(emu, "xchat")["userlist"] == ["alice", "bob", "dave"]
    assert state(emu, "ychat")["userlist"] == ["alice", "bob"]
