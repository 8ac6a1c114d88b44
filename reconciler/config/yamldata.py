"""PyYAML nodes -> plain data (dicts, lists, scalars), keeping what the
messages need: duplicate keys (which PyYAML would silently drop), keys that
are not strings, bad merge keys, and the way back from a data path to the
node it came from (for FILE:LINE:COL)."""

from __future__ import annotations

from typing import Any

import yaml
from yaml.constructor import SafeConstructor
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from reconciler.config import flowlists
from reconciler.config.diagnostics import error
from reconciler.core.model import Source

# The chat format is four levels deep; anything deeper is already a type
# error at a shallower level, so data below this depth is never looked at.
MAX_DATA_DEPTH = 8
# A template merged into a template merged into...: a few levels are useful.
MAX_MERGE_DEPTH = 20

STR = "tag:yaml.org,2002:str"
TIMESTAMP = "tag:yaml.org,2002:timestamp"
MERGE = "tag:yaml.org,2002:merge"
# The only tags a list or a mapping may carry: the ones YAML gives them when
# none is written (or `!!seq` / `!!map` written out). Any other (`!custom`,
# `!!set`, `!!python/object/apply:...`) is refused: the loader never builds
# objects from tags, but a tag it silently ignored would mean something else
# to the next tool that reads the file.
_COLLECTION_TAGS = {SequenceNode: "tag:yaml.org,2002:seq", MappingNode: "tag:yaml.org,2002:map"}
_CORE_SCALAR_TAGS = {
    STR, "tag:yaml.org,2002:null", "tag:yaml.org,2002:bool", "tag:yaml.org,2002:int",
    "tag:yaml.org,2002:float", "tag:yaml.org,2002:timestamp", "tag:yaml.org,2002:binary",
}
_KIND_OF_TAG = {
    "tag:yaml.org,2002:null": "null",
    "tag:yaml.org,2002:bool": "a boolean",
    "tag:yaml.org,2002:int": "a number",
    "tag:yaml.org,2002:float": "a number",
    "tag:yaml.org,2002:timestamp": "a date",
    "tag:yaml.org,2002:binary": "binary data",
}
_CONSTRUCTOR = SafeConstructor()
_YAML_TAG_PREFIX = "tag:yaml.org,2002:"


def at(file: str, node_or_mark: Any) -> Source:
    mark = getattr(node_or_mark, "start_mark", node_or_mark)
    return Source(file, mark.line + 1, mark.column + 1)


def shown_tag(tag: str) -> str:
    """A tag as it is written: `!!set`, not `tag:yaml.org,2002:set`."""
    return "!!" + tag[len(_YAML_TAG_PREFIX):] if tag.startswith(_YAML_TAG_PREFIX) else tag


def scalar_value(node: ScalarNode) -> Any:
    """The value YAML gives a scalar (str, bool, int, float, None, date...)."""
    if node.tag == STR:
        return node.value
    if node.tag in _CORE_SCALAR_TAGS:
        try:
            # The tag's constructor directly: construct_object() would cache
            # every node it sees for the life of the process.
            return _CONSTRUCTOR.yaml_constructors[node.tag](_CONSTRUCTOR, node)
        except (yaml.YAMLError, ValueError, OverflowError):
            return node.value
    return node.value


def kind(node: Node) -> str:
    """What a node is, in words for an error message."""
    if isinstance(node, MappingNode):
        return "a mapping"
    if isinstance(node, SequenceNode):
        return "a list"
    if node.tag == STR:
        shown = node.value if len(node.value) <= 40 else node.value[:37] + "..."
        return f"the string {shown!r}"
    what = _KIND_OF_TAG.get(node.tag, f"a {node.tag} value")
    if node.tag == "tag:yaml.org,2002:null" and node.value == "":
        return "an empty value (null)"
    value = node.value if len(node.value) <= 40 else node.value[:37] + "..."
    # A tagged value may span lines; an error stays one line.
    shown = f"`{value}`" if value.isprintable() else repr(value)
    return f"{shown}, which YAML reads as {what}"


def is_yaml_trap(node: Node) -> bool:
    """A plain scalar the user most likely meant as a string."""
    return isinstance(node, ScalarNode) and node.tag != STR and not node.style  # plain: None or ""


def pairs(node: MappingNode, _depth: int = 0
          ) -> tuple[list[tuple[Any, Node, Node]], list[tuple[Node, Node]], list[tuple[Node, str]]]:
    """The mapping's (key, key node, value node) entries with `<<` merges
    applied (written keys win, then merge sources in order), the duplicates
    as (later key node, earlier key node), and the bad merge values with
    what is wrong with them."""
    entries: list[tuple[Any, Node, Node]] = []
    seen: dict[Any, Node] = {}
    duplicates: list[tuple[Node, Node]] = []
    merges: list[Node] = []
    for key_node, value_node in node.value:
        if key_node.__class__ is ScalarNode and key_node.tag == STR:
            key = key_node.value  # what _key() says, without two calls per key
        elif isinstance(key_node, ScalarNode) and key_node.tag == MERGE:
            merges.append(value_node)
            continue
        else:
            key = _key(key_node)
        if key in seen:
            duplicates.append((key_node, seen[key]))
            continue
        seen[key] = key_node
        entries.append((key, key_node, value_node))
    bad_merges: list[tuple[Node, str]] = []
    for source in merges:
        parts = source.value if isinstance(source, SequenceNode) else [source]
        for part in parts:
            if not isinstance(part, MappingNode):
                bad_merges.append((part, "a merge key `<<` takes a mapping or a list of mappings"))
                continue
            if _depth >= MAX_MERGE_DEPTH:
                bad_merges.append((part, f"merge keys `<<` nested more than {MAX_MERGE_DEPTH} deep"))
                continue
            inner, _, inner_bad = pairs(part, _depth + 1)
            bad_merges.extend(inner_bad)  # the same spot reached twice is reported once
            for key, key_node, value_node in inner:
                if key not in seen:
                    seen[key] = key_node
                    entries.append((key, key_node, value_node))
    return entries, duplicates, bad_merges


