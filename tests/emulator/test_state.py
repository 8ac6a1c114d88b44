"""State: SQLite persistence across emulators, seeds in YAML and JSON, reset."""

import json

import pytest
from tests.helpers import RawApi

from reconciler.emulator import Emulator, EmulatorConfig, SeedError

SEED_YAML = """\
users: [alice, bob, carol]
chats:
  - {chatid: team, name: Team, owner: alice, userlist: [alice, bob]}
foreign_chats:
  - {chatid: legacy, name: Legacy, owner: bob, userlist: [bob, carol]}
"""


def test_state_file_survives_a_restart(tmp_path):
    state = str(tmp_path / "state.sqlite")
    with Emulator(EmulatorConfig(state_path=state, seed={"users": ["alice", "bob", "carol"]})) as first:
        api = RawApi(first)
        assert api.create("team", "Team", "alice", ["alice", "bob"])["errcode"] == 0
        assert api.update("team", add_user_list=["carol"])["errcode"] == 0
    with Emulator(EmulatorConfig(state_path=state)) as second:
        api = RawApi(second)
        info = api.get("team")["chat_info"]
        assert info["userlist"] == ["alice", "bob", "carol"]
        # the directory persisted too
        assert api.update("team", add_user_list=["zed"])["errcode"] == 86216


def test_existing_state_is_not_reseeded(tmp_path):
    state = str(tmp_path / "state.sqlite")
    seed = {"chats": [{"chatid": "team", "name": "Seeded", "owner": "a", "userlist": ["a", "b"]}]}
    with Emulator(EmulatorConfig(state_path=state, seed=seed)) as first:
        assert RawApi(first).update("team", name="Changed")["errcode"] == 0
    with Emulator(EmulatorConfig(state_path=state, seed=seed)) as second:
        assert second.chat("team")["name"] == "Changed"
        second.reset()  # an explicit reset does apply the seed
        assert second.chat("team")["name"] == "Seeded"


def test_memory_state_is_private_to_each_emulator(emulator_factory):
    a, b = emulator_factory(), emulator_factory()
    assert RawApi(a).create("team")["errcode"] == 0
    assert b.chat("team") is None


@pytest.mark.parametrize("suffix", ["yaml", "json"])
def test_seed_files(tmp_path, emulator_factory, suffix):
    import yaml

    path = tmp_path / f"seed.{suffix}"
    data = yaml.safe_load(SEED_YAML)
    path.write_text(SEED_YAML if suffix == "yaml" else json.dumps(data), encoding="utf-8")
    emu = emulator_factory(seed=str(path))
    api = RawApi(emu)
    assert api.get("team")["chat_info"]["userlist"] == ["alice", "bob"]
    assert api.get("legacy")["errcode"] == 86008
    assert emu.chat("legacy")["foreign"] is True
    assert api.update("team", add_user_list=["dave"])["errcode"] == 86216


@pytest.mark.parametrize("seed, words", [
    ({"chats": [{"chatid": "bad-id", "owner": "a", "userlist": ["a", "b"]}]}, "invalid chatid"),
    ({"chats": [{"chatid": "t", "owner": "c", "userlist": ["a", "b"]}]}, "not in userlist"),
    ({"chats": [{"chatid": "t", "userlist": ["a", "b"], "colour": "red"}]}, "unknown keys"),
    ({"users": "alice"}, "users must be a list"),
    ({"groups": {}}, "unknown keys"),
    ({"chats": [{"chatid": "t", "owner": "a", "userlist": ["a", "b"]}],
      "foreign_chats": [{"chatid": "t", "owner": "a", "userlist": ["a", "b"]}]}, "seeded twice"),
])
def test_bad_seeds_are_refused_with_a_reason(seed, words):
    with pytest.raises(SeedError, match=words):
        Emulator(EmulatorConfig(seed=seed))


def test_unreadable_seed_file(tmp_path):
    with pytest.raises(SeedError, match="missing.yaml"):
        Emulator(EmulatorConfig(seed=str(tmp_path / "missing.yaml")))
    broken = tmp_path / "broken.yaml"
    broken.write_text("users: [alice\n", encoding="utf-8")
    with pytest.raises(SeedError, match="broken.yaml"):
        Emulator(EmulatorConfig(seed=str(broken)))


def test_reset_with_a_new_seed(emulator_factory):
    emu = emulator_factory(seed={"chats": [{"chatid": "one", "owner": "a", "userlist": ["a", "b"]}]})
    RawApi(emu).create("two")
    emu.reset(seed={"chats": [{"chatid": "three", "owner": "a", "userlist": ["a", "b"]}]})
    assert emu.chat_ids() == ["three"]
    emu.reset()  # the last seed given stays the seed
    assert emu.chat_ids() == ["three"]


def test_a_state_file_with_a_table_of_a_later_version_is_still_ours(tmp_path):
    # only a database without the emulator's own tables is refused (issue 12);
    # a table a later version adds is no reason
    import sqlite3
    state = str(tmp_path / "state.sqlite")
    with Emulator(EmulatorConfig(state_path=state, seed={"chats": [
            {"chatid": "team", "name": "Team", "owner": "alice", "userlist": ["alice", "bob"]}]})):
        pass
    with sqlite3.connect(state) as db:
        db.execute("CREATE TABLE from_a_later_version (id INTEGER PRIMARY KEY, data TEXT)")
    db.close()
    with Emulator(EmulatorConfig(state_path=state)) as again:
        assert again.chat("team")["userlist"] == ["alice", "bob"]
