"""`appchat import`: live chats -> a chat file that plans with no changes;
all or nothing when a chat cannot be read."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from tests.cli.plan_fixtures import posts, run, wecom_env

NAME = 'Ops "night" 值班 #1: a: b'
SEED = {
    "chats": [
        {"chatid": "ops", "name": NAME, "owner": "no", "userlist": ["zed", "no", "007", "on", "alice", "1e3"]},
        {"chatid": "123", "name": "Digits", "owner": "alice", "userlist": ["bob", "alice"]},
        {"chatid": "team", "name": "Team", "owner": "bob", "userlist": ["carol", "bob", "alice"]},
    ],
    "foreign_chats": [{"chatid": "legacy", "name": "Legacy", "owner": "alice", "userlist": ["alice", "bob"]}],
}


@pytest.fixture
def emu(emulator_factory):
    return emulator_factory(seed=SEED)


@pytest.fixture
def cwd(tmp_path, emu, monkeypatch):
    monkeypatch.chdir(tmp_path)
    wecom_env(monkeypatch, emu)
    (tmp_path / "chats").mkdir()
    return tmp_path


def test_import_round_trip_plans_no_changes(cwd, emu, capsys):
    r = run(capsys, "import", "ops", "123", "team", "-o", "chats/imported.yaml")
    assert r.code == 0, r.err
    assert r.out == ""
    text = Path("chats/imported.yaml").read_text(encoding="utf-8")
    assert text.startswith("# yaml-language-server: $schema=")
    data = yaml.safe_load(text)
    assert list(data) == ["chats"]
    assert list(data["chats"]) == ["123", "ops", "team"]  # keyed by id, as strings
    ops = data["chats"]["ops"]
    assert ops == {"name": NAME, "owner": "no", "members": ["007", "1e3", "alice", "no", "on", "zed"]}
    assert data["chats"]["team"]["members"] == ["alice", "bob", "carol"]

    emu.clear_calls()
    r = run(capsys, "plan", "chats", "--detailed-exitcode", "--format", "json")
    assert r.code == 0, r.out + r.err
    assert r.json()["unchanged"] == ["123", "ops", "team"]
    assert posts(emu) == []


def test_import_to_stdout(cwd, capsys):
    r = run(capsys, "import", "team")
    assert r.code == 0, r.err
    assert r.out.startswith("# yaml-language-server: $schema=")
    assert yaml.safe_load(r.out)["chats"]["team"] == {"name": "Team", "owner": "bob",
                                                     "members": ["alice", "bob", "carol"]}


def test_schema_line_points_at_the_nearest_schema(cwd, capsys):
    (cwd / "schemas").mkdir()
    (cwd / "schemas" / "chats.schema.json").write_text("{}", encoding="utf-8")
    (cwd / "chats" / "deep").mkdir()
    assert run(capsys, "import", "team", "-o", "chats/deep/t.yaml").code == 0
    first = Path("chats/deep/t.yaml").read_text(encoding="utf-8").splitlines()[0]
    assert first == "# yaml-language-server: $schema=../../schemas/chats.schema.json"


def test_ids_from_file(cwd, capsys):
    Path("ids.txt").write_text("# chats to adopt\nteam\n\n123  # the digits one\n", encoding="utf-8")
    r = run(capsys, "import", "--ids-from", "ids.txt", "ops", "-o", "chats/x.yaml")
    assert r.code == 0, r.err
    assert sorted(yaml.safe_load(Path("chats/x.yaml").read_text(encoding="utf-8"))["chats"]) == ["123", "ops", "team"]


def test_unknown_chat_is_named_and_nothing_is_written(cwd, capsys):
    target = Path("chats/imported.yaml")
    target.write_text("# the user's file\n", encoding="utf-8")
    r = run(capsys, "import", "team", "ghost", "legacy", "-o", target)
    assert r.code == 1
    assert "ghost" in r.err and "86003" in r.err
    assert "legacy" in r.err and "86008" in r.err
    assert "team" not in r.err
    assert r.out == ""
    assert target.read_text(encoding="utf-8") == "# the user's file\n"  # untouched
    assert sorted(p.name for p in Path("chats").iterdir()) == ["imported.yaml"]  # no temp file left

    r = run(capsys, "import", "ghost")
    assert r.code == 1 and r.out == ""


def test_not_a_chat_id_is_refused_before_any_call(cwd, emu, capsys):
    emu.clear_calls()
    r = run(capsys, "import", "bad-id!", "team")
    assert r.code == 1
    assert "bad-id!" in r.err
    assert emu.calls() == []
    r = run(capsys, "import", "team\n")  # `$` matches before a final newline; the checker must not
    assert r.code == 1 and "'team\\n' is not a chat id" in r.err
    assert emu.calls() == []
    r = run(capsys, "import")
    assert r.code == 1 and "chat id" in r.err


def test_missing_secret_is_named(cwd, emu, monkeypatch, capsys):
    monkeypatch.delenv("WECOM_CORP_SECRET")
    r = run(capsys, "import", "team")
    assert r.code == 1
    assert "WECOM_CORP_SECRET" in r.err
    assert emu.calls() == []


def test_a_chat_the_files_cannot_express_is_refused(cwd):
    # WeCom lets members leave until one is left, and older chats may carry
    # names over 50 characters; a chat file allows neither. Checked with the
    # real loader before anything is written.
    from reconciler.app.importer import self_check as _self_check
    from reconciler.render.chatfile import render_chat_file
    from reconciler.core.model import LiveChat

    lonely = LiveChat("lonely", "Lonely", "alice", frozenset({"alice"}))
    fine = LiveChat("fine", "Fine", "alice", frozenset({"alice", "bob"}))
    problems = _self_check(render_chat_file([lonely, fine]), [lonely, fine])
    assert problems and all("lonely" in p for p in problems)
    assert _self_check(render_chat_file([fine]), [fine]) == []


def test_ids_from_a_missing_file_is_an_error_not_a_traceback(cwd, emu, capsys):
    emu.clear_calls()
    r = run(capsys, "import", "--ids-from", "nope.txt")
    assert r.code == 1
    assert "nope.txt" in r.err and "Traceback" not in r.err
    assert emu.calls() == []
