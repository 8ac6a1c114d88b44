"""Apply reaches the desired state, and running it again after anything
(a failed chat, a rate-limit stop, a concurrent writer) converges with no
duplicate or conflicting calls. Against the emulator over HTTP."""

from __future__ import annotations

import pytest

from tests.helpers import env_for
from tests.app.support import chat, ok_writes, run, state, start_apply_env, write_chats, writes

from reconciler.app import execute, planfile
from reconciler.core import writequotas
from reconciler.core.model import DesiredChat
from reconciler.core.planner import make_plan
from reconciler.wecom import client_from_env

SEED = {"chats": [
    chat("alpha", ["alice", "bob", "dave"], owner="alice", name="Alpha"),
    chat("bravo", ["alice", "bob"], owner="alice", name="Bravo"),
    chat("delta", ["erin", "frank"], owner="erin", name="Delta"),
]}
DESIRED = [
    chat("alpha", ["alice", "bob", "carol"], owner="alice", name="Alpha"),  # +carol -dave
    chat("bravo", ["bob", "carol", "zed"], owner="zed", name="Bravo 2"),     # new owner: two calls
    chat("charlie", ["gina", "hank"], owner="gina", name="Charlie"),          # create
    chat("delta", ["erin", "frank"], owner="erin", name="Delta"),             # unchanged
]


@pytest.fixture
def setup(emulator_factory, monkeypatch, tmp_path):
    def make(seed=SEED, desired=DESIRED, **config):
        return start_apply_env(emulator_factory, monkeypatch, tmp_path, seed, desired, **config)
    return make


def assert_converged(emu, capsys, desired=DESIRED):
    for want in desired:
        assert state(emu, want["chatid"]) == want
    r = run(capsys, "plan", "--detailed-exitcode", "chats")
    assert r.code == 0, r.out + r.err


def test_apply_reaches_the_files_and_plan_then_shows_no_changes(setup, capsys):
    emu = setup()
    r = run(capsys, "apply", "--yes", "chats")
    assert r.code == 0, r.err
    assert "3 applied, 0 failed, 0 skipped" in r.out
    assert_converged(emu, capsys)
    # the fewest calls: one per chat, two for the new owner who was not a member
    paths = sorted((c["path"], c["body"]["chatid"]) for c in ok_writes(emu))
    assert paths == [("appchat/create", "charlie"), ("appchat/update", "alpha"),
                     ("appchat/update", "bravo"), ("appchat/update", "bravo")]


def test_saved_plan_sends_exactly_its_calls_in_order(setup, capsys, tmp_path):
    emu = setup()
    path = tmp_path / "plan.json"
    assert run(capsys, "plan", "--out", path, "chats").code == 0
    saved = planfile.read(str(path))
    emu.clear_calls()
    r = run(capsys, "apply", "--plan", path)
    assert r.code == 0, r.err
    for change in saved.changes:
        sent = [c["body"] for c in ok_writes(emu) if c["body"]["chatid"] == change.chat_id]
        assert sent == [call.body for call in change.calls]
    assert_converged(emu, capsys)


def test_one_failing_chat_does_not_stop_the_others_and_a_rerun_converges(setup, capsys, tmp_path):
    seed = {**SEED, "users": ["alice", "bob", "carol", "dave", "erin", "frank", "gina", "hank"]}
    emu = setup(seed=seed)  # zed is not in the directory: bravo's add is 86216
    r = run(capsys, "apply", "--yes", "chats")
    assert r.code == 1
    assert "failed   update bravo" in r.out and "errcode 86216" in r.out
    assert "2 applied, 1 failed" in r.out
    assert state(emu, "alpha") == DESIRED[0] and state(emu, "charlie") == DESIRED[2]
    # its first call went again without zed (carol joined); its second makes zed owner, so it was not sent
    assert state(emu, "bravo") == chat("bravo", ["alice", "bob", "carol"], owner="alice", name="Bravo")
    assert "add zed" in r.out and "--check-users" in r.out
    # the files are fixed (zed was a typo); the re-run only touches bravo
    fixed = [DESIRED[0], chat("bravo", ["bob", "carol"], owner="bob", name="Bravo 2"), *DESIRED[2:]]
    write_chats(tmp_path, fixed)
    emu.clear_calls()
    r = run(capsys, "apply", "--yes", "chats")
    assert r.code == 0, r.out + r.err
    assert [c["body"]["chatid"] for c in writes(emu)] == ["bravo"]
    assert_converged(emu, capsys, fixed)


