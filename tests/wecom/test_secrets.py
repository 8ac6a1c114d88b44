"""The secret and the access token never show up in what the client lets out:
exception text, repr, traceback (chain included), ReadError messages and the
-v debug log (urllib3's included) — across the failures that print URLs."""

from __future__ import annotations

import logging
import traceback

import pytest

from tests.helpers import env_for
from reconciler.wecom import TransportError, WeComClient, WeComError, client_from_env
from reconciler.wecom.errors import MissingCredentials

MARKER = "MARKER-s3cr3t-5b1d9e"
WRONG = "WRONG-s3cr3t-77aa0c"
SEED = {"chats": [{"chatid": "team", "name": "Team", "owner": "alice", "userlist": ["alice", "bob"]},
                  {"chatid": "ops", "name": "Ops", "owner": "bob", "userlist": ["alice", "bob"]}]}


def no_sleep(_seconds: float) -> None:
    pass


def texts_of(exc: BaseException) -> list[str]:
    """Everything a user or a log could see of an exception."""
    out = [str(exc), repr(exc), repr(exc.args), "".join(traceback.format_exception(exc))]
    for attr in ("errmsg", "message"):
        out.append(str(getattr(exc, attr, "")))
    return out


def assert_clean(values, *secrets):
    for value in values:
        text = value if isinstance(value, str) else repr(value)
        for secret in secrets:
            assert secret not in text, f"leaked {secret!r} in: {text[:300]}"


def token_of(client: WeComClient) -> str | None:
    token = client._calls.tokens._token  # test-only peek: the value to look for
    return token.value if token else None


@pytest.fixture
def verbose(caplog):
    caplog.set_level(logging.DEBUG)  # like `appchat -v`: urllib3 logs request lines at DEBUG
    return caplog


def test_marker_secret_and_token_stay_out_across_faults(emulator_factory, verbose):
    emu = emulator_factory(seed=SEED, corp_secret=MARKER)
    seen: list = []
    with client_from_env(env_for(emu), sleep=no_sleep, timeout=(5.0, 0.3), read_only=False) as client:
        seen.append(client.read_chats(["team", "ops", "missing"]))
        token = token_of(client)
        assert token
        for fault in ({"fault": "drop"}, {"fault": "garbage"}, {"fault": "http", "status": 500},
                      {"fault": "slow", "ms": 1000}, {"fault": "busy"},
                      {"fault": "errcode", "errcode": 60020}):
            emu.set_faults(script=[{**fault, "path": "appchat/get", "count": 10}])
            result = client.read_chats(["team"])
            seen.append(result)
            assert result["team"].__class__.__name__ == "ReadError"
            with pytest.raises(WeComError) as info:
                client.get_chat("team")
            seen.extend(texts_of(info.value))
            emu.set_faults(clear=True)
        emu.set_faults(script=[{"fault": "drop", "after": True, "path": "appchat/update"}])
        with pytest.raises(WeComError) as info:
            client.call("appchat/update", {"chatid": "team", "name": "Renamed"})
        seen.extend(texts_of(info.value))
        seen.append(repr(client))
        seen.append(repr(client.credentials))
    assert "appchat/get" in verbose.text  # the debug log is there...
    ours = "\n".join(r.getMessage() for r in verbose.records if not r.name.startswith("reconciler.emulator"))
    assert "/cgi-bin/gettoken?…" in ours and "corpsecret=" not in ours  # the client logs no query strings
    assert_clean(seen + [verbose.text], MARKER, token)  # ...and holds neither


def test_wrong_secret(emulator_factory, verbose):
    emu = emulator_factory(seed=SEED)
    env = {**env_for(emu), "WECOM_CORP_SECRET": WRONG}
    with client_from_env(env, sleep=no_sleep) as client:
        with pytest.raises(WeComError) as info:
            client.read_chats(["team", "ops"])
        assert_clean(texts_of(info.value) + [repr(client), verbose.text], WRONG)
    assert info.value.__cause__ is None and info.value.__context__ is None
    assert emu.call_counts()["gettoken"] == 1


@pytest.mark.parametrize("fault", [{"fault": "drop"}, {"fault": "slow", "ms": 1000}, {"fault": "garbage"},
                                   {"fault": "http", "status": 502}])
def test_failing_gettoken_never_shows_the_secret(emulator_factory, verbose, fault):
    """gettoken carries the secret in its URL: requests' own exception text
    (connection aborted, read timed out) would print it."""
    emu = emulator_factory(seed=SEED, corp_secret=MARKER)
    emu.set_faults(script=[{**fault, "path": "gettoken", "count": 10}])
    with client_from_env(env_for(emu), sleep=no_sleep, timeout=(5.0, 0.3)) as client:
        with pytest.raises(TransportError) as info:
            client.get_chat("team")
        result = client.read_chats(["team", "ops"])
    assert info.value.errcode is None
    assert info.value.__cause__ is None and info.value.__context__ is None
    assert_clean(texts_of(info.value) + [result, verbose.text], MARKER)


