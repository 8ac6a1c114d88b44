"""The guards both ways, end to end: the CLI in process against the
emulator over HTTP, with a seeded directory of more than 1,000 people. What
matters is checked in the emulator's own call log: a guard that trips
means no write at all, never part of a refused plan."""

from __future__ import annotations

import textwrap

import pytest

from tests.app.support import ok_writes, writes
from tests.helpers import run_in_process as run
from tests.helpers import wecom_env

SRE = [f"sre{i:02d}" for i in range(12)]
STAFF = [f"s{i:04d}" for i in range(1001)]  # dept:1 brings in 1,001 people besides the SRE team
ORG = {
    "departments": [
        {"id": 1, "name": "Acme", "parentid": 0},
        {"id": 3, "name": "SRE", "parentid": 1},
        {"id": 5, "name": "Staff", "parentid": 1},
    ],
    "users": ([{"userid": u, "name": u.upper(), "department": [3]} for u in SRE]
              + [{"userid": u, "name": u.upper(), "department": [5]} for u in STAFF]),
    "chats": [{"chatid": "sre", "name": "SRE", "owner": "sre00", "userlist": SRE}],
}


def _files(tmp_path, members: str, chat_id: str = "sre", owner: str = "sre00", name: str = "SRE") -> str:
    path = tmp_path / "chats" / "chats.yaml"
    path.parent.mkdir(exist_ok=True)
    path.write_text(textwrap.dedent(f"""\
        chats:
          {chat_id}:
            name: {name}
            owner: {owner}
            members: [{members}]
        """), encoding="utf-8")
    return str(path.parent)


@pytest.fixture
def org(emulator_factory, monkeypatch, tmp_path):
    emu = emulator_factory(seed=ORG)
    wecom_env(monkeypatch, emu)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("APPCHAT_LOCK_DIR", str(tmp_path))
    return emu


def _unchanged(emu):
    assert writes(emu) == [], "a refused plan wrote something"
    assert sorted(emu.chat("sre")["userlist"]) == SRE


# ------------------------------------------------------------------ a dept:1 typo

def test_a_dept_1_typo_trips_the_addition_guard_with_zero_writes(org, capsys, tmp_path):
    chats = _files(tmp_path, "dept:1")  # meant dept:3
    r = run(capsys, "apply", "--yes", chats)
    assert r.code == 1
    assert "+ s0000" in r.out  # what it would have done was shown
    assert "mass-addition guard: 1 chat would gain more than 100% of its current members: sre (mass addition: " \
           "adds 1001 to 12 members (8341.7%))" in r.err
    assert "this run would add 1,001 members to existing chats in all, more than 1,000 (sre +1,001)" in r.err
    assert "Nothing was applied." in r.err
    _unchanged(org)


def test_the_refusal_carries_its_reasons_in_the_json_report(org, capsys, tmp_path):
    r = run(capsys, "apply", "--yes", "--format", "json", _files(tmp_path, "dept:1"))
    assert r.code == 1
    report = r.json()
    assert report["outcomes"] == []
    assert [x.split(":")[0] for x in report["refusals"]] == ["mass-addition guard", "mass-addition guard"]
    assert "--max-addition-ratio" in report["refusals"][0] and "--max-additions" in report["refusals"][1]
    _unchanged(org)


def test_plan_shows_the_same_as_warnings(org, capsys, tmp_path):
    chats = _files(tmp_path, "dept:1")
    r = run(capsys, "plan", "--format", "json", chats)
    assert r.code == 0, r.err
    data = r.json()
    assert data["changes"][0]["warnings"] == ["mass addition: adds 1001 to 12 members (8341.7%)"]
    assert [(g["option"], g["chat_id"], g["count"]) for g in data["guards"]] == [
        ("--max-addition-ratio", "sre", 1001), ("--max-additions", None, 1001)]
    text = run(capsys, "plan", chats).out
    assert "  ! mass addition: adds 1,001 members to existing chats in all, more than 1,000 (sre +1,001)\n" in text
    assert "  ! sre: mass addition: adds 1001 to 12 members (8341.7%)\n" in text
    markdown = run(capsys, "plan", "--format", "markdown", chats).out
    assert "- mass addition: adds 1,001 members to existing chats in all" in markdown
    assert writes(org) == []


