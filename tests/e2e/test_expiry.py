"""Memberships that end, end to end against the emulator with --today:
applied while they hold, removed (and explained) the day after, in every
format, and a re-run converges."""

from __future__ import annotations

import textwrap

import pytest

from tests.helpers import run_in_process as run
from tests.helpers import wecom_env
from tests.samples import OPS_WITH_CONTRACTOR

FILES = "\n" + OPS_WITH_CONTRACTOR + "    prune: false\n"  # its lines as the tests locate them


@pytest.fixture
def setup(emulator_factory, monkeypatch, tmp_path):
    emu = emulator_factory(seed={"users": ["alice", "bob", "vera", "hand"],
                                 "chats": [{"chatid": "ops", "name": "Ops", "owner": "alice",
                                            "userlist": ["alice", "bob", "hand"]}]})
    wecom_env(monkeypatch, emu)
    monkeypatch.setenv("APPCHAT_LOCK_DIR", str(tmp_path))
    path = tmp_path / "chats.yaml"
    path.write_text(textwrap.dedent(FILES), encoding="utf-8")
    return emu, path


def test_a_membership_holds_until_its_last_day_then_ends_by_itself(setup, capsys):
    emu, path = setup
    assert run(capsys, "apply", path, "--yes", "--today", "2027-01-31").code == 0
    assert sorted(emu.chat("ops")["userlist"]) == ["alice", "bob", "hand", "vera"]

    r = run(capsys, "plan", path, "--today", "2027-02-01", "--detailed-exitcode")
    assert r.code == 2
    assert "- vera  (expired 2027-01-31: contractor, INC-42)" in r.out
    assert "- hand" not in r.out  # prune: false keeps whom the files never named
    r = run(capsys, "plan", path, "--today", "2027-02-01", "--format", "markdown")
    assert "<code>vera</code> (expired 2027-01-31: contractor, INC-42)" in r.out
    r = run(capsys, "plan", path, "--today", "2027-02-01", "--format", "json")
    (change,) = r.json()["changes"]
    assert change["expired"] == [{"user_id": "vera", "until": "2027-01-31", "reason": "contractor, INC-42",
                                  "source": f"{path}:9:10"}]
    assert change["calls"][0]["body"] == {"chatid": "ops", "del_user_list": ["vera"]}

    assert run(capsys, "apply", path, "--yes", "--today", "2027-02-01").code == 0
    assert sorted(emu.chat("ops")["userlist"]) == ["alice", "bob", "hand"]
    r = run(capsys, "plan", path, "--today", "2027-02-01", "--detailed-exitcode")
    assert r.code == 0 and "No changes" in r.out
    assert "warning: the membership of vera ended 2027-01-31" in r.err


def test_a_plan_warns_of_what_ends_within_the_week(setup, capsys):
    _, path = setup
    run(capsys, "apply", path, "--yes", "--today", "2027-01-20")
    r = run(capsys, "plan", path, "--today", "2027-01-25", "--detailed-exitcode")
    assert r.code == 0  # nothing to change yet, but a heads-up
    assert "! ops: membership of vera ends 2027-01-31: contractor, INC-42" in r.out
    r = run(capsys, "plan", path, "--today", "2027-01-23", "--format", "json")
    assert "expiring" not in r.json()  # 8 days before: no warning yet
