"""Each id rule has one home, core.facts: its pattern and its words. Every
other copy (the JSON Schema's patterns and descriptions, the fast paths of
the config layer, the messages) is derived from it or checked here."""

from __future__ import annotations

import json
import re
import string
from pathlib import Path

from reconciler.config import definitions, flowlists
from reconciler.config.schema import NOT_A_BOOLEAN_WORD, schema_text
from reconciler.core import facts

PACKAGE = Path(__file__).resolve().parents[2] / "reconciler"
PRINTABLE = [chr(c) for c in range(0x21, 0x7f)] + [" ", "\t", "中"]


def _quoted(rule: str) -> set[str]:
    """The punctuation a rule's words name: `'_', '-'`."""
    return set(re.findall(r"'(.)'", rule))


def test_the_user_id_words_say_what_the_pattern_allows():
    allowed = {c for c in PRINTABLE if facts.is_user_id("a" + c)}
    assert allowed == set(string.ascii_letters + string.digits) | _quoted(facts.USER_ID_RULE)
    first = {c for c in PRINTABLE if facts.is_user_id(c)}
    assert first == set(string.ascii_letters + string.digits)  # "beginning with a letter or a digit"
    assert facts.USER_ID_RULE.endswith("beginning with a letter or a digit")
    low, high = map(int, re.match(r"(\d+)-(\d+) characters", facts.USER_ID_RULE).groups())
    assert facts.is_user_id("a" * high) and not facts.is_user_id("a" * (high + 1)) and (low, high) == (1, 64)


def test_the_chat_id_and_group_name_words_say_what_the_patterns_allow():
    assert {c for c in PRINTABLE if facts.is_chat_id(c)} == set(string.ascii_letters + string.digits)
    assert facts.CHAT_ID_RULE == f"1-{facts.CHAT_ID_MAX_LEN} characters of 0-9 a-z A-Z"
    assert facts.is_chat_id("a" * facts.CHAT_ID_MAX_LEN) and not facts.is_chat_id("a" * (facts.CHAT_ID_MAX_LEN + 1))
    group = re.compile(facts.GROUP_NAME_PATTERN[1:-1])
    allowed = {c for c in PRINTABLE if group.fullmatch("a" + c) and group.fullmatch(c)}
    assert allowed == set(string.ascii_letters + string.digits) | _quoted(facts.GROUP_NAME_RULE)


def test_the_schema_describes_each_id_in_the_words_of_core_facts():
    defs = json.loads(schema_text())["$defs"]
    assert defs["chatId"]["description"].startswith(f"A chat id: {facts.CHAT_ID_RULE}. ")
    assert defs["userId"]["description"].startswith(f"A WeCom user id: {facts.USER_ID_RULE} ")
    assert defs["groupName"]["description"].startswith(f"A group name: {facts.GROUP_NAME_RULE}; ")
    # the patterns, both of the user id's (userId and memberString), are core.facts' (test_facts checks them whole)
    patterns = [d["pattern"].replace(NOT_A_BOOLEAN_WORD, "") for d in (defs["userId"], defs["memberString"])]
    assert all(facts.USER_ID_PATTERN[1:-1] in p for p in patterns)


def test_the_config_fast_paths_accept_no_id_the_rule_refuses():
    """The lifted lists (flowlists) take a subset of user ids, the rule's
    without '@'; the plain-entry check (config.definitions) is the rule or '@' and a group
    name. Neither may let through what core.facts refuses."""
    item = re.compile(flowlists._ITEM)
    assert flowlists._ITEM == facts.USER_ID_PATTERN[1:-1].replace("@", "")
    for text in ["a" + c for c in PRINTABLE] + [c for c in PRINTABLE] + ["a" * 64, "a" * 65, "zhang.san@corp"]:
        if item.fullmatch(text):
            assert facts.is_user_id(text) and "@" not in text, text
        plain = definitions._PLAIN(text) is not None
        assert plain == (facts.is_user_id(text) or (text[:1] == "@" and re.fullmatch(
            facts.GROUP_NAME_PATTERN[1:-1], text[1:]) is not None)), text


