"""wecom.answers: every answer the client reads is checked for the fields the
project uses. A field missing or of the wrong type is a MalformedAnswer
naming the endpoint and the field, never a default (an empty list would
remove people). End to end over HTTP: tests/e2e/test_malformed_answers.py."""

from __future__ import annotations

import copy

import pytest

from reconciler.core.directory import Department, Tag
from reconciler.core.model import LiveChat
from reconciler.wecom.answers import (parse_chat_info, parse_department_get, parse_department_simplelist,
                                      parse_media_upload, parse_tag_get, parse_token, parse_user_get,
                                      parse_user_simplelist)
from reconciler.wecom.errors import MalformedAnswer, TransportError

GOOD = {
    "gettoken": ({"errcode": 0, "access_token": "tok", "expires_in": 7200}, parse_token),
    "appchat/get": ({"errcode": 0, "chat_info": {"chatid": "c", "name": "C", "owner": "alice",
                                                 "userlist": ["alice", "bob"]}},
                    lambda a: parse_chat_info(a, "c")),
    "department/simplelist": ({"errcode": 0, "department_id": [{"id": 1, "parentid": 0, "order": 1},
                                                               {"id": 2, "parentid": 1}]},
                              lambda a: parse_department_simplelist(a, None)),
    "department/get": ({"errcode": 0, "department": {"id": 2, "name": "研发", "parentid": 1}},
                       lambda a: parse_department_get(a, 2)),
    "user/simplelist": ({"errcode": 0, "userlist": [{"userid": "alice", "name": "A", "department": [1]},
                                                    {"userid": "bob"}]},
                        lambda a: parse_user_simplelist(a, 1)),
    "tag/get": ({"errcode": 0, "tagname": "oncall", "userlist": [{"userid": "alice", "name": "A"}],
                 "partylist": [2, 3]}, lambda a: parse_tag_get(a, 9)),
    "user/get": ({"errcode": 0, "userid": "vera", "name": "Vera", "department": [1], "status": 5},
                 lambda a: parse_user_get(a, "vera")),
    "media/upload": ({"errcode": 0, "type": "image", "media_id": "m1", "created_at": "1"}, parse_media_upload),
}

# endpoint, field path (as the error names it), how to reach it, and wrong values
MALFORMED = [
    ("gettoken", "access_token", ("access_token",), [None, 7, ["tok"], ""]),
    ("gettoken", "expires_in", ("expires_in",), [None, "7200", True, 7.5]),
    ("appchat/get", "chat_info", ("chat_info",), [None, [], "x"]),
    ("appchat/get", "chat_info.userlist", ("chat_info", "userlist"), [None, "alice", {}, {"alice": 1}]),
    ("appchat/get", "chat_info.userlist[1]", ("chat_info", "userlist", 1), [None, 5, {"userid": "bob"}]),
    ("appchat/get", "chat_info.owner", ("chat_info", "owner"), [None, 0, ["alice"]]),
    ("appchat/get", "chat_info.name", ("chat_info", "name"), [None, 0]),
    ("department/simplelist", "department_id", ("department_id",), [None, "1,2", {"id": 1}]),
    ("department/simplelist", "department_id[1]", ("department_id", 1), [None, 2, "2"]),
    ("department/simplelist", "department_id[1].id", ("department_id", 1, "id"), [None, "2", 2.0, True]),
    ("department/simplelist", "department_id[1].parentid", ("department_id", 1, "parentid"), [None, "1"]),
    ("department/get", "department", ("department",), [None, [], "x"]),
    ("department/get", "department.name", ("department", "name"), [None, 3]),
    ("user/simplelist", "userlist", ("userlist",), [None, "alice", {}, 0]),
    ("user/simplelist", "userlist[1]", ("userlist", 1), [None, "bob"]),
    ("user/simplelist", "userlist[1].userid", ("userlist", 1, "userid"), [None, 7, "", ["bob"]]),
    ("user/simplelist", "userlist[0].name", ("userlist", 0, "name"), [7, ["A"]]),
    ("tag/get", "userlist", ("userlist",), [None, "alice", {}]),
    ("tag/get", "userlist[0].userid", ("userlist", 0, "userid"), [None, 1]),
    ("tag/get", "partylist", ("partylist",), [None, "2", {}]),
    ("tag/get", "partylist[1]", ("partylist", 1), [None, "3", True]),
    ("tag/get", "tagname", ("tagname",), [5]),
    ("user/get", "status", ("status",), [None, "5", True]),
    ("user/get", "name", ("name",), [5, ["Vera"]]),
    ("media/upload", "media_id", ("media_id",), [None, 5, ""]),
]

