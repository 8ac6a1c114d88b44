"""Frequency limits (45009) and the message budget with a fake clock: no
test sleeps. A block lasts from the call that hit the limit (doc 90454)."""

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


def test_a_minute_block_lasts_60_s_from_the_call_that_hit_the_limit_not_to_the_next_minute(emulator_factory, clock):
    emu = emulator_factory(clock=clock, calls_per_minute=1)  # the clock is 40 s into a minute
    api = RawApi(emu)
    api.login()
    assert api.get("x")["errcode"] == 86003
    clock.advance(30)  # a new clock minute, but the call 30 s ago is still in the last 60 s
    assert api.get("x")["errcode"] == 45009  # this call hits the limit: blocked until +60 s from now
    clock.advance(59)  # the first call left the window long ago: only the block refuses
    assert api.get("x")["errcode"] == 45009
    clock.advance(1)
    assert [api.get("x")["errcode"] for _ in range(2)] == [86003, 45009]


def test_refused_calls_do_not_lengthen_a_block(emulator_factory, clock):
    api = RawApi(emulator_factory(clock=clock, calls_per_minute=1))
    api.login()
    assert api.get("x")["errcode"] == 86003
    assert api.get("x")["errcode"] == 45009  # the block starts here
    for _ in range(6):
        clock.advance(9)
        assert api.get("x")["errcode"] == 45009
    clock.advance(6)  # 60 s after the call that hit the limit
    assert api.get("x")["errcode"] == 86003


def test_the_minute_window_slides(emulator_factory, clock):
    api = RawApi(emulator_factory(clock=clock, calls_per_minute=2))
    api.login()
    assert api.get("x")["errcode"] == 86003
    clock.advance(30)
    assert api.get("x")["errcode"] == 86003
    clock.advance(30)  # the first call left the window, the second has not
    assert api.get("x")["errcode"] == 86003
    assert api.get("x")["errcode"] == 45009


def test_an_hour_block_lasts_60_min_from_the_call_that_hit_the_limit(emulator_factory, clock):
    api = RawApi(emulator_factory(clock=clock, calls_per_hour=1, token_ttl=10 ** 6))
    api.login()
    assert api.get("x")["errcode"] == 86003
    clock.advance(1800)
    assert api.get("x")["errcode"] == 45009  # blocked until +3600 s from here
    clock.advance(1800)  # the counted call is an hour old: a sliding window alone would let this in
    assert api.get("x")["errcode"] == 45009
    clock.advance(1799)
    assert api.get("x")["errcode"] == 45009
    clock.advance(1)
    assert api.get("x")["errcode"] == 86003


def test_the_per_ip_minute_limit_counts_every_api(emulator_factory, clock):
    api = RawApi(emulator_factory(clock=clock, calls_per_minute_per_ip=3))
    api.login()
    assert [api.get("x")["errcode"], api.update("x")["errcode"]] == [86003, 86003]
    assert api.send("x")["errcode"] == 45009  # a third API, but the fourth call from this IP
    assert api.gettoken()["errcode"] == 45009
    clock.advance(60)
    assert api.send("x")["errcode"] == 86003


def test_the_per_ip_hourly_limit_is_600000_and_blocks_an_hour(emulator_factory, clock):
    emu = emulator_factory(clock=clock, token_ttl=10 ** 6)
    assert emu.set_limits()["calls_per_hour_per_ip"] == 600_000
    assert emu.set_limits()["calls_per_minute_per_ip"] == 20_000
    emu.set_limits(calls_per_hour_per_ip=3)
    api = RawApi(emu)
    api.login()
    assert [api.get("x")["errcode"], api.update("x")["errcode"], api.get("y")["errcode"]] == [86003, 86003, 45009]
    clock.advance(3599)
    assert api.update("x")["errcode"] == 45009
    clock.advance(1)
    assert api.update("x")["errcode"] == 86003


def test_another_ip_has_its_own_budget(emulator_factory, clock):
    import http.client
    import json

    emu = emulator_factory(clock=clock, calls_per_minute_per_ip=2)
    token = RawApi(emu).login()
    path = f"/cgi-bin/appchat/get?access_token={token}&chatid=x"

    def get_from(source: str) -> int:
        conn = http.client.HTTPConnection(emu.host, emu.port, timeout=10, source_address=(source, 0))
        try:
            conn.request("GET", path)
            return json.loads(conn.getresponse().read())["errcode"]
        finally:
            conn.close()

    assert [get_from("127.0.0.1"), get_from("127.0.0.1")] == [86003, 45009]  # gettoken was the first
    assert [get_from("127.0.0.2"), get_from("127.0.0.2"), get_from("127.0.0.2")] == [86003, 86003, 45009]


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


def test_a_daily_block_lasts_the_rest_of_the_natural_day_in_china(emulator_factory):
    utc_midnight = 1_700_006_400.0  # 2023-11-15 00:00 UTC, 08:00 in China
    clock = FakeClock(start=utc_midnight - 1800)  # 07:30 China time
    emu = emulator_factory(clock=clock, creates_per_day=1, token_ttl=10 ** 6)
    api = RawApi(emu)
    assert api.create("c1")["errcode"] == 0
    assert api.create("c2")["errcode"] == 45009
    clock.advance(3600)  # a new UTC day, still the same day in China
    assert api.create("c2")["errcode"] == 45009
    clock.advance(15 * 3600 + 1800 - 1)  # 23:59:59 China time
    assert api.create("c2")["errcode"] == 45009
    clock.advance(1)
    assert api.create("c2")["errcode"] == 0


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


def test_messages_past_a_members_daily_limit_are_dropped_silently(emulator_factory, clock):
    emu = emulator_factory(clock=clock, messages_per_day=2, token_ttl=10 ** 6)
    api = RawApi(emu)
    assert api.create("one", owner="a", userlist=["a", "b"])["errcode"] == 0
    assert api.create("two", owner="a", userlist=["a", "c"])["errcode"] == 0
    assert [api.send(c)["errcode"] for c in ("one", "two", "two")] == [0, 0, 0]
    assert [m["undelivered"] for m in emu.messages()] == [[], [], ["a"]]
    clock.advance(3600)  # a later minute, the same day
    assert api.send("one")["errcode"] == 0
    assert emu.messages()[-1]["undelivered"] == ["a"]
    clock.advance(86400)
    assert api.send("one")["errcode"] == 0
    assert emu.messages()[-1]["undelivered"] == []


def test_the_message_budget_defaults_are_wecoms(emulator_factory):
    limits = emulator_factory().set_limits()
    assert (limits["messages_per_minute"], limits["messages_per_day"], limits["person_times_per_minute"]) == \
        (200, 10_000, 20_000)


def test_a_message_to_a_chat_of_n_counts_n_person_times_and_past_the_corp_budget_is_45009(emulator_factory, clock):
    emu = emulator_factory(clock=clock, person_times_per_minute=5)
    api = RawApi(emu)
    assert api.create("three", owner="a", userlist=["a", "b", "c"])["errcode"] == 0
    assert api.create("two", owner="a", userlist=["a", "b"])["errcode"] == 0
    assert [api.send("three")["errcode"], api.send("two")["errcode"]] == [0, 0]  # 3 + 2 = 5
    assert api.send("two")["errcode"] == 45009  # 7 > 5: refused whole, blocked 60 s from here
    assert [m["chatid"] for m in emu.messages()] == ["three", "two"]
    clock.advance(59)
    assert api.send("two")["errcode"] == 45009
    clock.advance(1)
    assert api.send("two")["errcode"] == 0
    assert len(emu.messages()) == 3
