"""Parse one chat file into PyYAML nodes that remember where they were
written, and turn them into plain data for the schema check.

PyYAML's constructors throw the positions away and silently keep the last of
two duplicate keys; this module keeps positions, reports duplicates, and
bounds alias expansion so a hostile or mistaken file can neither hang the
loader nor eat memory.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import yaml
from yaml.nodes import Node, ScalarNode

from reconciler.config import flowlists
from reconciler.config.diagnostics import Diagnostic, error
from reconciler.config.yamldata import Converter, at
from reconciler.core.model import Source

try:  # libyaml's parser and composer: about 4x faster on big files
    from yaml import CSafeLoader as FastLoader

    HAVE_LIBYAML = True
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeLoader as FastLoader

    HAVE_LIBYAML = False

# Nodes that aliases may add on top of what is written. A real chat file
# reuses a member list a few times; a billion-laughs file needs billions.
MAX_ALIAS_EXPANSION = 1_000_000
_PRINTABLE_ASCII = bytes([0x09, 0x0a, 0x0d, *range(0x20, 0x7f)])  # what _NON_PRINTABLE lets through, in ASCII
_NON_PRINTABLE = re.compile("[^\x09\x0a\x0d\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _printable_ascii(text: str) -> bool:
    """No character _NON_PRINTABLE finds, told quickly for an ASCII text
    (isascii() is a flag; deleting the printable bytes is one C pass,
    about a tenth of the search)."""
    return text.isascii() and not text.encode("ascii").translate(None, _PRINTABLE_ASCII)


@dataclass
class ParsedFile:
    """One file: its root node (None for an empty file or when it could not be
    parsed), its data (plain dicts/lists/scalars), and what went wrong."""

    file: str
    root: Node | None = None
    data: Any = None
    errors: list[Diagnostic] = field(default_factory=list)
    # (path, key node) of mapping keys that are not strings; the schema
    # module reports them, because it knows what the key was meant to be.
    bad_keys: list[tuple[tuple, Node]] = field(default_factory=list)
    # id(sequence node) -> its converted list, for the lists whose items are
    # all plain strings (tag str): the member lists, which the rules read
    # again and need not convert twice.
    strings: dict[int, list[str]] = field(default_factory=dict)
    # ids of those lists that the schema's quick check found to be well-formed
    # member lists (each a user id or "@group", none twice).
    checked: set[int] = field(default_factory=set)
    # id(sequence node) -> (0-based line, column of the first item, one item
    # per line) for the lists lifted out of the text (see flowlists), whose
    # nodes have no items to say where they were written.
    lifted_at: dict[int, tuple[int, int, bool]] = field(default_factory=dict)
    # id -> the items as a set, for the lifted lists (the converted lists, as
    # `checked`): every item a plain user id without '@', interned, each
    # once in any letter case, none a YAML 1.1 boolean word, as
    # flowlists.lift has seen. Neither the schema's quick check nor the
    # rules need to look at their items again.
    clean: dict[int, frozenset[str]] = field(default_factory=dict)


def parse(file: str, raw: bytes) -> ParsedFile:
    result = ParsedFile(file)
    text = _decode(file, raw, result.errors)
    if text is None:
        return result
    bad = None if _printable_ascii(text) else _NON_PRINTABLE.search(text)
    if bad:
        line, col = _line_col(text, bad.start())
        result.errors.append(error(Source(file, line, col),
                                   f"YAML syntax error: control character {bad.group()!r} is not allowed"))
        return result
    loader = _quick_resolving(FastLoader)
    if loader is not FastLoader:  # resolution by first character: lists can be lifted
        quick = _parse_lifted(file, text, loader)
        if quick is not None:
            return quick
    try:
        root = loader(text).get_single_node()
    except yaml.MarkedYAMLError as exc:
        result.errors.append(_yaml_error(file, text, exc))
        return result
    except yaml.YAMLError as exc:  # ReaderError and friends carry no mark
        result.errors.append(error(Source(file, 1, 1), f"YAML syntax error: {exc}"))
        return result
    except RecursionError:  # the pure-Python composer on absurd nesting
        result.errors.append(error(Source(file, 1, 1), "YAML syntax error: nesting too deep"))
        return result
    if root is None:
        return result
    # '*' and '&' both appear in any file with aliases; most files have none,
    # and the second pass over the events is then skipped.
    if "*" in text and "&" in text:
        problem = _check_aliases(file, text)
        if problem is not None:
            result.errors.append(problem)
            return result
    result.root = root
    result.data = Converter(result).convert(root, (), 0)
    return result


def _parse_lifted(file: str, text: str, loader: type) -> ParsedFile | None:
    """parse() with the member lists of plain ids lifted out of the text
    (see flowlists); None when that cannot give the same answer, and the
    file must be parsed as written."""
    cut, lifted = flowlists.lift(text, loader.yaml_implicit_resolvers)
    if not lifted:
        return None
    try:
        root = loader(cut).get_single_node()
    except (yaml.YAMLError, RecursionError):
        return None  # the messages come from the text as written
    if root is None or ("*" in text and "&" in text and _check_aliases(file, text) is not None):
        return None
    result = ParsedFile(file, root)
    result.data = Converter(result, lifted).convert(root, (), 0)
    return None if lifted else result  # every list claimed, or none of this counts


@lru_cache(maxsize=4)
def _quick_resolving(loader: type) -> type:
    """The loader with a shortcut in resolve(), which PyYAML calls for every
    scalar to find its tag: it tries the implicit resolvers (bool, int,
    null...) registered for the scalar's first character, and a user id
    starts with a letter that has none. Saying "str" at once for those is
    the same answer and a tenth of the load time."""
    if loader.yaml_path_resolvers or None in loader.yaml_implicit_resolvers:
        return loader  # resolution depends on more than the first character

    class Quick(loader):
        def resolve(self, kind: type, value: Any, implicit: Any) -> str:
            if kind is ScalarNode:
                if value and value[0] not in self.yaml_implicit_resolvers:
                    return self.DEFAULT_SCALAR_TAG
                # The same few words again and again (name, owner, members):
                # the answer depends on nothing else.
                tags = self.__dict__.setdefault("_quick_tags", {})
                tag = tags.get((value, implicit))
                if tag is None:
                    tag = tags[value, implicit] = super().resolve(kind, value, implicit)
                return tag
            return super().resolve(kind, value, implicit)

    Quick.__name__ = Quick.__qualname__ = "Quick" + loader.__name__
    return Quick


def _decode(file: str, raw: bytes, errors: list[Diagnostic]) -> str | None:
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        codec = "utf-16"
    else:
        codec = "utf-8-sig"
    try:
        return raw.decode(codec)
    except UnicodeDecodeError as exc:
        if codec == "utf-16":
            errors.append(error(Source(file, 1, 1), "file starts with a UTF-16 byte order mark but is not "
                                                    "valid UTF-16; save it as UTF-8"))
            return None
        start = exc.start + (3 if raw.startswith(b"\xef\xbb\xbf") else 0)  # the decoder dropped the BOM
        line = raw.count(b"\n", 0, start) + 1
        line_start = raw.rfind(b"\n", 0, start) + 1
        col = len(raw[line_start:start].decode("utf-8", errors="replace")) + 1
        byte = raw[start:start + 1].hex()
        errors.append(error(Source(file, line, col),
                            f"file is not valid UTF-8 (byte 0x{byte}); save it as UTF-8"))
        return None


def _line_col(text: str, index: int) -> tuple[int, int]:
    line = text.count("\n", 0, index) + 1
    return line, index - (text.rfind("\n", 0, index) + 1) + 1


def _yaml_error(file: str, text: str, exc: yaml.MarkedYAMLError) -> Diagnostic:
    mark = exc.problem_mark or exc.context_mark
    problem = exc.problem or exc.context or "invalid YAML"
    lines = text.split("\n")
    here = lines[mark.line] if mark is not None and mark.line < len(lines) else ""
    col = mark.column if mark is not None else 0
    if col < len(here) and here[col] == "\t":
        message = "YAML syntax error: tab character; YAML does not allow tabs for indentation, use spaces"
    elif col < len(here) and here[col] in "@`":  # YAML reserves both: `members: [@sre]` is the classic
        word = re.match(r"[^\s,\[\]{}#]*", here[col:]).group()
        message = f"YAML syntax error: {here[col]!r} cannot start an unquoted value; quote it: \"{word}\""
    elif problem.startswith("but ") and exc.context:  # "expected a single document ... but found another"
        message = f"YAML syntax error: {exc.context} {problem}"
    else:
        message = f"YAML syntax error: {problem}"
        if problem == "found undefined alias":
            alias = re.match(r"\*[^\s,\[\]{}]+", here[col:])
            message += f" {alias.group()}" if alias else ""
        elif exc.context and exc.problem and exc.context_mark is not None:
            message += f" ({exc.context} at line {exc.context_mark.line + 1}, column {exc.context_mark.column + 1})"
        if "\t" in here[: col + 1]:
            message += "; tabs are not allowed in YAML indentation, use spaces"
    if mark is None:
        return error(Source(file, 1, 1), message)
    return error(Source(file, mark.line + 1, mark.column + 1), message)


def _check_aliases(file: str, text: str) -> Diagnostic | None:
    """Replay the events, counting what every alias would add when expanded;
    blame the alias at which the total passes MAX_ALIAS_EXPANSION, or an
    alias inside the node it names (a cycle no chat file needs, and one
    that would send any walk of the data round for ever)."""
    sizes: dict[str, int] = {}
    stack: list[list] = []  # [size so far, anchor] per open collection
    open_anchors: dict[str, int] = {}  # anchor -> how many open collections carry it
    added = 0
    for event in yaml.parse(text, Loader=FastLoader):
        if isinstance(event, yaml.AliasEvent):
            if open_anchors.get(event.anchor):
                return error(at(file, event), f"alias *{event.anchor} is inside the node it refers to "
                                              f"(a recursive alias)")
            size = sizes.get(event.anchor, 1)
            added += size
            if added > MAX_ALIAS_EXPANSION:
                return error(at(file, event),
                             f"alias *{event.anchor} expands the document past {MAX_ALIAS_EXPANSION:,} "
                             f"nodes (an alias bomb?); refusing to expand it")
        elif isinstance(event, (yaml.SequenceStartEvent, yaml.MappingStartEvent)):
            stack.append([1, event.anchor])
            if event.anchor is not None:
                open_anchors[event.anchor] = open_anchors.get(event.anchor, 0) + 1
            continue
        elif isinstance(event, (yaml.SequenceEndEvent, yaml.MappingEndEvent)):
            size, anchor = stack.pop()
            if anchor is not None:
                sizes[anchor] = size
                open_anchors[anchor] -= 1
        elif isinstance(event, yaml.ScalarEvent):
            size = 1
            if event.anchor is not None:
                sizes[event.anchor] = 1
        else:
            continue
        if stack:
            stack[-1][0] += size
    return None
