"""One item of a member list, as written: a user id, "@group", "dept:ID",
"tag:ID", or a mapping with exactly one of user / group / dept / tag and an
optional `until` and `reason` (and, on dept and tag, `may_be_empty`). Turns
the YAML node into a Member (config.groups) or says, located, what is wrong
with it.

The JSON Schema reports what it can see on its own (unknown keys, wrong
types, patterns); this module adds what only code can: two kinds in one
entry, a date that does not exist, `until` under `exclude`, `may_be_empty`
where it means nothing or written as YAML 1.1's yes/no, and ids that
differ only in letter case written twice in one list."""

from __future__ import annotations

import re
from datetime import date

from yaml.nodes import MappingNode, Node, ScalarNode

from reconciler.config.diagnostics import Diagnostic, error
from reconciler.config.groups import GROUP, GroupRef, Member
from reconciler.config.yamldata import STR, at, pairs, scalar_value
from reconciler.config.yamlwords import unquoted_word
from reconciler.core.facts import DIRECTORY_ID_MAX, DIRECTORY_ID_PATTERN, GROUP_NAME_PATTERN, is_user_id
from reconciler.core.membership import EARLIEST_DATE, LATEST_DATE
from reconciler.core.model import DEPT, TAG, USER, Entry

KINDS = (USER, GROUP, DEPT, TAG)
GROUP_NAME = re.compile(GROUP_NAME_PATTERN[1:-1])
_DIRECTORY_REF = re.compile(rf"(dept|tag):({DIRECTORY_ID_PATTERN[1:-1]})")
_INT = "tag:yaml.org,2002:int"
_BOOL = "tag:yaml.org,2002:bool"


def is_group_name(value: object) -> bool:
    return isinstance(value, str) and GROUP_NAME.fullmatch(value) is not None


def member(file: str, node: Node, *, in_exclude: bool, problems: list[Diagnostic]) -> Member | None:
    """The item as a Member, or None when it is malformed (the problem is
    reported here or by the schema)."""
    if isinstance(node, MappingNode):
        return _mapping(file, node, in_exclude, problems)
    if not (isinstance(node, ScalarNode) and node.tag == STR):
        return None  # the schema says what it is instead
    if (bad := unquoted_word(file, node, "user id")) is not None:
        problems.append(bad)
        return None
    value = node.value
    if value.startswith("@"):
        return GroupRef(value[1:], at(file, node)) if is_group_name(value[1:]) else None
    ref = _DIRECTORY_REF.fullmatch(value)
    if ref:  # the one place a `dept:12` is read as text: from here on it is Entry(DEPT, unit=12)
        return Entry.of_unit(ref.group(1), int(ref.group(2)), at(file, node))
    return value if is_user_id(value) else None


def _mapping(file: str, node: MappingNode, in_exclude: bool, problems: list[Diagnostic]) -> Member | None:
    fields = {key: (k, v) for key, k, v in pairs(node)[0] if isinstance(key, str)}
    kinds = [k for k in KINDS if k in fields]
    where = at(file, node)
    if len(kinds) != 1:
        said = " and ".join(kinds) if kinds else "none"
        problems.append(error(where, f"a member entry needs exactly one of user, group, dept, tag (found {said})"))
        return None
    kind = kinds[0]
    key_node, value_node = fields[kind]
    refused = [bad for node_, what in ((value_node, "user id" if kind == USER else "group name"),
                                       (fields.get("reason", (None, None))[1], "reason"))
               if kind in (USER, GROUP) or what == "reason"
               if (bad := unquoted_word(file, node_, what)) is not None]
    problems.extend(refused)
    value = _value(kind, value_node)
    if value is None or refused:
        return None  # the schema says what is wrong with it, or it was said above
    until = None
    if "until" in fields:
        until_key, until_node = fields["until"]
        if in_exclude:
            problems.append(error(at(file, until_key), "`until` is not allowed under `exclude`: an exclusion "
                                                       "has no end date (remove the entry when it should end)"))
            return None
        until = _date(file, until_node, problems)
        if until is None:
            return None
    reason_node = fields.get("reason", (None, None))[1]
    reason = reason_node.value if isinstance(reason_node, ScalarNode) and reason_node.tag == STR else None
    # a wrong may_be_empty is reported and the entry kept: no second error (an unused group) for one slip
    may_be_empty = "may_be_empty" in fields and _may_be_empty(file, kind, in_exclude, *fields["may_be_empty"],
                                                               problems)
    where = at(file, key_node)
    if kind == USER:
        return value if until is None else Entry.of_user(value, where, until, reason)  # {user: x} is x
    if kind == GROUP:
        return GroupRef(value, where, until, reason)
    return Entry.of_unit(kind, value, where, until, reason, may_be_empty=may_be_empty)


def _may_be_empty(file: str, kind: str, in_exclude: bool, key: Node, node: Node,
                  problems: list[Diagnostic]) -> bool:
    """`may_be_empty`: true or false, on a dept or tag entry of a member list."""
    if in_exclude:
        problems.append(error(at(file, key), "`may_be_empty` is not allowed under `exclude`: an exclusion "
                                             "that excludes nobody is fine already"))
        return False
    if kind not in (DEPT, TAG):
        problems.append(error(at(file, key), f"`may_be_empty` is allowed only on a dept or tag entry, not on "
                                             f"a {kind} entry: only the directory can bring in nobody"))
        return False
    if not (isinstance(node, ScalarNode) and node.tag == _BOOL):
        return False  # the schema says what it is instead
    if node.value.lower() not in ("true", "false"):
        problems.append(error(at(file, node), f"may_be_empty must be true or false, got `{node.value}`, which "
                                              f"YAML 1.1 reads as a boolean: write true or false"))
        return False
    return node.value.lower() == "true"


def _value(kind: str, node: Node) -> str | int | None:
    if kind in (DEPT, TAG):
        number = scalar_value(node) if isinstance(node, ScalarNode) and node.tag == _INT else None
        return number if isinstance(number, int) and 1 <= number <= DIRECTORY_ID_MAX else None
    if not (isinstance(node, ScalarNode) and node.tag == STR):
        return None
    value = node.value.removeprefix("@") if kind == GROUP else node.value
    ok = is_group_name(value) if kind == GROUP else is_user_id(value)
    return value if ok else None


def _date(file: str, node: Node, problems: list[Diagnostic]) -> date | None:
    text = node.value if isinstance(node, ScalarNode) else None
    if not isinstance(text, str) or not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", text):
        return None  # the schema reports the form
    try:
        value = date.fromisoformat(text)
    except ValueError:
        problems.append(error(at(file, node), f"until {text!r} is not a date: write YYYY-MM-DD, a day that exists"))
        return None
    return value if EARLIEST_DATE <= value <= LATEST_DATE else None  # the schema says the range


def twice(file: str, item: Node, first: Node, written: str, list_name: str, first_written: str) -> Diagnostic:
    mark = first.start_mark
    case = "" if first_written == written else \
        f", as {first_written!r}): WeCom ignores letter case, so they are one user"
    return error(at(file, item), f"{written!r} is listed twice in {list_name} (first at line {mark.line + 1}, "
                                 f"column {mark.column + 1}{case or ')'}")
