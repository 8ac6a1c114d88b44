"""`appchat who`: a person's chats according to the files (and through
which groups), and with --live according to WeCom (the emulator), with the
disagreements marked."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from tests.helpers import env_for

from reconciler.cli import main
from reconciler.core.userchats import MEMBER, MISSING, NOT_MEMBER, UNREADABLE, membership
from reconciler.core.model import LiveChat, ReadError, Source
from tests.builders import desired

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def in_repo(monkeypatch):
    monkeypatch.chdir(REPO)
    for var in ("WECOM_CORP_ID", "WECOM_CORP_SECRET", "WECOM_API_BASE", "NO_COLOR"):
        monkeypatch.delenv(var, raising=False)


# ---- the pure core ------------------------------------------------------------

HERE, DIRECT = Source("c.yaml", 1, 3), ((),)
CHATS = [desired("aa", "u v", "u", "AA", source=HERE, via={"u": DIRECT, "v": DIRECT}),
         desired("bb", "u v", "v", "BB", source=HERE, via={"u": (("g", "h"),), "v": DIRECT}),
         desired("cc", "v w", "v", "CC", source=HERE, via={"v": DIRECT, "w": DIRECT}),
         desired("dd", "u w", "u", "DD", source=HERE, via={"u": DIRECT, "w": DIRECT}),
         desired("ee", "u v", "u", "EE", source=HERE, via={"u": DIRECT, "v": DIRECT})]


def test_offline_rows_only_the_users_chats():
    rows = membership("u", CHATS)
    assert [(r.chat_id, r.owner, r.via, r.live, r.agrees) for r in rows] == [
        ("aa", True, ((),), None, None), ("bb", False, (("g", "h"),), None, None),
        ("dd", True, ((),), None, None), ("ee", True, ((),), None, None)]


def test_live_rows_mark_each_kind_of_disagreement():
    live = {"aa": LiveChat("aa", "AA", "u", frozenset({"u", "v"})),       # agrees
            "bb": LiveChat("bb", "BB", "v", frozenset({"v", "x"})),       # in files, not in WeCom
            "cc": LiveChat("cc", "CC", "u", frozenset({"u", "v", "w"})),  # in WeCom, not in files (owner)
            "dd": None,                                                    # chat missing
            "ee": ReadError("ee", 86008, "chat was not created by this app")}
    rows = {r.chat_id: r for r in membership("u", CHATS, live)}
    assert {k: (r.in_files, r.live, r.live_owner, r.agrees) for k, r in rows.items()} == {
        "aa": (True, MEMBER, True, True), "bb": (True, NOT_MEMBER, False, False),
        "cc": (False, MEMBER, True, False), "dd": (True, MISSING, None, False),
        "ee": (True, UNREADABLE, None, False)}


def test_owner_only_disagreement():
    live = {"aa": LiveChat("aa", "AA", "v", frozenset({"u", "v"}))}
    (row,) = membership("u", CHATS[:1], live)
    assert row.in_files and row.live == MEMBER and row.owner and row.live_owner is False and row.agrees is False


# ---- offline command --------------------------------------------------------------

def test_who_text_shows_chats_groups_and_owner(in_repo, capsys):
    assert main(["who", "alice"]) == 0
    out, err = capsys.readouterr()
    assert err == ""
    assert out.splitlines() == [
        "alice: 4 chats in the files; 1 more chat has dept:/tag: entries that may bring alice in "
        "(--live resolves them)",
        "groups: @leads, @oncall, @platform, @sre",
        "  incidents     生产事故 Incidents         via @leads, via @platform > @sre",
        "  projphoenix   Project Phoenix            via @sre",
        "  releasetrain  Release Train              via @leads, via @platform > @sre",
        "  rnd           研发中心 All hands         maybe: dept:2 (--live resolves)",
        "  sreoncall     SRE On-call         owner  via @leads, via @oncall > @sre"]


def test_who_direct_member(in_repo, capsys):
    assert main(["who", "heidi", "chats"]) == 0
    assert capsys.readouterr().out.splitlines() == [
        "heidi: 1 chat in the files; 1 more chat has dept:/tag: entries that may bring heidi in "
        "(--live resolves them)",
        "  incidents  生产事故 Incidents         direct",
        "  rnd        研发中心 All hands         maybe: dept:2 (--live resolves)"]


def test_who_json(in_repo, capsys):
    assert main(["who", "dave", "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data == {"format_version": 1, "user_id": "dave", "groups": ["oncall"], "chats": [
        {"chat_id": "rnd", "name": "研发中心 All hands", "source": "chats/engineering.yaml:7", "in_files": False,
         "owner": False, "direct": False, "via": [],
         "unresolved": [{"entry": "dept:2", "via": [], "source": "chats/engineering.yaml:10:15"}]},
        {"chat_id": "sreoncall", "name": "SRE On-call", "source": "chats/sre.yaml:3", "in_files": True,
         "owner": False, "direct": False, "via": [["oncall"]]}]}


def test_who_nobody(in_repo, capsys):
    assert main(["who", "nobody"]) == 0
    assert capsys.readouterr().out.splitlines() == [
        "nobody: named in no chat in the files; 1 chat has dept:/tag: entries that may bring nobody in "
        "(--live resolves them)",
        "  rnd  研发中心 All hands         maybe: dept:2 (--live resolves)"]


def test_who_with_invalid_files_exits_1(tmp_path, monkeypatch, capsys):
    (tmp_path / "a.yaml").write_text("chats:\n  ab:\n    name: X\n    owner: a\n    members: [a, off]\n")
    monkeypatch.chdir(tmp_path)
    assert main(["who", "a", "a.yaml"]) == 1
    out, err = capsys.readouterr()
    assert out == "" and err.startswith("a.yaml:5:18: error: ")


def test_who_offline_needs_no_credentials(in_repo, capsys):
    assert main(["who", "bob"]) == 0  # no WECOM_* set, no network


# ---- --live against the emulator --------------------------------------------------------

SEED = {"chats": [
    {"chatid": "sreoncall", "name": "SRE On-call", "owner": "alice",
     "userlist": ["alice", "bob", "chen.wei", "dave", "erin", "mallory"]},
    {"chatid": "releasetrain", "name": "Release Train", "owner": "grace",
     "userlist": ["grace", "frank", "bob", "chen.wei", "erin", "ivan"]},
],
    "foreign_chats": [{"chatid": "incidents", "name": "x", "owner": "bob", "userlist": ["bob", "alice"]}]}


@pytest.fixture
def live_env(in_repo, emulator_factory, monkeypatch):
    emu = emulator_factory(seed=SEED)
    for key, value in env_for(emu).items():
        monkeypatch.setenv(key, value)
    return emu


def test_who_live_marks_disagreements(live_env, capsys):
    code = main(["who", "alice", "--live"])
    out, err = capsys.readouterr()
    assert code == 1  # one chat could not be read
    lines = out.splitlines()
    assert lines[0] == "alice: 4 chats in the files, 1 in WeCom (of the chats named in the files)"
    rows = {line.split()[0]: line for line in lines[2:]}
    assert rows["sreoncall"].endswith("owner  via @leads, via @oncall > @sre  in WeCom too")
    assert rows["releasetrain"].endswith("DISAGREE: in files, not in WeCom")
    assert rows["projphoenix"].endswith("DISAGREE: chat does not exist in WeCom")
    assert "unreadable (86008: " in rows["incidents"]
    assert "test-secret" not in out + err
    calls = live_env.call_counts()
    assert calls.get("appchat/get") == 5 and not any(k.startswith("appchat/") and k != "appchat/get" for k in calls)


def test_who_live_shows_chats_only_wecom_has_them_in(live_env, capsys):
    assert main(["who", "mallory", "--live", "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert [(c["chat_id"], c["in_files"], c["live"]["state"], c["agrees"]) for c in data["chats"]] == [
        ("sreoncall", False, "member", False)]


def test_who_live_without_credentials_exits_1(in_repo, capsys):
    assert main(["who", "alice", "--live"]) == 1
    out, err = capsys.readouterr()
    assert out == "" and "WECOM_CORP_ID is not set" in err


def test_who_shows_each_end_date_and_an_ended_membership_beside_a_live_one(tmp_path, capsys):
    (tmp_path / "c.yaml").write_text(
        "groups:\n  vendors: [{user: vera, until: 2026-11-30, reason: first contract}]\n"
        "chats:\n  ops:\n    name: Ops\n    owner: a\n    members:\n      - a\n      - b\n"
        "      - {user: vera, until: 2027-01-31, reason: contractor}\n      - '@vendors'\n", encoding="utf-8")
    assert main(["who", "vera", str(tmp_path), "--today", "2026-12-01"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("vera: 1 chat in the files")
    assert "until 2027-01-31: contractor, ended 2026-11-30 (first contract)" in out
    assert main(["who", "vera", str(tmp_path), "--today", "2027-02-01"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("vera: 0 chats in the files") and "ended 2027-01-31 (contractor)" in out


# ---- offline, with dept:/tag: entries ---------------------------------------------

DIRECTORY_CHATS = """\
groups:
  staff: ["tag:7"]
