"""Every user id `--check-users` refuses is located where it is written:
the list item itself (block list, flow list, a mapping entry), and inside
the group that brings it in, however the list was parsed (lifted out of
the text or composed node by node)."""

from __future__ import annotations

import textwrap

import pytest

from tests.helpers import run_in_process as run
from tests.helpers import wecom_env

ORG = {
    "departments": [{"id": 1, "name": "Acme", "parentid": 0}],
    "users": [{"userid": u, "name": u.title(), "department": [1]} for u in ("alice", "bob", "carol", "danny")],
}


@pytest.fixture
def emu(emulator_factory, monkeypatch):
    emu = emulator_factory(seed=ORG)
    wecom_env(monkeypatch, emu)
    return emu


def where(path, text: str, needle: str, after: str = "") -> str:
    """FILE:LINE:COL of the first `needle` after `after` in the text (1-based)."""
    index = text.index(needle, text.index(after))
    line = text.count("\n", 0, index) + 1
    col = index - (text.rfind("\n", 0, index) + 1) + 1
    return f"{path}:{line}:{col}"


def source_of_error(capsys, tmp_path, text: str) -> tuple[str, str, object]:
    text = textwrap.dedent(text)
    path = tmp_path / "b.yaml"
    path.write_text(text, encoding="utf-8")
    r = run(capsys, "plan", path, "--check-users", "--format", "json")
    (error,) = r.json()["errors"]
    return error["source"], text, path


# The lists in several forms: a block list as `appchat import` writes it
# (lifted out of the text), one that must be composed (a quoted item), a
# flow list lifted and one composed, and a mapping entry.
CASES = {
    "block list, lifted": ("members:\n      - alice\n      - bob\n      - dann\n", "dann"),
    "block list, composed": ("members:\n      - alice\n      - \"bob\"\n      - dann\n", "dann"),
    "flow list, lifted": ("members: [alice, bob, dann]\n", "dann"),
    "flow list, composed": ("members: [alice, \"bob\", dann]\n", "dann"),
    "flow list, first item": ("members: [dann, alice, bob]\n", "dann"),
    "mapping entry": ("members: [alice, bob, {user: dann, until: 2099-01-01}]\n", "user: dann"),
}


@pytest.mark.parametrize("members,typo", CASES.values(), ids=CASES.keys())
def test_a_typo_is_located_at_the_list_item_not_at_members(emu, tmp_path, capsys, members, typo):
    source, text, path = source_of_error(capsys, tmp_path, "chats:\n  b:\n    name: B\n    owner: alice\n    "
                                         + members)
    assert source == where(path, text, typo)


GROUPS = {
    "flow list": ("[carol, dann]", "dann", "team:"),
    "block list": ("\n    - carol\n    - dann", "dann", "team:"),
    "quoted": ("[carol, 'dann']", "'dann'", "team:"),
    "nested group": ("[carol, \"@inner\"]", "dann]", "inner:"),
}


@pytest.mark.parametrize("group,needle,after", GROUPS.values(), ids=GROUPS.keys())
def test_a_typo_inside_a_group_is_located_in_the_group(emu, tmp_path, capsys, group, needle, after):
    source, text, path = source_of_error(capsys, tmp_path, f"""\
groups:
  inner: [danny, dann]
  team: {group}
chats:
  b:
    name: B
    owner: alice
    members: [alice, bob, "@team"]
""")
    assert source == where(path, text, needle, after)
    assert ":8:" not in source  # never the chat's `members:`
