"""Frequency limits (45009) with a fake clock: no test sleeps."""

import pytest
from tests.helpers import FakeClock, RawApi


@pytest.fixture
def clock():
    return FakeClock(start=1_700_000_040.0)  # 40 s into a minute


def test_calls_per_minute_per_api(emulator_factory, clock):
    emu = emulator_factory(clock=clock, calls_per_minute=3)
    api = RawApi(emu)
    api.login()
    assert [api.get("x")["errcode"] for _ in range(4)] == [86003, 86003, 86003, 45009]
    # The limit is per API: another path still has its own budget.
    assert api.update("x")["errcode"] == 86003
    clock.advance(60)
    assert api.get("x")["errcode"] == 86003


def test_limit_blocks_for_the_rest_of_the_window(emulator_factory):
    clock = FakeClock(start=1_700_000_000.0 - (1_700_000_000.0 % 60))  # start of a minute
    emu = emulator_factory(clock=clock, calls_per_minute=1)
    api = RawApi(emu)
    api.login()
    assert api.get("x")["errcode"] == 86003
    clock.advance(59)
    assert api.get("x")["errcode"] == 45009
    clock.advance(1)
    assert api.get("x")["errcode"] == 86003


def test_calls_per_hour(emulator_factory, clock):
    emu = emulator_factory(clock=clock, calls_per_hour=2)
    api = RawApi(emu)
    api.login()
    assert [api.get("x")["errcode"] for _ in range(3)] == [86003, 86003, 45009]
    clock.advance(60)
    assert api.get("x")["errcode"] == 45009
    clock.advance(3600)
    assert api.get("x")["errcode"] == 86003


def test_gettoken_is_limited_too(emulator_factory, clock):
    api = RawApi(emulator_factory(clock=clock, calls_per_minute=2))
    assert [api.gettoken()["errcode"] for _ in range(3)] == [0, 0, 45009]


def test_chat_changes_per_hour_count_successful_updates(emulator_factory, clock):
    emu = emulator_factory(clock=clock, changes_per_hour=2)
    api = RawApi(emu)
    assert api.create("team", owner="a", userlist=["a", "b"])["errcode"] == 0
    assert api.update("team", add_user_list=["c"])["errcode"] == 0
    assert api.update("team", del_user_list=["zz"])["errcode"] == 86216   # refused: not a change
    assert api.update("team", add_user_list=["d"])["errcode"] == 0
    assert api.update("team", add_user_list=["e"])["errcode"] == 45009
    assert "e" not in emu.chat("team")["userlist"]
    assert api.get("team")["errcode"] == 0  # reads are not changes
    clock.advance(3600)
    assert api.update("team", add_user_list=["e"])["errcode"] == 0


def test_creates_per_day(emulator_factory, clock):
    emu = emulator_factory(clock=clock, creates_per_day=2)
    api = RawApi(emu)
    assert api.create("c1")["errcode"] == 0
    assert api.create("c1")["errcode"] == 86215  # a refused create does not count
    assert api.create("c2")["errcode"] == 0
    assert api.create("c3")["errcode"] == 45009
    assert emu.chat("c3") is None
    clock.advance(86400)
    api.login()  # the token expired meanwhile
    assert api.create("c3")["errcode"] == 0


def test_zero_means_no_limit_and_limits_change_at_runtime(emulator_factory, clock):
    emu = emulator_factory(clock=clock, calls_per_minute=0)
    api = RawApi(emu)
    api.login()
    assert all(api.get("x")["errcode"] == 86003 for _ in range(30))
    emu.set_limits(calls_per_minute=1)
    clock.advance(60)
    assert [api.get("x")["errcode"] for _ in range(2)] == [86003, 45009]
    with pytest.raises(ValueError):
        emu.set_limits(calls_per_fortnight=3)


def test_reset_clears_quota_counters(emulator_factory, clock):
    emu = emulator_factory(clock=clock, creates_per_day=1)
    api = RawApi(emu)
    assert api.create("c1")["errcode"] == 0
    assert api.create("c2")["errcode"] == 45009
    emu.reset()
    assert api.create("c2")["errcode"] == 0


def test_messages_past_the_per_member_limit_are_dropped_silently(emulator_factory, clock):
    emu = emulator_factory(clock=clock, messages_per_minute=2)
    api = RawApi(emu)
    assert api.create("one", owner="a", userlist=["a", "b"])["errcode"] == 0
    assert api.create("two", owner="a", userlist=["a", "c"])["errcode"] == 0
    answers = [api.send("one")["errcode"], api.send("two")["errcode"], api.send("two")["errcode"]]
    assert answers == [0, 0, 0]  # WeCom answers ok: the excess is dropped silently
    assert [m["undelivered"] for m in emu.messages()] == [[], [], ["a"]]
    clock.advance(60)
    assert api.send("one")["errcode"] == 0
    assert emu.messages("one")[-1]["undelivered"] == []