def test_unreadable_chat_is_reported_and_the_rest_applied(setup, capsys, tmp_path):
    seed = {**SEED, "foreign_chats": [chat("legacy", ["alice", "bob"], owner="alice", name="Legacy")]}
    emu = setup(seed=seed, desired=[*DESIRED, chat("legacy", ["alice", "bob", "carol"], owner="alice",
                                                   name="Legacy")])
    r = run(capsys, "apply", "--yes", "chats")
    assert r.code == 1
    assert "legacy" in r.err
    assert state(emu, "alpha") == DESIRED[0]
    assert not [c for c in writes(emu) if c["body"]["chatid"] == "legacy"]


def _updates_only(n: int):
    # +carol -dave: a second, conflicting copy of the same call would be refused (86216)
    seed = {"chats": [chat(f"c{i:02d}", ["alice", "bob", "dave"], owner="alice") for i in range(n)]}
    desired = [chat(f"c{i:02d}", ["alice", "bob", "carol"], owner="alice") for i in range(n)]
    return seed, desired


def test_rate_limit_on_a_write_stops_cleanly_and_a_rerun_finishes(setup, capsys):
    seed, desired = _updates_only(6)
    emu = setup(seed=seed, desired=desired, changes_per_hour=3)
    r = run(capsys, "apply", "--yes", "--concurrency", "1", "--format", "json", "chats")
    assert r.code == 1
    report = r.json()
    statuses = [o["status"] for o in report["outcomes"]]
    assert statuses == ["applied"] * 3 + ["failed"] + ["skipped"] * 2
    assert report["outcomes"][3]["errcode"] == 45009
    assert "rate limit" in report["stopped"]
    assert "not attempted" in report["outcomes"][4]["message"]
    # no write was started after the 45009
    updates = [c for c in writes(emu) if c["path"] == "appchat/update"]
    assert [c["errcode"] for c in updates] == [0, 0, 0, 45009]
    emu.set_limits(changes_per_hour=0)  # the hour is over
    emu.clear_calls()
    r = run(capsys, "apply", "--yes", "chats")
    assert r.code == 0, r.out + r.err
    assert sorted(c["body"]["chatid"] for c in writes(emu)) == ["c03", "c04", "c05"]
    assert_converged(emu, capsys, desired)


def test_rate_limit_with_parallel_writes_starts_nothing_new(setup, capsys):
    seed, desired = _updates_only(30)
    emu = setup(seed=seed, desired=desired, changes_per_hour=5, latency_ms=20)
    r = run(capsys, "apply", "--yes", "--concurrency", "4", "--format", "json", "chats")
    assert r.code == 1
    report = r.json()
    by_status = {s: [o for o in report["outcomes"] if o["status"] == s] for s in ("applied", "failed", "skipped")}
    assert len(by_status["applied"]) == 5
    assert all(o["errcode"] == 45009 for o in by_status["failed"])
    # at most one refused write per worker that was already on its way
    assert 1 <= len(by_status["failed"]) <= 4
    assert len(by_status["skipped"]) == 30 - 5 - len(by_status["failed"])
    assert len([c for c in writes(emu) if c["path"] == "appchat/update"]) == 5 + len(by_status["failed"])


