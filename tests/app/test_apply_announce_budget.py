"""`apply --announce` warns before its announcements would exceed WeCom's
message budget, and the emulator (on a clock that does not move, so every
message falls in one minute) then does what the warning said: a member's
excess dropped silently, the corp's excess refused with 45009."""

from __future__ import annotations

from tests.app.support import chat, run, start_apply_env, writes
from tests.helpers import FakeClock

WARNING = "warning: message budget: this run's announcements"


def _world(n_chats: int, members) -> tuple[dict, list[dict]]:
    seed = {"chats": [chat(f"c{i:03d}", members(i), owner="alice") for i in range(n_chats)]}
    desired = [chat(f"c{i:03d}", [*members(i), "newbie"], owner="alice") for i in range(n_chats)]
    return seed, desired


def test_a_member_past_200_announcements_is_warned_of_and_the_201st_is_dropped(emulator_factory, monkeypatch,
                                                                                tmp_path, capsys):
    seed, desired = _world(201, lambda i: ["alice", f"b{i}"])
    emu = start_apply_env(emulator_factory, monkeypatch, tmp_path, seed, desired, clock=FakeClock())
    r = run(capsys, "apply", "--yes", "--announce", "chats")
    assert r.code == 0, r.err
    [warning] = [line for line in r.err.splitlines() if line.startswith(WARNING)]
    assert "more than 200 times: alice (201), newbie (201)" in warning
    dropped = [m["undelivered"] for m in emu.messages() if m["undelivered"]]
    assert dropped == [["alice", "newbie"]]  # WeCom answered ok; the warning was the only notice


def test_announcements_past_20000_person_times_are_warned_of_and_the_excess_refused(emulator_factory, monkeypatch,
                                                                                    tmp_path, capsys):
    big = [f"u{j:04d}" for j in range(1998)]
    seed, desired = _world(11, lambda i: ["alice", *big])  # 11 chats of 1999, + newbie: 22,000 person-times
    emu = start_apply_env(emulator_factory, monkeypatch, tmp_path, seed, desired, clock=FakeClock())
    r = run(capsys, "apply", "--yes", "--announce", "chats")
    [warning] = [line for line in r.err.splitlines() if line.startswith(WARNING)]
    assert "count 22,000 person-times" in warning and "20,000 a minute" in warning
    assert r.err.index(WARNING) < r.err.index("announcement(s) could not be sent")  # said before, not after
    sends = [c for c in writes(emu) if c["path"] == "appchat/send"]
    # chats are written in parallel: which send is the 11th is not fixed, that one is
    assert sorted(c["errcode"] for c in sends) == [0] * 10 + [45009]
    assert r.code == 0  # the membership changes themselves were applied


def test_no_warning_without_announce_or_within_the_budget(emulator_factory, monkeypatch, tmp_path, capsys):
    seed, desired = _world(3, lambda i: ["alice", f"b{i}"])
    start_apply_env(emulator_factory, monkeypatch, tmp_path, seed, desired, clock=FakeClock())
    r = run(capsys, "apply", "--yes", "--announce", "chats")
    assert r.code == 0 and "message budget" not in r.err