def test_unreachable_base_url(verbose):
    env = {"WECOM_CORP_ID": "wwx", "WECOM_CORP_SECRET": MARKER, "WECOM_API_BASE": "http://127.0.0.1:1/cgi-bin/"}
    with client_from_env(env, sleep=no_sleep) as client:
        with pytest.raises(TransportError) as info:
            client.get_chat("team")
        result = client.read_chats(["team"])
    assert "cannot connect" in str(info.value)
    assert info.value.__cause__ is None and info.value.__context__ is None
    assert_clean(texts_of(info.value) + [result, verbose.text], MARKER)


@pytest.mark.parametrize("base", ["not a url", "ftp://127.0.0.1/cgi-bin/", "http://[::1/cgi-bin/",
                                  "http://127.0.0.1:port/cgi-bin/", "qyapi.weixin.qq.com/cgi-bin/"])
def test_malformed_base_url_is_refused_before_any_request(base, verbose):
    # issue 12: a base that cannot be used is an error naming the variable,
    # not a request whose failure would print the URL and its query
    env = {"WECOM_CORP_ID": "wwx", "WECOM_CORP_SECRET": MARKER, "WECOM_API_BASE": base}
    with pytest.raises(MissingCredentials) as info:
        client_from_env(env, sleep=no_sleep)
    assert info.value.variable == "WECOM_API_BASE"
    assert str(info.value).startswith("WECOM_API_BASE is not an http:// or https:// URL with a host: ")
    assert_clean(texts_of(info.value) + [verbose.text], MARKER)


@pytest.mark.parametrize("base", ["", "  "])
def test_set_but_empty_base_is_an_error_not_production(base):
    env = {"WECOM_CORP_ID": "wwx", "WECOM_CORP_SECRET": MARKER, "WECOM_API_BASE": base}
    with pytest.raises(MissingCredentials) as info:
        client_from_env(env)
    assert info.value.variable == "WECOM_API_BASE"
    assert "WECOM_API_BASE is set but empty" in str(info.value)


def test_unset_base_is_the_real_wecom_and_a_base_is_normalised():
    env = {"WECOM_CORP_ID": "wwx", "WECOM_CORP_SECRET": MARKER}
    with client_from_env(env) as client:
        assert client.credentials.api_base == "https://qyapi.weixin.qq.com/cgi-bin/"
    with client_from_env({**env, "WECOM_API_BASE": " http://127.0.0.1:9/cgi-bin "}) as client:
        assert client.credentials.api_base == "http://127.0.0.1:9/cgi-bin/"


PASSWORD_BASES = [  # issue 20: `gw:Gw/Passw0rd@` was shown whole in the "not a URL" error
    "https://gw:Gw/Passw0rd@gateway.example/cgi-bin/",
    "https://gw:Gw@Passw0rd@gateway.example/cgi-bin/",
    "https://gw:Gw:Passw0rd@gateway.example/cgi-bin/",
    "https://gw:Gw?Passw0rd@gateway.example/cgi-bin/",
    "https://gw:Gw#Passw0rd@gateway.example/cgi-bin/",
    "gw:Gw/Passw0rd@gateway.example/cgi-bin/",
]


@pytest.mark.parametrize("base", PASSWORD_BASES)
def test_a_password_in_the_base_is_masked_whatever_it_contains(base, verbose):
    from reconciler.app.session import target_from_env

    env = {"WECOM_CORP_ID": "wwx", "WECOM_CORP_SECRET": MARKER, "WECOM_API_BASE": base}
    try:
        with client_from_env(env, sleep=no_sleep) as client:
            shown = [repr(client), repr(client.credentials), str(target_from_env(env))]
    except MissingCredentials as exc:  # `/`, `?`, `#` make it no URL with a host
        shown = texts_of(exc)
    assert any("***@gateway.example" in text for text in shown)
    assert_clean(shown + [verbose.text], MARKER, "Passw0rd", "Gw")


def test_a_usable_base_with_a_password_never_shows_it(verbose):
    from reconciler.app.session import target_from_env

    base = "http://gw:Gw%2FPassw0rd%40x@127.0.0.1:1/cgi-bin/"
    env = {"WECOM_CORP_ID": "wwx", "WECOM_CORP_SECRET": MARKER, "WECOM_API_BASE": base}
    with client_from_env(env, sleep=no_sleep) as client:
        with pytest.raises(TransportError) as info:
            client.get_chat("team")
        shown = [repr(client), repr(client.credentials)]
    target = target_from_env(env)
    assert target.api_base == "http://***@127.0.0.1:1/cgi-bin/"
    assert_clean(texts_of(info.value) + shown + [str(target), verbose.text], MARKER, "Passw0rd", "Gw")
