"""Properties of the loader: a valid model written as YAML loads back to the
same model; whatever bytes it is given, it answers with diagnostics or chats,
never an exception, and in bounded time and memory."""

from __future__ import annotations

import re
import tempfile
from pathlib import Path

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reconciler.config import load
from reconciler.config.yamlnodes import MAX_ALIAS_EXPANSION
from reconciler.config.yamlwords import is_word

# No deadline: the machine is shared, and a timing assertion would be flaky.
# Work per example is bounded by the sizes the strategies draw instead.
FAST = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# Strings YAML would read as something else unless quoted: the dumper must
# quote them and the loader must keep them strings.
# Ids YAML would read as something else (booleans, numbers, null) that are still valid user ids.
TRAPS = ["no", "yes", "on", "off", "y", "n", "true", "null", "007", "1e3", "0x1f", "1_000", "0b101"]
USER = st.one_of(st.sampled_from(TRAPS), st.from_regex(r"\A[a-z0-9][a-z0-9_.@\-]{0,11}\Z"))
CHAT_ID = st.one_of(st.sampled_from(["007", "1e3", "123", "on"]), st.from_regex(r"\A[0-9a-zA-Z]{1,32}\Z"))
NAME = st.text(st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=50)
LINE = re.compile(r"^.+:\d+:\d+: (error|warning): .+$")


@st.composite
def models(draw):
    """(groups, chats): groups reference only earlier groups (no cycles);
    every chat has 2+ members after expansion and its owner among them."""
    n_groups = draw(st.integers(0, 5))
    groups: dict[str, list[str]] = {}
    for i in range(n_groups):
        name = f"g{i}"
        refs = draw(st.lists(st.sampled_from([f"@{g}" for g in groups]), unique=True)) if groups else []
        groups[name] = draw(st.lists(USER, max_size=5, unique=True)) + refs

    def expand(entries):
        out = set()
        for e in entries:
            out |= expand(groups[e[1:]]) if e.startswith("@") else {e}
        return out

    chats = {}
    for chat_id in draw(st.lists(CHAT_ID, min_size=1, max_size=6, unique=True)):
        refs = draw(st.lists(st.sampled_from([f"@{g}" for g in groups]), unique=True, max_size=3)) if groups else []
        members = draw(st.lists(USER, min_size=2, max_size=8, unique=True)) + refs
        owner = draw(st.sampled_from(sorted(expand(members))))
        chat = {"name": draw(NAME), "owner": owner, "members": members}
        if draw(st.booleans()):
            chat["prune"] = draw(st.booleans())
        chats[chat_id] = chat
    return groups, chats, expand


def _load_text(files: dict[str, bytes]):
    with tempfile.TemporaryDirectory() as tmp:
        for name, data in files.items():
            (Path(tmp) / name).write_bytes(data)
        return load([tmp])


class _Dumper(yaml.SafeDumper):
    """safe_dump, quoting the boolean words in every letter case (`nO`),
    which chat files refuse unquoted and PyYAML leaves plain."""


def _str(dumper, value):
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style='"' if is_word(value) else None)


_Dumper.add_representer(str, _str)


@FAST
@given(models(), st.integers(1, 3), st.booleans())
def test_a_valid_model_round_trips(model, n_files, flow):
    groups, chats, expand = model
    ids = sorted(chats)
    files: dict[str, bytes] = {}
    for k in range(n_files):  # groups in the first file, chats spread over all
        doc = {"groups": groups} if k == 0 and groups else {}
        part = {cid: chats[cid] for cid in ids[k::n_files]}
        if part:
            doc["chats"] = part
        files[f"f{k}.yaml"] = yaml.dump(doc, Dumper=_Dumper, allow_unicode=True, default_flow_style=flow).encode()
    result = _load_text(files)
    assert result.errors == (), [str(e) for e in result.errors]
    assert [c.chat_id for c in result.chats] == ids
    for chat in result.chats:
        want = chats[chat.chat_id]
        assert (chat.name, chat.owner, chat.prune) == (want["name"], want["owner"], want.get("prune", True))
        assert chat.members == frozenset(expand(want["members"]))
        assert set(chat.via) == chat.members
    assert dict(result.groups) == {g: frozenset(expand(e)) for g, e in groups.items()}


