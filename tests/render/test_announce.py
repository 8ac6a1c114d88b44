"""The markdown message `apply --announce` sends."""

from __future__ import annotations

import pytest

from reconciler.core.planner import make_plan
from reconciler.render.announce import DEFAULT_TEMPLATE, TemplateError, message_for, parse_template
from tests.builders import desired, live

def test_announcement_names_who_joined_and_left():
    plan = make_plan([desired("team", ["alice", "carol", "dave"], owner="alice")],
                     {"team": live("team", ["alice", "bob"], owner="alice")})
    text = message_for(plan.changes[0])
    assert "Chat team" in text
    assert "Joined (2): carol, dave" in text
    assert "Left (1): bob" in text


def test_announcement_is_cut_to_2048_bytes_with_and_n_more():
    joiners = [f"user{i:04d}" for i in range(1500)]
    plan = make_plan([desired("big", ["alice", *joiners], owner="alice", name="大群" * 20)],
                     {"big": live("big", ["alice", "bob"], owner="alice", name="大群" * 20)})
    text = message_for(plan.changes[0])
    assert len(text.encode("utf-8")) <= 2048
    assert "Joined (1500): user0000, " in text
    assert " more" in text and "Left (1): bob" in text
    shown = text.split("Joined (1500): ")[1].split(" and ")[0].split(", ")
    more = int(text.split(" and ")[1].split(" more")[0])
    assert len(shown) + more == 1500


# -- templates (apply --announce-template) ------------------------------------


def _change(before_members, after_members, name="Team", new_name=None, owner="alice", new_owner=None):
    plan = make_plan([desired("team", after_members, owner=new_owner or owner, name=new_name or name)],
                     {"team": live("team", before_members, owner=owner, name=name)})
    return plan.changes[0]


def test_a_template_with_every_placeholder():
    template = parse_template("## {chat} ({chat_id}), owned by {owner}\n"
                              "+ {joined_count}: {joined}\n- {left_count}: {left}\n"
                              "{{literal braces}}")
    text = message_for(_change(["alice", "bob"], ["alice", "carol", "dave"]), template=template)
    assert text == ("## Team (team), owned by alice\n+ 2: carol, dave\n- 1: bob\n{literal braces}")


def test_lines_with_nothing_to_say_are_left_out():
    template = parse_template("{chat}:\nin: {joined}\nout: {left}\nnow called {renamed}\nowner {new_owner}")
    assert message_for(_change(["alice", "bob"], ["alice", "bob", "carol"]), template=template) == "Team:\nin: carol"
    renamed = _change(["alice", "bob"], ["alice", "bob"], new_name="Team 2")
    assert message_for(renamed, template=template) == "Team 2:\nnow called Team → Team 2"


def test_a_template_that_reports_nothing_of_this_change_sends_nothing():
    only_people = parse_template("**{chat}**\nJoined: {joined}\nLeft: {left}")
    assert message_for(_change(["alice", "bob"], ["alice", "bob"], new_name="New"), template=only_people) is None
    always = parse_template("The members of {chat} changed: see the chat files.")
    assert message_for(_change(["alice", "bob"], ["alice", "bob", "carol"]), template=always) == \
        "The members of Team changed: see the chat files."


def test_the_default_template_is_the_default_message():
    change = _change(["alice", "bob"], ["alice", "carol"], new_name="Team 2", new_owner="carol")
    assert message_for(change) == message_for(change, template=parse_template(DEFAULT_TEMPLATE)) == (
        "**Membership update: Team 2**\n> Renamed: Team → Team 2\n> New owner: carol\n"
        "> Joined (1): carol\n> Left (1): bob")


def test_a_template_is_cut_to_2048_bytes_too():
    joiners = [f"user{i:04d}" for i in range(1500)]
    template = parse_template("群 {chat} 新成员 {joined_count} 位：{joined}")
    text = message_for(_change(["alice", "bob"], ["alice", "bob", *joiners]), template=template)
    assert len(text.encode("utf-8")) <= 2048 and text.startswith("群 Team 新成员 1500 位：user0000, ")
    assert text.endswith(" more")


@pytest.mark.parametrize("text, message", [
    ("", "the template is empty"),
    ("  \n", "the template is empty"),
    ("hi {who}", (1, 4, "unknown placeholder '{who}'; known: {chat}, {chat_id}")),
    ("ok\n{ chat }", (2, 1, "unknown placeholder '{ chat }'")),
    ("a } b", (1, 3, "a lone '}' (write '}}' for the character itself)")),
    ("{chat", (1, 1, "a lone '{'")),
    ("x" * 2049, "the template's own text is 2049 bytes; WeCom's markdown limit is 2048"),
])
def test_templates_that_cannot_be_used(text, message):
    with pytest.raises(TemplateError) as e:
        parse_template(text)
    if isinstance(message, tuple):
        line, col, message = message
        assert (e.value.line, e.value.col) == (line, col)
    assert message in str(e.value)


def test_the_limit_counts_the_templates_own_text_in_utf8_bytes():
    assert parse_template("x" * 2048) is not None
    assert parse_template("{{" * 1023 + "\n{joined}") is not None  # 1023 braces and one line break: 1024 bytes
    with pytest.raises(TemplateError, match="2049 bytes"):
        parse_template("字" * 683)