_DROP = object()


def _with(answer: dict, steps: tuple, value) -> dict:
    changed = copy.deepcopy(answer)
    holder = changed
    for step in steps[:-1]:
        holder = holder[step]
    if value is _DROP:
        del holder[steps[-1]]
    else:
        holder[steps[-1]] = value
    return changed


def test_every_well_formed_answer_reads_as_what_it_says():
    read = {endpoint: parse(answer) for endpoint, (answer, parse) in GOOD.items()}
    assert read["gettoken"] == ("tok", 7200.0)
    assert read["appchat/get"] == LiveChat("c", "C", "alice", frozenset({"alice", "bob"}))
    assert read["department/simplelist"] == [Department(1, 0), Department(2, 1)]
    assert read["department/get"] == "研发"
    assert read["user/simplelist"] == [("alice", "A"), ("bob", None)]
    assert read["tag/get"] == (Tag(9, "oncall", ("alice",), (2, 3)), [("alice", "A")])
    assert read["media/upload"] == "m1"
    assert read["user/get"] == (5, "Vera")


def test_empty_lists_are_answers_too():
    # An empty department or tag is a real answer; the plan decides what it means (may_be_empty).
    assert parse_user_simplelist({"errcode": 0, "userlist": []}, 4) == []
    assert parse_tag_get({"errcode": 0, "userlist": [], "partylist": []}, 9)[0].users == ()


@pytest.mark.parametrize(("endpoint", "field", "steps", "values"), MALFORMED,
                         ids=[f"{m[0]}:{m[1]}" for m in MALFORMED])
def test_a_missing_or_mistyped_field_is_a_malformed_answer_naming_endpoint_and_field(endpoint, field, steps,
                                                                                      values):
    answer, parse = GOOD[endpoint]
    # not always sent: only its type is checked; and an item left out of a list is a shorter list
    optional = field in ("userlist[0].name", "tagname", "name") or isinstance(steps[-1], int)
    for value in ([] if optional else [_DROP]) + values:
        with pytest.raises(MalformedAnswer) as caught:
            parse(_with(answer, steps, value))
        exc = caught.value
        assert (exc.path, exc.field) == (endpoint, field), value
        assert str(exc).startswith(endpoint) and repr(field) in str(exc), str(exc)
        assert exc.errcode is None and isinstance(exc, TransportError)


def test_an_optional_field_left_out_is_no_error():
    answer, _ = GOOD["user/simplelist"]
    assert parse_user_simplelist(_with(answer, ("userlist", 0, "name"), _DROP), 1)[0] == ("alice", None)
    answer, _ = GOOD["tag/get"]
    assert parse_tag_get(_with(answer, ("tagname",), _DROP), 9)[0].name == ""


def test_the_message_says_what_was_asked_and_never_a_value():
    answer, _ = GOOD["gettoken"]
    answer = _with(answer, ("access_token",), "a-real-token-VALUE")
    with pytest.raises(MalformedAnswer) as caught:
        parse_token(_with(answer, ("expires_in",), "soon"))
    assert "VALUE" not in str(caught.value) and "soon" not in str(caught.value)
    answer, _ = GOOD["user/simplelist"]
    with pytest.raises(MalformedAnswer) as caught:
        parse_user_simplelist(_with(answer, ("userlist",), _DROP), 3)
    assert str(caught.value) == "user/simplelist (department 3): malformed answer: no 'userlist'"
    answer, _ = GOOD["appchat/get"]
    with pytest.raises(MalformedAnswer) as caught:
        parse_chat_info(_with(answer, ("chat_info", "userlist"), "alice"), "c")
    assert str(caught.value) == "appchat/get (chat c): malformed answer: 'chat_info.userlist' is a string, not a list"
    assert caught.value.chat_id == "c"