def test_a_saved_plan_is_refused_the_same_and_force_applies_it_whole(org, capsys, tmp_path):
    chats = _files(tmp_path, "dept:1")
    assert run(capsys, "plan", "--out", "plan.json", chats).code == 0
    org.clear_calls()
    r = run(capsys, "apply", "--plan", "plan.json")
    assert r.code == 1 and "mass-addition guard" in r.err
    _unchanged(org)
    r = run(capsys, "apply", "--plan", "plan.json", "--force")
    assert r.code == 0, r.err
    assert "warning: --force: the mass-addition guard is overridden (sre: mass addition: adds 1001" in r.err
    assert len(org.chat("sre")["userlist"]) == 12 + 1001
    assert [c["path"] for c in ok_writes(org)] == ["appchat/update"]


def test_the_intended_department_passes(org, capsys, tmp_path):
    r = run(capsys, "apply", "--yes", _files(tmp_path, "dept:3, s0000, s0001"))
    assert r.code == 0, r.err
    assert sorted(org.chat("sre")["userlist"]) == sorted(SRE + ["s0000", "s0001"])


# ------------------------------------------------------------------ the lines, both ways

def _members(n: int, start: int = 0) -> str:
    return ", ".join(STAFF[start:start + n])


# (invariant, live members of `c`, members the files give it, options, refused)
LINES = [
    ("a chat of exactly 10 may double", 10, (0, 20), (), False),
    ("a chat of exactly 10 may not more than double", 10, (0, 21), (), True),
    ("a chat of 9 may more than double", 9, (0, 30), (), False),
    ("--max-addition-ratio moves the line", 10, (0, 25), ("--max-addition-ratio", "1.5"), False),
    ("--max-addition-ratio moves it down too", 10, (0, 16), ("--max-addition-ratio", "0.5"), True),
    ("--max-additions lowered refuses a small run", 5, (0, 9), ("--max-additions", "3"), True),
    ("exactly --max-additions passes", 5, (0, 9), ("--max-additions", "4"), False),
    ("exactly 30% removed passes", 10, (3, 10), (), False),
    ("more than 30% removed is refused", 10, (4, 10), (), True),
    ("a removal refused is not saved by room for additions", 10, (4, 10), ("--max-addition-ratio", "9"), True),
    ("--force overrides both guards", 10, (4, 40), ("--force",), False),
]


@pytest.mark.parametrize("case", LINES, ids=[c[0] for c in LINES])
def test_guard_lines(emulator_factory, monkeypatch, tmp_path, capsys, case):
    _, live, (start, end), options, refused = case
    seed = {**ORG, "chats": [{"chatid": "c", "name": "C", "owner": STAFF[start], "userlist": STAFF[:live]}]}
    emu = emulator_factory(seed=seed)
    wecom_env(monkeypatch, emu)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("APPCHAT_LOCK_DIR", str(tmp_path))
    chats = _files(tmp_path, _members(end - start, start), chat_id="c", owner=STAFF[start], name="C")
    r = run(capsys, "apply", "--yes", *options, chats)
    if refused:
        assert r.code == 1 and "guard" in r.err
        assert writes(emu) == []
        assert sorted(emu.chat("c")["userlist"]) == STAFF[:live]
    else:
        assert r.code == 0, r.err
        assert sorted(emu.chat("c")["userlist"]) == STAFF[start:end]


def test_ended_memberships_do_not_trip_the_removal_guard(emulator_factory, monkeypatch, tmp_path, capsys):
    # 6 of 10 leave because their `until` passed: reviewed with their date, so no refusal
    people = STAFF[:10]
    emu = emulator_factory(seed={**ORG, "chats": [{"chatid": "c", "name": "C", "owner": people[0],
                                                   "userlist": people}]})
    wecom_env(monkeypatch, emu)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("APPCHAT_LOCK_DIR", str(tmp_path))
    ended = ", ".join(f"{{user: {u}, until: 2027-01-31}}" for u in people[4:])
    chats = _files(tmp_path, f"{_members(4)}, {ended}", chat_id="c", owner=people[0], name="C")
    r = run(capsys, "apply", "--yes", "--today", "2027-02-01", chats)
    assert r.code == 0, r.err
    assert sorted(emu.chat("c")["userlist"]) == people[:4]


def test_help_quotes_the_defaults_from_the_guards(capsys):
    r = run(capsys, "apply", "--help")
    text = " ".join(r.out.split())
    for option, default in (("--max-removal-ratio", "0.3"), ("--max-addition-ratio", "1.0"), ("--max-additions", "1000")):
        assert option in text
        assert f"(default {default})" in text