def _key(node: Node) -> Any:
    if isinstance(node, ScalarNode):
        value = scalar_value(node)
        # True == 1 in Python; keep YAML's distinct types apart.
        return (type(value).__name__, value) if not isinstance(value, str) else value
    return ("<collection>", id(node))


_REFUSED = ([], False, frozenset())  # a lifted list that must stay unclaimed


class Converter:
    """Node tree -> plain data, collecting duplicate keys and bad keys. Shared
    (aliased) nodes are converted once."""

    def __init__(self, parsed, lifted: flowlists.Lifted | None = None):
        self.parsed = parsed
        self.done: dict[int, Any] = {}
        self.lifted = lifted  # claimed (popped) as their empty nodes are met

    def convert(self, node: Node, path: tuple, depth: int) -> Any:
        if isinstance(node, ScalarNode):
            if node.tag not in _CORE_SCALAR_TAGS and node.tag != MERGE:
                self.parsed.errors.append(error(at(self.parsed.file, node),
                                                f"unsupported YAML tag {shown_tag(node.tag)!r}"))
            return scalar_value(node)
        if id(node) in self.done:
            return self.done[id(node)]
        if node.tag != _COLLECTION_TAGS.get(node.__class__):
            self.parsed.errors.append(error(at(self.parsed.file, node),
                                            f"unsupported YAML tag {shown_tag(node.tag)!r} on {kind(node)}"))
        if depth >= MAX_DATA_DEPTH:
            return {} if isinstance(node, MappingNode) else []
        if isinstance(node, SequenceNode):
            value = self.done[id(node)] = []
            items = node.value
            # A member list: strings only, which need no conversion and no
            # checks (a million calls of convert() cost a second).
            value.extend([item.value for item in items if item.__class__ is ScalarNode and item.tag == STR])
            if len(value) == len(items):
                self.parsed.strings[id(node)] = value
            else:
                value.clear()
                value.extend(self.convert(item, path + (i,), depth + 1) for i, item in enumerate(items))
            return value
        value = self.done[id(node)] = {}
        entries, duplicates, bad_merges = pairs(node)
        file = self.parsed.file
        for later, earlier in duplicates:
            self.parsed.errors.append(error(
                at(file, later),
                f"duplicate key {_show_key(later)} (first at line {earlier.start_mark.line + 1}, "
                f"column {earlier.start_mark.column + 1}); YAML would silently keep only the last one"))
        for bad, message in bad_merges:
            self.parsed.errors.append(error(at(file, bad), message))
        for key, key_node, value_node in entries:
            if not isinstance(key, str):
                self.parsed.bad_keys.append((path, key_node))
                continue
            if value_node.__class__ is ScalarNode and value_node.tag == STR:
                value[key] = value_node.value  # what convert() would say
            elif key == "until" and value_node.__class__ is ScalarNode and value_node.tag == TIMESTAMP:
                value[key] = value_node.value  # an end date, quoted or not: the schema checks its text
            elif self.lifted and depth + 1 < MAX_DATA_DEPTH and (items := self._claim(node, value_node)) is not None:
                value[key] = items
            else:
                value[key] = self.convert(value_node, path + (key,), depth + 1)
        return value


    def _claim(self, mapping: MappingNode, node: Node) -> list[str] | None:
        """The lifted list for an empty `[]` value at its place, if any; a
        block list only as the value of a block mapping's own key (in a flow
        mapping the same lines would have meant something else)."""
        if node.__class__ is not SequenceNode or node.value or not node.flow_style:
            return None
        where = (node.start_mark.line, node.start_mark.column)
        lifted = self.lifted.get(where)
        if lifted is None or lifted is _REFUSED:
            return None
        items, block, members = lifted  # block: 0, or the column of a block list's items
        if block and (mapping.flow_style or not any(v is node for _, v in mapping.value)):
            # Reached through a merge or in a flow mapping: never claim it
            # (a later visit must not either), so the file is parsed as written.
            self.lifted[where] = _REFUSED
            return None
        del self.lifted[where]
        self.done[id(node)] = items
        self.parsed.strings[id(node)] = items
        self.parsed.clean[id(items)] = members
        # Where the items were written (the node has none): the first item's
        # 0-based line and column, and whether one follows per line.
        self.parsed.lifted_at[id(node)] = (where[0] + 1, block, True) if block else (where[0], where[1] + 1, False)
        return items


def _show_key(node: Node) -> str:
    return repr(node.value) if isinstance(node, ScalarNode) else kind(node)


def node_at(root: Node, path: tuple) -> tuple[Node | None, Node]:
    """(key node or None, value node) at a data path; the deepest node found
    when the path runs out of the tree."""
    key_node: Node | None = None
    node = root
    for step in path:
        if isinstance(node, MappingNode):
            for key, k_node, v_node in pairs(node)[0]:
                if key == step:
                    key_node, node = k_node, v_node
                    break
            else:
                return key_node, node
        elif isinstance(node, SequenceNode) and isinstance(step, int) and step < len(node.value):
            key_node, node = None, node.value[step]
        else:
            return key_node, node
    return key_node, node