def test_no_copy_of_an_id_rule_is_written_outside_core_facts():
    """The words and the patterns appear once in the package (the schema
    file, which test_facts and the tests above tie to core.facts, aside)."""
    copies = ("1-32 characters", "1-64 characters", "{0,63}", "0-9 a-z A-Z", "{1,32}")
    found = [f"{path.relative_to(PACKAGE)}: {copy}" for path in sorted(PACKAGE.rglob("*.py"))
             if path.name != "facts.py" or path.parent.name != "core"
             for copy in copies if copy in path.read_text(encoding="utf-8")]
    assert found == []


# Every `.lower()` in the package that is not on a user id: YAML 1.1's
# boolean words, file suffixes, HTTP and multipart header names.
NOT_ON_A_USER_ID = {
    "config/yamlwords.py": ("value.lower() in BOOLEAN_WORDS", "node.value.lower() not in", "node.value.lower() in"),
    "config/entries.py": ("node.value.lower() not in", "node.value.lower() =="),
    "config/definitions.py": ("node.value.lower() in", "node.value.lower() =="),
    "config/files.py": ("name.lower().endswith(SUFFIXES)",),
    "render/chatfile.py": ("text.lower() in _BOOLEAN_WORDS",),
    "core/wanted.py": ("str(now.removes is None).lower()", "str(recorded.removes is None).lower()"),
    "core/media.py": ('name.rpartition(".")[2].lower()',),
    "emulator/calllog.py": ("key.lower() in SECRET_PARAMS",),
    "emulator/server.py": ('"Transfer-Encoding", "").lower()',),
    "emulator/outbox.py": ('part.filename.rpartition(".")[2].lower()',),
    "emulator/multipart.py": ("found[key.lower()]", "kind.strip().lower()", "headers[key.strip().lower()]",
                              "disposition.lower()"),
}


def test_no_user_id_has_its_case_folded_outside_core_userids():
    """WeCom ignores letter case in user ids; core.userids is the one place
    that says so. A raw `.lower()` elsewhere is either one of the known
    non-id uses above or a second, silent copy of the rule."""
    stray = []
    for path in sorted(PACKAGE.rglob("*.py")):
        name = path.relative_to(PACKAGE).as_posix()
        if name == "core/userids.py":
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if (".lower()" in line or "str.lower" in line or ".casefold(" in line) \
                    and not any(known in line for known in NOT_ON_A_USER_ID.get(name, ())):
                stray.append(f"{name}:{number}: {line.strip()}")
    assert stray == []
    # and the allowance is not stale: each known use is still there
    for name, known in NOT_ON_A_USER_ID.items():
        text = (PACKAGE / name).read_text(encoding="utf-8")
        assert all(k in text for k in known), name


# The canonical form of a user is for what is derived from a user, never for
# telling two users apart (that is same_user, UserIds, UserMap): a sort key,
# the seed of an emulated open_userid. Each use is listed.
CANONICAL_USES = {
    "core/history.py": ("key=lambda m: (m.chat_id, canonical(m.user_id))",),
    "core/messagebudget.py": ("key=lambda k: (-per_member[k], canonical(k))",),
    "emulator/directoryrules.py": ("hashlib.sha256(canonical(user.userid).encode())",),
}


def test_no_caller_compares_folded_ids_itself():
    """Callers ask core.userids whether users are one (same_user, UserIds,
    UserMap), so none has to remember to fold: no module but core.userids
    defines or imports a fold, and `canonical` is used only where listed."""
    import ast

    found: dict[str, list[str]] = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        name = path.relative_to(PACKAGE).as_posix()
        if name == "core/userids.py":
            continue
        text = path.read_text(encoding="utf-8")
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, ast.FunctionDef) and node.name in ("user_key", "user_keys", "same_user"):
                found.setdefault(name, []).append(f"defines {node.name}")
        uses = [line.strip() for line in text.splitlines() if "canonical(" in line]
        allowed = CANONICAL_USES.get(name, ())
        found_uses = [u for u in uses if not any(a in u for a in allowed)]
        if found_uses:
            found.setdefault(name, []).extend(found_uses)
    assert found == {}
    for name, allowed in CANONICAL_USES.items():  # not stale
        assert all(a in (PACKAGE / name).read_text(encoding="utf-8") for a in allowed), name
