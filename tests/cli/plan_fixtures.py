"""Shared set-up for the plan/import command tests: a seeded WeCom, chat files
that differ from it in every way the contract names, and an in-process CLI
runner (the emulator runs in this process too, over real HTTP)."""

from __future__ import annotations

import textwrap
from pathlib import Path

from tests.helpers import Result, wecom_env  # noqa: F401 - re-exported for the plan/import tests
from tests.helpers import run_in_process as run  # noqa: F401 - re-exported


# What WeCom holds before the plan.
SEED = {
    "chats": [
        # sre: carol must join, dave must leave
        {"chatid": "sre", "name": "SRE On-call", "owner": "alice", "userlist": ["alice", "bob", "dave"]},
        # ops: a rename only
        {"chatid": "ops", "name": "Ops", "owner": "erin", "userlist": ["erin", "frank"]},
        # same: already as the files say
        {"chatid": "same", "name": "Same Chat", "owner": "alice", "userlist": ["alice", "bob"]},
        # big: 10 members, the files keep 6 (40% removed: a mass-removal warning)
        {"chatid": "big", "name": "Big", "owner": "u0",
         "userlist": [f"u{i}" for i in range(10)]},
    ],
    "foreign_chats": [
        {"chatid": "legacy", "name": "Legacy", "owner": "alice", "userlist": ["alice", "bob"]},
    ],
}

TEAM_YAML = """\
    groups:
      sre: [alice, bob]
    chats:
      sre:
        name: SRE On-call
        owner: alice
        members: ["@sre", carol]
      ops:
        name: Operations
        owner: erin
        members: [erin, frank]
      same:
        name: Same Chat
        owner: alice
        members: [alice, bob]
    """

MORE_YAML = """\
    chats:
      big:
        name: Big
        owner: u0
        members: [u0, u1, u2, u3, u4, u5]
      newchat:
        name: New Chat
        owner: gina
        members: [gina, hank]
    """

LEGACY_YAML = """\
    chats:
      legacy:
        name: Legacy
        owner: alice
        members: [alice, bob, carol]
    """


def write_files(root: Path, with_legacy: bool = False) -> Path:
    chats = root / "chats"
    chats.mkdir(parents=True, exist_ok=True)
    (chats / "team.yaml").write_text(textwrap.dedent(TEAM_YAML), encoding="utf-8")
    (chats / "more.yaml").write_text(textwrap.dedent(MORE_YAML), encoding="utf-8")
    if with_legacy:
        (chats / "legacy.yaml").write_text(textwrap.dedent(LEGACY_YAML), encoding="utf-8")
    return chats


def posts(emu) -> list[dict]:
    return [c for c in emu.calls() if c["method"] != "GET"]


def tokens_issued(emu) -> set[str]:
    """Every access token the emulator handed out: what must never be printed.
    (Its call log masks them, so ask its token store.)"""
    return set(emu.issued_tokens())
