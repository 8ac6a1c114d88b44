"""docs/internals.md draws one `dept:` entry's walk from its YAML line to
the appchat/update call: every name it uses exists, and no layer after the
config's parses an entry's text again."""

from __future__ import annotations

import importlib
import re
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
PACKAGE = REPO / "reconciler"


def _section() -> str:
    text = (REPO / "docs" / "internals.md").read_text(encoding="utf-8")
    return text.split("## One `dept:` entry, from its line to the call", 1)[1].split("\n## ", 1)[0]


def _resolve(dotted: str) -> object:
    parts = dotted.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            found: object = importlib.import_module(".".join(parts[:cut]))
        except ModuleNotFoundError:
            continue
        for attr in parts[cut:]:
            found = getattr(found, attr)
        return found
    raise ModuleNotFoundError(dotted)


def test_every_name_the_walk_uses_exists():
    names = set(re.findall(r"\breconciler(?:\.\w+)+", _section()))
    assert len(names) >= 15  # the walk is drawn, not gone
    missing = []
    for name in sorted(names):
        try:
            _resolve(name)
        except (ModuleNotFoundError, AttributeError):
            missing.append(name)
    assert missing == []


def test_a_dept_entry_walks_from_its_line_to_the_update_call_as_one_typed_entry(tmp_path):
    from reconciler.config import load
    from reconciler.core.directory import Department, Directory
    from reconciler.core.model import DEPT, Entry, LiveChat
    from reconciler.core.planner import make_plan

    (tmp_path / "ops.yaml").write_text("groups:\n  team: [a, dept:12]\nchats:\n  ops:\n    name: Ops\n"
                                       "    owner: a\n    members: [b, '@team']\n", encoding="utf-8")
    loaded = load([str(tmp_path)])
    (chat,) = loaded.chats
    (entry,) = chat.grants
    assert entry.__class__ is Entry and (entry.kind, entry.unit, entry.user, entry.via) == (DEPT, 12, None, ("team",))
    assert entry.source.located == f"{tmp_path}/ops.yaml:2:13"  # `  team: [a, dept:12]`
    directory = Directory(departments={12: Department(12, 1)}, members={12: ("Carol", "dan")})
    plan = make_plan([chat], {"ops": LiveChat("ops", "Ops", "a", frozenset({"a", "b"}))}, directory=directory)
    (change,) = plan.changes
    assert [c.data for c in change.calls] == [{"method": "POST", "path": "appchat/update",
                                               "body": {"chatid": "ops", "add_user_list": ["Carol", "dan"]}}]


# Modules that look for ':' in something that is not an entry.
NOT_ENTRIES = {"core/planformat/views.py": "a saved plan's expiring user_id, read from the file",
               "wecom/transport.py": "a URL's host", "wecom/credentials.py": "a URL's user:password"}


def test_no_layer_after_config_reads_an_entry_as_text():
    """`dept:12` is parsed in config.entries (and a saved plan's reader,
    core.planformat.views, which reads a file); nowhere else is a `:` looked for in
    a user id or an entry."""
    readers = []
    for path in sorted(PACKAGE.rglob("*.py")):
        name = path.relative_to(PACKAGE).as_posix()
        if name.startswith(("config/", "emulator/")) or name in NOT_ENTRIES:
            continue  # the file readers, the emulator (WeCom's side)
        text = path.read_text(encoding="utf-8")
        if re.search(r'":" (?:not )?in |\.partition\(":"\)|\.split\(":"\)', text):
            readers.append(name)
    assert readers == []
