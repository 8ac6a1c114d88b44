"""WeCom's hourly budget of chat changes splits a big apply across runs.
From paths (the scheduled reconcile), the chats past the budget are
reported as deferred and do not fail the run: the next run plans them
again. From a saved plan they do (exit 1): what is left must be planned
again. Against the emulator over HTTP, its own change quota lowered to the
tool's scaled-down budget, so a call past it would be refused (45009)."""

from __future__ import annotations

import pytest

from tests.app.support import ok_writes, run, start_apply_env, writes
from tests.app.test_apply_converge import _updates_only

from reconciler.core import writequotas

BUDGET = 3  # WeCom's 1,000 chat changes an hour, scaled down in the tool and the emulator alike


@pytest.fixture
def five_chats(emulator_factory, monkeypatch, tmp_path):
    seed, desired = _updates_only(5)
    emu = start_apply_env(emulator_factory, monkeypatch, tmp_path, seed, desired, changes_per_hour=BUDGET)
    monkeypatch.setattr(writequotas, "CHAT_CHANGES_PER_HOUR", BUDGET)
    return emu


def test_chats_past_the_hourly_budget_are_deferred_not_failed_and_the_next_run_finishes(five_chats, capsys):
    emu = five_chats
    r = run(capsys, "apply", "--yes", "--format", "json", "chats")
    assert r.code == 0, r.out + r.err
    report = r.json()
    assert report["deferred"] == ["c03", "c04"]
    assert report["summary"]["deferred"] == 2 and report["summary"]["applied"] == 3
    assert {o["chat_id"]: o["status"] for o in report["outcomes"]}["c03"] == "skipped"
    assert all("a later run applies it" in o["message"] for o in report["outcomes"] if o["chat_id"] in ("c03", "c04"))
    assert not [c for c in writes(emu) if c["errcode"] != 0]  # nothing was sent past the budget
    assert sorted(c["body"]["chatid"] for c in ok_writes(emu)) == ["c00", "c01", "c02"]

    emu.set_limits(changes_per_hour=2 * BUDGET)  # the next hour: the window has room again
    emu.clear_calls()
    r = run(capsys, "apply", "--yes", "chats")
    assert r.code == 0, r.out + r.err
    assert "Deferred" not in r.out
    assert sorted(c["body"]["chatid"] for c in ok_writes(emu)) == ["c03", "c04"]
    assert run(capsys, "plan", "--detailed-exitcode", "chats").code == 0


def test_text_report_names_the_deferred_chats_as_not_failures(five_chats, capsys):
    r = run(capsys, "apply", "--yes", "chats")
    assert r.code == 0
    assert "3 applied, 0 failed, 2 skipped, 2 of them deferred" in r.out
    assert "Deferred by WeCom's hourly budget: c03, c04." in r.out


def test_a_saved_plan_past_the_budget_still_exits_1_to_be_planned_again(five_chats, capsys, tmp_path):
    emu = five_chats
    plan = tmp_path / "plan.json"
    assert run(capsys, "plan", "--out", str(plan), "chats").code == 0
    r = run(capsys, "apply", "--plan", str(plan), "--format", "json")
    assert r.code == 1
    report = r.json()
    assert report["deferred"] == ["c03", "c04"]
    assert all("plan again" in o["message"] for o in report["outcomes"] if o["chat_id"] in ("c03", "c04"))
    assert sorted(c["body"]["chatid"] for c in ok_writes(emu)) == ["c00", "c01", "c02"]
