"""`appchat emulator --seed` takes chat files too (a file, or a directory of
them with their groups), so a newcomer can start the emulator from the
repository's own files; `plan` on the same files then shows no changes.
Chat files seed no directory, so dept:/tag: entries are refused."""

from __future__ import annotations

import pytest
import requests

from tests.emulator.test_cli import Proc
from tests.helpers import run_cli

GROUPS = "groups:\n  sre: [alice, Bob]\n  oncall: ['@sre', carol]\n"
CHATS = """\
chats:
  sreoncall:
    name: SRE On-call
    owner: alice
    members: ["@oncall", dave, {user: vera, until: 2099-01-31, reason: contractor}]
    exclude: [carol]
  team:
    name: Team
    owner: erin
    members:
      - erin
      - frank
"""


def _members(proc: Proc, chat_id: str) -> dict:
    token = proc.token()["access_token"]
    return requests.get(proc.base + "appchat/get", params={"access_token": token, "chatid": chat_id},
                        timeout=10).json()["chat_info"]


@pytest.mark.parametrize("layout", ["directory", "one file"])
def test_chat_files_seed_the_emulator_and_plan_then_shows_no_changes(tmp_path, layout):
    if layout == "directory":
        (tmp_path / "groups.yaml").write_text(GROUPS, encoding="utf-8")
        (tmp_path / "chats.yaml").write_text(CHATS, encoding="utf-8")
        seed = tmp_path
    else:
        seed = tmp_path / "all.yaml"
        seed.write_text(GROUPS + CHATS, encoding="utf-8")
    proc = Proc("--seed", str(seed))
    try:
        info = _members(proc, "sreoncall")
        assert (info["name"], info["owner"]) == ("SRE On-call", "alice")
        assert info["userlist"] == ["Bob", "alice", "dave", "vera"]  # groups expanded, carol excluded
        assert _members(proc, "team")["userlist"] == ["erin", "frank"]
        env = {"WECOM_CORP_ID": "wwdemo", "WECOM_CORP_SECRET": "demo-secret", "WECOM_API_BASE": proc.base}
        code, out, err = run_cli(["plan", seed, "--detailed-exitcode", "--today", "2027-01-01"], env)
        assert code == 0, out + err
    finally:
        assert proc.stop()[0] == 0


def test_a_chat_file_seed_with_dept_or_tag_entries_is_refused_at_the_entry(tmp_path):
    (tmp_path / "groups.yaml").write_text("groups:\n  staff: [alice, 'tag:4']\n", encoding="utf-8")
    (tmp_path / "chats.yaml").write_text(
        "chats:\n  eng:\n    name: Eng\n    owner: alice\n    members: [alice, bob, '@staff']\n", encoding="utf-8")
    code, out, err = run_cli(["emulator", "--port", "0", "--seed", tmp_path], timeout=30)
    assert code == 1 and out == ""
    assert err == (f"appchat emulator: error: seed: {tmp_path}/groups.yaml:2:18: chat 'eng': tag:4 needs a directory, "
                   f"and a seed of chat files has none; seed the emulator with departments, users and tags instead "
                   f"(docs/emulator.md)\n")


def test_invalid_chat_files_are_refused_as_a_seed_with_the_first_error(tmp_path):
    (tmp_path / "a.yaml").write_text("chats:\n  ab:\n    name: X\n    owner: zed\n    members: [a, b]\n",
                                     encoding="utf-8")
    code, out, err = run_cli(["emulator", "--port", "0", "--seed", tmp_path / "a.yaml"], timeout=30)
    assert code == 1 and out == ""
    assert err == (f"appchat emulator: error: seed: {tmp_path}/a.yaml:4:12: error: owner 'zed' is not a member of "
                   f"chat 'ab'\n")
