"""The words YAML 1.1 reads as booleans: `yes`, `no`, `on`, `off`, `true`,
`false`, in any letter case (the contract's list; `y` and `n` stay user
ids). PyYAML reads some spellings as booleans and others as strings; YAML 1.2 and the editors that check chat files
against the schema read them as strings. So that `validate` and the schema
agree, they are refused wherever they stand unquoted as a value: as a user
id, a name, a group or a chat id (quote them), and as a yes-or-no value
(write true or false)."""

from __future__ import annotations

from yaml.nodes import Node, ScalarNode

from reconciler.config.diagnostics import Diagnostic, error
from reconciler.config.flowlists import BOOLEAN_WORDS
from reconciler.config.yamldata import STR, at

BOOL = "tag:yaml.org,2002:bool"


def is_word(value: str) -> bool:
    return value.lower() in BOOLEAN_WORDS


def unquoted_word(file: str, node: Node | None, what: str) -> Diagnostic | None:
    """An error when `node` is a plain (unquoted) string that is one of the
    words PyYAML left a string: `yEs`, `oN`, `tRUE`... (the ones it reads as
    booleans are not strings, which the schema check reports)."""
    if not (node.__class__ is ScalarNode and node.tag == STR and not node.style and is_word(node.value)):
        return None
    return error(at(file, node), f"{what} {node.value!r} is written unquoted, and YAML 1.1 tools read "
                                 f"`{node.value}` (in some letter case) as a boolean, so the schema refuses "
                                 f"it; quote it: \"{node.value}\"")


def yaml11_boolean(file: str, node: Node | None, what: str) -> Diagnostic | None:
    """An error when a yes-or-no value is written `yes`, `no`, `on`,
    `off`: a boolean to PyYAML, a string to YAML 1.2 and the schema."""
    if not (isinstance(node, ScalarNode) and node.tag == BOOL and node.value.lower() not in ("true", "false")):
        return None
    meant = "true" if node.value.lower() in ("yes", "on") else "false"
    return error(at(file, node), f"{what} must be true or false, got `{node.value}`, which YAML 1.1 reads as "
                                 f"{meant} and YAML 1.2 (and editors using the schema) as a string; write {meant}")