def test_quota_over_a_run_says_so_up_front_and_applies_the_first_chats(setup, capsys, monkeypatch):
    seed, desired = _updates_only(5)
    emu = setup(seed=seed, desired=desired)
    monkeypatch.setattr(writequotas, "CHAT_CHANGES_PER_HOUR", 3)  # WeCom's 1,000, scaled down
    r = run(capsys, "apply", "--yes", "chats")
    assert r.code == 0  # from paths the budget splits the work across runs (tests/app/test_apply_deferred.py)
    assert "needs 5 chat changes" in r.err and "first 3 chats" in r.err  # said before applying
    assert "3 applied, 0 failed, 2 skipped, 2 of them deferred" in r.out
    assert sorted(c["body"]["chatid"] for c in ok_writes(emu)) == ["c00", "c01", "c02"]


# ---------------------------------------------------------------- concurrent writers

def _plan_against(emu, desired):
    with client_from_env(env_for(emu)) as reader:
        wanted = [DesiredChat(d["chatid"], d["name"], d["owner"], frozenset(d["userlist"])) for d in desired]
        return make_plan(wanted, reader.read_chats([d["chatid"] for d in desired]))


def test_a_chat_changed_between_plan_and_write_is_skipped_as_stale(emulator_factory):
    """The interleaving two applies could produce: B plans, A writes the same
    chat, B writes. B's per-chat re-read right before its first call sees A's
    change and leaves the chat alone instead of writing stale deltas."""
    emu = emulator_factory(seed=SEED)
    plan_b = _plan_against(emu, DESIRED)
    with client_from_env(env_for(emu), read_only=False) as a:  # apply A gets there first
        a.call("appchat/update", {"chatid": "alpha", "add_user_list": ["erin"], "del_user_list": ["bob"]})
    emu.clear_calls()
    with client_from_env(env_for(emu), read_only=False) as b:
        report = execute.execute(plan_b, b, concurrency=4)
    outcome = {o.chat_id: o for o in report.outcomes}
    assert outcome["alpha"].status == "skipped" and "stale" in outcome["alpha"].message
    assert "erin" in outcome["alpha"].message
    assert outcome["bravo"].status == "applied" and outcome["charlie"].status == "applied"
    assert not [c for c in writes(emu) if c["body"]["chatid"] == "alpha"]
    assert state(emu, "alpha")["userlist"] == ["alice", "dave", "erin"]  # A's state, not a mix
    assert not report.ok


def test_two_applies_of_the_same_files_at_once_end_in_the_desired_state(setup, capsys, tmp_path):
    """Two pipelines for the same commit on different hosts (no shared lock):
    whatever the interleaving, every chat ends in its `after`, and a re-run
    has nothing left to do."""
    import subprocess
    import sys

    from tests.helpers import subprocess_env

    seed, desired = _updates_only(8)
    emu = setup(seed=seed, desired=desired, latency_ms=50)
    procs = []
    for host in ("a", "b"):
        lock_dir = tmp_path / host
        lock_dir.mkdir(mode=0o700)  # a lock directory must be private to this user
        env = subprocess_env({**env_for(emu), "APPCHAT_LOCK_DIR": str(lock_dir)})
        procs.append(subprocess.Popen([sys.executable, "-m", "reconciler", "apply", "--yes", "chats"],
                                      cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                      text=True))
    results = [p.communicate(timeout=60) for p in procs]
    assert all("Traceback" not in err for _, err in results), results
    # each chat was changed exactly once, whichever apply did it: the loser
    # either saw the change on its re-read (stale, skipped) or was refused by
    # WeCom (its delta no longer applies), never a second change
    for d in desired:
        done = [c for c in ok_writes(emu, "appchat/update") if c["body"]["chatid"] == d["chatid"]]
        assert len(done) == 1, d["chatid"]
    assert_converged(emu, capsys, desired)


def test_target_applies_only_the_named_chats(setup, capsys):
    emu = setup()
    r = run(capsys, "apply", "--yes", "--target", "alpha", "chats")
    assert r.code == 0, r.err
    assert [c["body"]["chatid"] for c in writes(emu)] == ["alpha"]
    assert state(emu, "charlie") is None