chats:
  eng:
    name: Eng
    owner: alice
    members: [alice, "dept:2"]
  ops:
    name: Ops
    owner: alice
    members: [alice, carol, "@staff"]
  gone:
    name: Gone
    owner: alice
    members: [alice, carol, {dept: 4, until: 2020-01-01}]
"""


def test_offline_who_never_says_0_chats_while_dept_or_tag_entries_may_bring_the_user_in(tmp_path, capsys, monkeypatch):
    (tmp_path / "c.yaml").write_text(DIRECTORY_CHATS, encoding="utf-8")
    monkeypatch.delenv("NO_COLOR", raising=False)
    assert main(["who", "bob", str(tmp_path), "--today", "2026-01-01"]) == 0
    out = capsys.readouterr().out
    assert "0 chats" not in out
    assert out.splitlines() == [
        "bob: named in no chat in the files; 2 chats have dept:/tag: entries that may bring bob in "
        "(--live resolves them)",
        "  eng  Eng         maybe: dept:2 (--live resolves)",
        "  ops  Ops         maybe: via @staff tag:7 (--live resolves)"]  # not `gone`: its entry has ended
    assert main(["who", "carol", str(tmp_path), "--today", "2026-01-01", "--format", "json"]) == 0
    chats = {c["chat_id"]: c for c in json.loads(capsys.readouterr().out)["chats"]}
    assert chats["eng"]["in_files"] is False
    assert chats["eng"]["unresolved"] == [{"entry": "dept:2", "via": [], "source": f"{tmp_path}/c.yaml:7:22"}]
    assert chats["ops"]["in_files"] is True and "unresolved" not in chats["ops"]

