"""gettoken and access-token checks, over HTTP."""

import pytest
from tests.helpers import FakeClock, RawApi


@pytest.fixture
def clock():
    return FakeClock()


@pytest.fixture
def emu(emulator_factory, clock):
    return emulator_factory(clock=clock, token_ttl=100)


def test_gettoken_returns_token_and_ttl(emu):
    answer = RawApi(emu).gettoken()
    assert answer["errcode"] == 0 and answer["errmsg"] == "ok"
    assert isinstance(answer["access_token"], str) and len(answer["access_token"]) >= 32
    assert answer["expires_in"] == 100


def test_same_token_while_valid_new_one_after_expiry(emu, clock):
    api = RawApi(emu)
    first = api.gettoken()["access_token"]
    clock.advance(40)
    again = api.gettoken()
    assert again["access_token"] == first and again["expires_in"] == 60
    clock.advance(60)
    assert api.gettoken()["access_token"] != first


@pytest.mark.parametrize("params, code", [
    ({"corpid": "wwtestcorp", "corpsecret": "wrong"}, 40001),
    ({"corpid": "wwother", "corpsecret": "test-secret-DO-NOT-LEAK"}, 40013),
    ({"corpid": "wwother", "corpsecret": "wrong"}, 40013),  # the corp is looked up first
])
def test_wrong_secret_is_40001_and_unknown_corp_id_is_40013(emu, params, code):
    answer = RawApi(emu).gettoken(**params)
    assert answer["errcode"] == code
    assert "access_token" not in answer


@pytest.mark.parametrize("params, code", [
    ({"corpsecret": "test-secret-DO-NOT-LEAK"}, 41002),
    ({"corpid": "wwtestcorp"}, 41004),
])
def test_missing_gettoken_parameters(emu, params, code):
    assert RawApi(emu).gettoken(**params)["errcode"] == code


def test_missing_token_is_41001(emu):
    answer = RawApi(emu).http.get(emu.base_url + "appchat/get", params={"chatid": "x"}).json()
    assert answer["errcode"] == 41001


def test_unknown_token_is_40014(emu):
    api = RawApi(emu)
    api.token = "not-a-token"
    assert api.get("team")["errcode"] == 40014


def test_expired_token_is_42001_until_fetched_again(emu, clock):
    api = RawApi(emu)
    api.login()
    assert api.get("team")["errcode"] == 86003
    clock.advance(100)
    assert api.get("team")["errcode"] == 42001
    api.login()
    assert api.get("team")["errcode"] == 86003


def test_invalidation_makes_tokens_unknown(emu):
    api = RawApi(emu)
    old = api.login()
    emu.set_faults(invalidate_tokens=True)
    assert api.get("team")["errcode"] == 40014
    assert api.login() != old
    assert api.get("team")["errcode"] == 86003


def test_expire_action_makes_tokens_expired(emu):
    api = RawApi(emu)
    api.login()
    emu.set_faults(expire_tokens=True)
    assert api.get("team")["errcode"] == 42001


def test_errmsg_carries_a_changing_hint(emu):
    api = RawApi(emu)
    a, b = api.gettoken(corpid="wwtestcorp", corpsecret="y"), api.gettoken(corpid="wwtestcorp", corpsecret="y")
    assert a["errmsg"].startswith("invalid credential, hint: [")
    assert a["errmsg"] != b["errmsg"]  # clients must key on errcode


def test_token_ttl_changeable_at_runtime(emu, clock):
    emu.set_limits(token_ttl=5)
    emu.set_faults(invalidate_tokens=True)
    api = RawApi(emu)
    answer = api.gettoken()
    assert answer["expires_in"] == 5
    api.token = answer["access_token"]
    clock.advance(5)
    assert api.get("team")["errcode"] == 42001
