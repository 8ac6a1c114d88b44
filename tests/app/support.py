"""Helpers for the apply/send tests (no tests here): chat files on disk, the
CLI in process, the emulator over real HTTP, and views of its call log."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path
from typing import Iterable

from tests.helpers import Result, wecom_env  # noqa: F401 - Result re-exported for the apply tests
from tests.helpers import run_in_process as run  # noqa: F401 - re-exported

WRITES = ("appchat/create", "appchat/update", "appchat/send")


def chat(chatid: str, members: Iterable[str], owner: str | None = None, name: str | None = None) -> dict:
    members = sorted(members)
    return {"chatid": chatid, "name": name or f"Chat {chatid}", "owner": owner or members[0],
            "userlist": members}


def write_chats(root: Path, chats: Iterable[dict], filename: str = "chats.yaml", prune: bool | None = None) -> Path:
    """Chat files from dicts shaped like the emulator's chats (chatid/name/owner/userlist)."""
    folder = root / "chats"
    folder.mkdir(parents=True, exist_ok=True)
    lines = ["chats:"]
    for c in chats:
        lines += [f"  {c['chatid']}:",
                  f"    name: {json.dumps(c['name'], ensure_ascii=False)}",
                  f"    owner: {c['owner']}",
                  f"    members: [{', '.join(sorted(c['userlist']))}]"]
        if prune is not None:
            lines.append(f"    prune: {'true' if prune else 'false'}")
    (folder / filename).write_text("\n".join(lines) + "\n", encoding="utf-8")
    return folder


def use_emulator(monkeypatch, emu) -> None:
    wecom_env(monkeypatch, emu)


def start_apply_env(emulator_factory, monkeypatch, tmp_path: Path, seed: dict, desired: Iterable[dict],
                    **config):
    """An emulator seeded with `seed` that the in-process CLI talks to, chat
    files for `desired` in tmp_path/chats, tmp_path as the working directory
    and as the apply lock's directory (tests never share a lock)."""
    e = emulator_factory(seed=seed, **config)
    use_emulator(monkeypatch, e)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("APPCHAT_LOCK_DIR", str(tmp_path))
    write_chats(tmp_path, desired)
    return e


def writes(emu) -> list[dict]:
    """Every write WeCom received (whatever the answer)."""
    return [c for c in emu.calls() if c["method"] != "GET" or c["path"] in WRITES]


def ok_writes(emu, path: str | None = None) -> list[dict]:
    return [c for c in writes(emu) if c["errcode"] == 0 and (path is None or c["path"] == path)]


def state(emu, chatid: str) -> dict | None:
    """A chat as WeCom holds it, in the seed's shape (or None)."""
    c = emu.chat(chatid)
    if c is None:
        return None
    return {"chatid": c["chatid"], "name": c["name"], "owner": c["owner"], "userlist": sorted(c["userlist"])}


def dedent(text: str) -> str:
    return textwrap.dedent(text)


# The world of the interrupted-apply tests (killed, signalled): ten one-call
# updates (carol in, dave out) and four creates, enough to land mid-run.
N_UPDATES, N_CREATES = 10, 4
SEED = {"chats": [chat(f"u{i:02d}", ["alice", "bob", "dave"], owner="alice") for i in range(N_UPDATES)]}
DESIRED = ([chat(f"u{i:02d}", ["alice", "bob", "carol"], owner="alice") for i in range(N_UPDATES)]
           + [chat(f"n{i:02d}", ["gina", "hank"], owner="gina") for i in range(N_CREATES)])
BEFORE = {c["chatid"]: c for c in SEED["chats"]}
AFTER = {c["chatid"]: c for c in DESIRED}