def _assert_sane(result, data: bytes):
    """Every diagnostic is one `FILE:LINE:COL: severity: message` line that
    points into the file that was written (no traceback, no position past
    its end; the end of the input itself is the line after the last)."""
    text = data.decode("utf-8", errors="replace")
    lines = sum(text.count(c) for c in "\n\r\x85\u2028\u2029") + 1  # every line break YAML counts
    for d in result.errors + result.warnings:
        assert LINE.match(str(d)), str(d)
        assert d.source.file.endswith("a.yaml") and 1 <= d.source.line <= lines + 1 and d.source.col >= 1, str(d)


@FUZZ
@given(st.text(max_size=400))
def test_random_text_never_raises(text):
    data = text.encode("utf-8", errors="surrogatepass")
    _assert_sane(_load_text({"a.yaml": data}), data)


@FUZZ
@given(st.binary(max_size=400))
def test_random_bytes_never_raise(data):
    _assert_sane(_load_text({"a.yaml": data}), data)


TOKENS = ["chats:", "groups:", "\n", "  ", "    ", "- ", "&a ", "*a", "&b ", "*b", "&a [*a]", "[&b [*b], &c [*c]]", "[", "]", "{", "}", ", ",
          ": ", "no", "007", "@g", "@a", "g:", "ab:", "name:", "owner:", "members:", "prune:", "\t", "<<: ",
          "!!str ", "!x ", "? ", "---\n", "'", '"', "~", "#", "x", "alice", "bob", "\u00e9", "|\n", ">\n"]


@FUZZ
@given(st.lists(st.sampled_from(TOKENS), max_size=80))
def test_yaml_shaped_noise_never_raises(tokens):
    data = "".join(tokens).encode()
    _assert_sane(_load_text({"a.yaml": data}), data)


@FAST
@given(st.integers(1, 3000), st.sampled_from(["flow_seq", "flow_map", "block_map", "block_seq"]))
def test_deep_nesting_is_bounded(depth, shape):
    if shape == "flow_seq":
        text = "chats: " + "[" * depth + "]" * depth
    elif shape == "flow_map":
        text = "chats: " + "{a: " * depth + "x" + "}" * depth
    elif shape == "block_map":
        text = "".join(" " * i + f"k{i}:\n" for i in range(min(depth, 400)))
    else:
        text = "".join(" " * (2 * i) + "- \n" for i in range(min(depth, 400)))
    result = _load_text({"a.yaml": text.encode()})
    _assert_sane(result, text.encode())
    assert not result.ok


@FAST
@given(st.integers(2, 12), st.integers(2, 12), st.booleans())
def test_alias_bombs_are_refused_at_an_alias(levels, width, as_chat_members):
    lines = ["a0: &a0 [" + ", ".join(["x"] * width) + "]"]
    for i in range(1, levels):
        lines.append(f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * width) + "]")
    if as_chat_members:
        lines.append(f"chats:\n  ab:\n    name: X\n    owner: x\n    members: *a{levels - 1}")
    text = "\n".join(lines) + "\n"
    result = _load_text({"a.yaml": text.encode()})
    _assert_sane(result, text.encode())
    bombs = [e for e in result.errors if "alias bomb" in e.message]
    # What the aliases add when expanded: a_i is one list node holding
    # `width` copies of a_(i-1); the chat's members add one more a_(levels-1).
    size = [1 + width]
    for _ in range(1, levels):
        size.append(1 + width * size[-1])
    added = sum(width * size[i - 1] for i in range(1, levels)) + (size[-1] if as_chat_members else 0)
    if added > MAX_ALIAS_EXPANSION:
        assert len(bombs) == 1 and bombs[0].source.line <= levels + 5
        assert re.match(r"alias \*a\d+ expands", bombs[0].message)
        assert len(result.errors) == 1
    else:
        assert bombs == []
