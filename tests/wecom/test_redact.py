"""Redaction of the secret and tokens: messages, errors, credentials, log records."""

import logging
import pickle

import pytest

from reconciler.core.facts import DEFAULT_API_BASE
from reconciler.wecom import (ChatNotFound, Credentials, InvalidCredentials, MissingCredentials,
                              TransportError, WeComError, client_from_env)
from reconciler.wecom.errors import describe
from reconciler.wecom.redact import MASK, redact, register

SECRET = "unit-MARKER-secret-9f3a"
TOKEN = "unit-token-7c1e2d"


@pytest.fixture(autouse=True)
def _registered():
    register(SECRET)
    register(TOKEN)


def test_keyed_values_masked_even_when_unknown():
    url = "https://h/cgi-bin/gettoken?corpid=ww1&corpsecret=NeverSeenBefore123&x=1"
    out = redact(url)
    assert "NeverSeenBefore123" not in out
    assert "corpsecret=***" in out and "corpid=ww1" in out and "x=1" in out
    out = redact("GET /cgi-bin/appchat/get?access_token=AbCdEf123&chatid=c1 failed")
    assert "AbCdEf123" not in out and "chatid=c1" in out


def test_keyed_values_in_reprs_and_encoded_forms():
    assert "zzTopSecret" not in redact({"corpsecret": "zzTopSecret"})
    assert "zzTopSecret" not in redact("corpsecret%3DzzTopSecret")


def test_registered_literals_masked_raw_and_url_encoded():
    register("we/ird+sec ret==")
    text = f"a {SECRET} b {TOKEN} c we%2Fird%2Bsec%20ret%3D%3D d we%2Fird%2Bsec+ret%3D%3D"
    out = redact(text)
    assert SECRET not in out and TOKEN not in out and "ird" not in out
    assert out.count(MASK) == 4


def test_short_values_are_not_replaced_everywhere():
    register("ab")
    assert redact("abc lab") == "abc lab"


def test_error_texts_are_redacted_in_str_repr_args_and_pickle():
    msg = f"boom https://x/gettoken?corpid=c&corpsecret={SECRET} token {TOKEN}"
    for cls in (WeComError, TransportError, InvalidCredentials, ChatNotFound):
        err = cls(msg, errcode=1, errmsg=f"echo {SECRET}", chat_id="c1", path="gettoken")
        for text in (str(err), repr(err), repr(err.args), err.errmsg):
            assert SECRET not in text and TOKEN not in text
        clone = pickle.loads(pickle.dumps(err))
        assert type(clone) is cls and clone.errcode == 1 and clone.chat_id == "c1"
        assert str(clone) == str(err)


def test_log_records_of_urllib3_are_redacted(caplog):
    caplog.set_level(logging.DEBUG)
    import reconciler.wecom  # noqa: F401  (installs the filters)
    logging.getLogger("urllib3.connectionpool").debug(
        '%s://%s:%s "%s %s %s" %s %s', "http", "127.0.0.1", 80, "GET",
        f"/cgi-bin/gettoken?corpid=ww&corpsecret={SECRET}", "HTTP/1.1", 200, 10)
    logging.getLogger("reconciler.wecom").debug("token is %s", TOKEN)
    assert caplog.records, "the records must still be logged"
    assert SECRET not in caplog.text and TOKEN not in caplog.text
    assert "gettoken?…" in caplog.text and "corpid=ww" not in caplog.text  # query string dropped


def test_describe_prefers_stable_wording():
    assert describe(86008, "whatever the server says") == "chat was not created by this app"
    assert describe(12345, f"odd {SECRET}") == f"odd {MASK}"
    assert describe(None) == "no answer from WeCom"


def test_credentials_repr_hides_secret_and_base_gets_slash():
    creds = Credentials("wwcorp", SECRET, "http://127.0.0.1:9/cgi-bin")
    assert creds.api_base == "http://127.0.0.1:9/cgi-bin/"
    assert SECRET not in repr(creds) and SECRET not in str(creds)
    assert "wwcorp" in repr(creds)


@pytest.mark.parametrize("missing", ["WECOM_CORP_ID", "WECOM_CORP_SECRET"])
def test_missing_credentials_name_the_variable(missing):
    env = {"WECOM_CORP_ID": "ww", "WECOM_CORP_SECRET": SECRET}
    env[missing] = ""
    with pytest.raises(MissingCredentials) as info:
        client_from_env(env)
    assert info.value.variable == missing
    assert str(info.value) == f"{missing} is not set"
    del env[missing]
    with pytest.raises(MissingCredentials, match=missing):
        client_from_env(env)


def test_client_from_env_defaults():
    with client_from_env({"WECOM_CORP_ID": "ww", "WECOM_CORP_SECRET": SECRET}) as client:
        assert client.credentials.api_base == DEFAULT_API_BASE
        assert client.read_only is True
        assert SECRET not in repr(client)
        assert client.stats == {}
