"""One named case per chat-file rule and per YAML trap: the exact located
diagnostics a user sees (text, line, column), and nothing else."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from reconciler.config import load

TWO = "    name: X\n    owner: a\n    members: [a, b]\n"


USER_CHARS = "use 1-64 characters of letters, digits, '_', '-', '@', '.', beginning with a letter or a digit"


@dataclass
class Case:
    name: str
    files: dict[str, str]
    expected: list[str]  # every diagnostic, in report order
    paths: list[str] = field(default_factory=lambda: ["chats"])


def chat(body: str = TWO, chat_id: str = "ab") -> str:
    return f"chats:\n  {chat_id}:\n{body}"


CASES = [
    # ---- YAML itself -------------------------------------------------------
    Case("yaml_syntax", {"chats/a.yaml": "chats:\n  ab: [a, b\n"},
         ["chats/a.yaml:3:1: error: YAML syntax error: did not find expected ',' or ']' "
          "(while parsing a flow sequence at line 2, column 7)"]),
    Case("tab_indent", {"chats/a.yaml": "chats:\n\tab: {}\n"},
         ["chats/a.yaml:2:1: error: YAML syntax error: tab character; YAML does not allow tabs "
          "for indentation, use spaces"]),
    Case("unquoted_group_reference", {"chats/a.yaml": chat("    name: X\n    owner: a\n    members: [@sre, a]\n")},
         ["chats/a.yaml:5:15: error: YAML syntax error: '@' cannot start an unquoted value; quote it: \"@sre\""]),
    Case("two_documents", {"chats/a.yaml": "chats: {}\n---\nchats: {}\n"},
         ["chats/a.yaml:2:1: error: YAML syntax error: expected a single document in the stream "
          "but found another document"]),
    Case("undefined_alias", {"chats/a.yaml": chat("    name: X\n    owner: a\n    members: *team\n")},
         ["chats/a.yaml:5:14: error: YAML syntax error: found undefined alias *team"]),
    Case("control_character", {"chats/a.yaml": chat("    name: \"X\x01\"\n    owner: a\n    members: [a, b]\n")},
         ["chats/a.yaml:3:13: error: YAML syntax error: control character '\\x01' is not allowed"]),
    Case("unsupported_tag", {"chats/a.yaml": chat("    name: !weird X\n    owner: a\n    members: [a, b]\n")},
         ["chats/a.yaml:3:11: error: unsupported YAML tag '!weird'"]),
    # Issue 12: a tag on a list or a mapping is refused like a tag on a scalar.
    Case("python_tag_on_a_list", {"chats/a.yaml": chat("    name: X\n    owner: a\n"
                                                       "    members: !!python/object/apply:os.system [a, b]\n")},
         ["chats/a.yaml:5:14: error: unsupported YAML tag '!!python/object/apply:os.system' on a list"]),
    Case("custom_tag_on_a_list", {"chats/a.yaml": chat("    name: X\n    owner: a\n    members: !custom [a, b]\n")},
         ["chats/a.yaml:5:14: error: unsupported YAML tag '!custom' on a list"]),
    Case("custom_tag_on_a_mapping", {"chats/a.yaml": "chats:\n  ab: !custom\n" + TWO},
         ["chats/a.yaml:2:7: error: unsupported YAML tag '!custom' on a mapping"]),
    Case("set_tag_on_a_group", {"chats/a.yaml": "groups:\n  g: !!set {a, b}\n" + chat()},
         ["chats/a.yaml:2:3: warning: group 'g' is not used by any chat",
          "chats/a.yaml:2:6: error: group 'g' must be a list, got a mapping",
          "chats/a.yaml:2:6: error: unsupported YAML tag '!!set' on a mapping"]),
    Case("tag_on_the_document", {"chats/a.yaml": "--- !custom\n" + chat()},
         ["chats/a.yaml:1:5: error: unsupported YAML tag '!custom' on a mapping"]),
    Case("alias_bomb", {"chats/a.yaml": "a: &a [x,x,x,x,x,x,x,x,x,x]\n" + "".join(
        f"{n}: &{n} [{','.join(['*' + p] * 10)}]\n" for p, n in zip("abcdef", "bcdefg"))},
         ["chats/a.yaml:6:29: error: alias *e expands the document past 1,000,000 nodes "
          "(an alias bomb?); refusing to expand it"]),
    Case("recursive_alias", {"chats/a.yaml": chat("    name: X\n    owner: a\n    members: [&a [*a], &b [*b]]\n")},
         ["chats/a.yaml:5:19: error: alias *a is inside the node it refers to (a recursive alias)"]),
    # Issue 12: a name that could move the cursor or reorder the line it is shown on.
    Case("name_with_bidi_override", {"chats/a.yaml": chat('    name: "Ops\\u202Egpj.exe"\n    owner: a\n'
                                                          "    members: [a, b]\n")},
         ["chats/a.yaml:3:11: error: the name of chat 'ab' contains a bidirectional control character "
          "(U+202E RIGHT-TO-LEFT OVERRIDE), which could hide or reorder text where the name is shown; remove it"]),
    Case("name_with_isolate_unquoted", {"chats/a.yaml": chat("    name: Ops\u2066x\n    owner: a\n    members: [a, b]\n")},
         ["chats/a.yaml:3:11: error: the name of chat 'ab' contains a bidirectional control character "
          "(U+2066 LEFT-TO-RIGHT ISOLATE), which could hide or reorder text where the name is shown; remove it"]),
    Case("name_with_escape_character", {"chats/a.yaml": chat('    name: "X\\e[2J"\n    owner: a\n'
                                                             "    members: [a, b]\n")},
         ["chats/a.yaml:3:11: error: the name of chat 'ab' contains a control character (U+001B), "
          "which could hide or reorder text where the name is shown; remove it"]),
    Case("name_with_c1_control", {"chats/a.yaml": chat('    name: "X\\x9by"\n    owner: a\n    members: [a, b]\n')},
         ["chats/a.yaml:3:11: error: the name of chat 'ab' contains a control character (U+009B), "
          "which could hide or reorder text where the name is shown; remove it"]),
    # ---- duplicate keys ----------------------------------------------------
    Case("duplicate_key_top", {"chats/a.yaml": "chats: {}\nchats: {}\n"},
         ["chats/a.yaml:2:1: error: duplicate key 'chats' (first at line 1, column 1); "
          "YAML would silently keep only the last one"]),
    Case("duplicate_key_field", {"chats/a.yaml": chat("    name: X\n    name: Y\n    owner: a\n    members: [a, b]\n")},
         ["chats/a.yaml:4:5: error: duplicate key 'name' (first at line 3, column 5); "
          "YAML would silently keep only the last one"]),
    Case("duplicate_chat_in_one_file", {"chats/a.yaml": chat() + "  ab:\n" + TWO},
         ["chats/a.yaml:6:3: error: duplicate key 'ab' (first at line 2, column 3); "
          "YAML would silently keep only the last one"]),
    Case("duplicate_group_key", {"chats/a.yaml": "groups:\n  g: [a, b]\n  g: [c]\n" + chat(
        "    name: X\n    owner: a\n    members: ['@g']\n")},
         ["chats/a.yaml:3:3: error: duplicate key 'g' (first at line 2, column 3); "
          "YAML would silently keep only the last one"]),
    # ---- unknown keys and wrong types -------------------------------------
    Case("unknown_top_key", {"chats/a.yaml": "chat:\n  ab: {}\n"},
         ["chats/a.yaml:1:1: error: unknown key 'chat' in a chat file (expected groups, chats); "
          "did you mean 'chats'?"]),
    Case("unknown_chat_key", {"chats/a.yaml": chat(TWO + "    memebrs: [c]\n")},
         ["chats/a.yaml:6:5: error: unknown key 'memebrs' in chat 'ab' (expected name, owner, members, exclude, "
          "prune, announce); did you mean 'members'?"]),
    Case("top_level_list", {"chats/a.yaml": "- a\n- b\n"},
         ["chats/a.yaml:1:1: error: a chat file must be a mapping, got a list"]),
    Case("chats_is_list", {"chats/a.yaml": "chats: [a, b]\n"},
         ["chats/a.yaml:1:8: error: chats must be a mapping, got a list"]),
    Case("members_is_string", {"chats/a.yaml": chat("    name: X\n    owner: a\n    members: a\n")},
         ["chats/a.yaml:5:14: error: members of chat 'ab' must be a list, got the string 'a'"]),
    Case("prune_is_string", {"chats/a.yaml": chat(TWO + '    prune: "yes"\n')},
         ["chats/a.yaml:6:12: error: prune of chat 'ab' must be true or false, got the string 'yes'"]),
    Case("prune_is_number", {"chats/a.yaml": chat(TWO + "    prune: 1\n")},
         ["chats/a.yaml:6:12: error: prune of chat 'ab' must be true or false, got `1`, which YAML reads as a number"]),
    Case("may_be_empty_yes", {"chats/a.yaml": chat("    name: X\n    owner: a\n    members:\n      - a\n      - b\n"
                                                    "      - {dept: 2, may_be_empty: yes}\n")},
         ["chats/a.yaml:8:33: error: may_be_empty must be true or false, got `yes`, which YAML 1.1 reads as a "
          "boolean: write true or false"]),
    Case("prune_no_is_refused_as_yaml_1_1", {"chats/a.yaml": chat(TWO + "    prune: no\n")},
         ["chats/a.yaml:6:12: error: prune of chat 'ab' must be true or false, got `no`, which YAML 1.1 reads as "
          "false and YAML 1.2 (and editors using the schema) as a string; write false"]),
    Case("announce_on_is_refused_as_yaml_1_1", {"chats/a.yaml": chat(TWO + "    announce: On\n")},
         ["chats/a.yaml:6:15: error: announce of chat 'ab' must be true or false, got `On`, which YAML 1.1 reads as "
          "true and YAML 1.2 (and editors using the schema) as a string; write true"]),
    Case("boolean_words_in_any_case_are_refused_unquoted", {"chats/a.yaml": chat(
        "    name: oFF\n    owner: a\n    members: [a, b, yEs, 'nO', {user: tRUE, reason: oN}]\n")},
        ["chats/a.yaml:3:11: error: the name of chat 'ab' 'oFF' is written unquoted, and YAML 1.1 tools read `oFF` "
         "(in some letter case) as a boolean, so the schema refuses it; quote it: \"oFF\"",
         "chats/a.yaml:5:21: error: user id 'yEs' is written unquoted, and YAML 1.1 tools read `yEs` (in some letter "
         "case) as a boolean, so the schema refuses it; quote it: \"yEs\"",
         "chats/a.yaml:5:39: error: user id 'tRUE' is written unquoted, and YAML 1.1 tools read `tRUE` (in some "
         "letter case) as a boolean, so the schema refuses it; quote it: \"tRUE\"",
         "chats/a.yaml:5:53: error: reason 'oN' is written unquoted, and YAML 1.1 tools read `oN` (in some letter "
         "case) as a boolean, so the schema refuses it; quote it: \"oN\""]),
    Case("boolean_words_quoted_are_strings", {"chats/a.yaml": chat(
        "    name: \"No\"\n    owner: \"no\"\n    members: [\"no\", 'yEs', {user: \"off\", reason: \"on\"}]\n")}, []),
    Case("announce_is_string", {"chats/a.yaml": chat(TWO + '    announce: "off"\n')},
         ["chats/a.yaml:6:15: error: announce of chat 'ab' must be true or false, got the string 'off'"]),
    Case("announce_misspelt", {"chats/a.yaml": chat(TWO + "    anounce: false\n")},
         ["chats/a.yaml:6:5: error: unknown key 'anounce' in chat 'ab' (expected name, owner, members, "
          "exclude, prune, announce); did you mean 'announce'?"]),
    Case("chat_named_like_a_key", {"chats/a.yaml": "chats:\n  prune: [a, b]\n"},
         ["chats/a.yaml:2:10: error: chat 'prune' must be a mapping, got a list"]),
    Case("group_is_string", {"chats/a.yaml": "groups:\n  g: alice\n"},
         ["chats/a.yaml:2:3: warning: group 'g' is not used by any chat",
          "chats/a.yaml:2:6: error: group 'g' must be a list, got the string 'alice'"]),
    Case("missing_owner", {"chats/a.yaml": chat("    name: X\n    members: [a, b]\n")},
         ["chats/a.yaml:2:3: error: chat 'ab' has no 'owner'"]),
    Case("key_is_number", {"chats/a.yaml": chat("    1: x\n" + TWO)},
         ["chats/a.yaml:3:5: error: a key of chat 'ab' must be a string, got `1`, which YAML reads as "
          'a number; quote it: "1"']),
    # ---- YAML traps where a string is expected ----------------------------
    Case("trap_no_member", {"chats/a.yaml": chat("    name: X\n    owner: a\n    members: [a, no]\n")},
         ["chats/a.yaml:5:18: error: a member of chat 'ab' must be a string (a user id, \"@group\", \"dept:ID\" or \"tag:ID\") or a mapping (user: ID, until: DATE), "
          "got `no`, which YAML reads as a boolean; quote it: \"no\""]),
    Case("trap_yes_owner", {"chats/a.yaml": chat("    name: X\n    owner: yes\n    members: [a, b]\n")},
         ["chats/a.yaml:4:12: error: owner of chat 'ab' must be a string (a user id), got `yes`, "
          "which YAML reads as a boolean; quote it: \"yes\""]),
    Case("trap_on_off", {"chats/a.yaml": chat("    name: X\n    owner: a\n    members:\n      - a\n"
                                              "      - on\n      - off\n")},
         ["chats/a.yaml:7:9: error: a member of chat 'ab' must be a string (a user id, \"@group\", \"dept:ID\" or \"tag:ID\") or a mapping (user: ID, until: DATE), "
          "got `on`, which YAML reads as a boolean; quote it: \"on\"",
          "chats/a.yaml:8:9: error: a member of chat 'ab' must be a string (a user id, \"@group\", \"dept:ID\" or \"tag:ID\") or a mapping (user: ID, until: DATE), "
          "got `off`, which YAML reads as a boolean; quote it: \"off\""]),
    Case("trap_007_member", {"chats/a.yaml": chat("    name: X\n    owner: a\n    members: [a, 007]\n")},
         ["chats/a.yaml:5:18: error: a member of chat 'ab' must be a string (a user id, \"@group\", \"dept:ID\" or \"tag:ID\") or a mapping (user: ID, until: DATE), "
          "got `007`, which YAML reads as a number; quote it: \"007\""]),
    Case("trap_number_in_group", {"chats/a.yaml": "groups:\n  g: [a, 42]\n" + chat(
        "    name: X\n    owner: a\n    members: ['@g', b]\n")},
         ["chats/a.yaml:2:10: error: a member of group 'g' must be a string (a user id, \"@group\", \"dept:ID\" or \"tag:ID\") or a mapping (user: ID, until: DATE), "
          "got `42`, which YAML reads as a number; quote it: \"42\""]),
    Case("trap_null_member", {"chats/a.yaml": chat("    name: X\n    owner: a\n    members:\n      - a\n      -\n")},
         ["chats/a.yaml:7:8: error: a member of chat 'ab' must be a string (a user id, \"@group\", \"dept:ID\" or \"tag:ID\") or a mapping (user: ID, until: DATE), "
          "got an empty value (null)"]),
    Case("trap_null_word_owner", {"chats/a.yaml": chat("    name: X\n    owner: null\n    members: [a, b]\n")},
         ["chats/a.yaml:4:12: error: owner of chat 'ab' must be a string (a user id), got `null`, "
          "which YAML reads as null; quote it: \"null\""]),
    Case("trap_number_name", {"chats/a.yaml": chat("    name: 2024\n    owner: a\n    members: [a, b]\n")},
         ["chats/a.yaml:3:11: error: name of chat 'ab' must be a string, got `2024`, which YAML reads as "
          "a number; quote it: \"2024\""]),
    Case("trap_date_name", {"chats/a.yaml": chat("    name: 2024-01-01\n    owner: a\n    members: [a, b]\n")},
         ["chats/a.yaml:3:11: error: name of chat 'ab' must be a string, got `2024-01-01`, which YAML "
          "reads as a date; quote it: \"2024-01-01\""]),
    Case("trap_007_chat_id", {"chats/a.yaml": chat(chat_id="007")},
         ["chats/a.yaml:2:3: error: a chat id must be a string, got `007`, which YAML reads as a number; "
          "quote it: \"007\""]),
    Case("trap_on_chat_id", {"chats/a.yaml": chat(chat_id="on")},
         ["chats/a.yaml:2:3: error: a chat id must be a string, got `on`, which YAML reads as a boolean; "
          "quote it: \"on\""]),
    Case("quoted_traps_are_fine", {"chats/a.yaml": chat('    name: "2024"\n    owner: "no"\n'
                                                        '    members: ["no", "007"]\n', chat_id='"007"')},
         []),
    # ---- identifiers ---------------------------------------------------------
    Case("chat_id_invalid_char", {"chats/a.yaml": chat(chat_id="sre-oncall")},
         ["chats/a.yaml:2:3: error: invalid chat id 'sre-oncall': use 1-32 characters of 0-9 a-z A-Z"]),
    Case("chat_id_too_long", {"chats/a.yaml": chat(chat_id="a" * 33)},
         [f"chats/a.yaml:2:3: error: invalid chat id '{'a' * 33}': use 1-32 characters of 0-9 a-z A-Z"]),
    Case("user_id_space", {"chats/a.yaml": chat("    name: X\n    owner: a\n    members: [a, \"b c\"]\n")},
         ["chats/a.yaml:5:18: error: invalid user id 'b c' in the members of chat 'ab': " + USER_CHARS]),
    Case("user_id_trailing_newline", {"chats/a.yaml": chat('    name: X\n    owner: a\n    members: [a, "b\\n"]\n')},
         ["chats/a.yaml:5:18: error: invalid user id 'b\\n' in the members of chat 'ab': " + USER_CHARS]),
    Case("user_id_too_long", {"chats/a.yaml": chat(f"    name: X\n    owner: a\n    members: [a, {'u' * 65}]\n")},
         [f"chats/a.yaml:5:18: error: invalid user id '{'u' * 65}' in the members of chat 'ab': " + USER_CHARS]),
    Case("owner_id_invalid", {"chats/a.yaml": chat("    name: X\n    owner: a/b\n    members: [a, b]\n")},
         ["chats/a.yaml:4:12: error: invalid user id 'a/b' for the owner of chat 'ab': " + USER_CHARS]),
    Case("group_ref_invalid", {"chats/a.yaml": chat("    name: X\n    owner: a\n    members: [a, b, \"@\"]\n")},
         ["chats/a.yaml:5:21: error: invalid group reference '@' in the members of chat 'ab': write '@' and "
          "a group name of 1-64 characters of letters, digits, '-', '_', '.'"]),
    Case("group_name_invalid", {"chats/a.yaml": "groups:\n  bad name: [a]\n"},
         ["chats/a.yaml:2:3: error: invalid group name 'bad name': use 1-64 characters of letters, digits, "
          "'-', '_', '.'"]),
    Case("name_too_long", {"chats/a.yaml": chat(f"    name: {'n' * 51}\n    owner: a\n    members: [a, b]\n")},
         ["chats/a.yaml:3:11: error: the name of chat 'ab' must be 1-50 characters, got 51"]),
    Case("name_empty", {"chats/a.yaml": chat('    name: ""\n    owner: a\n    members: [a, b]\n')},
         ["chats/a.yaml:3:11: error: the name of chat 'ab' must be 1-50 characters, got 0"]),
    # ---- cross-file rules ----------------------------------------------------
    Case("chat_id_in_two_files", {"chats/a.yaml": chat(), "chats/b.yaml": "\n" + chat()},
         ["chats/b.yaml:3:3: error: chat id 'ab' is already defined at chats/a.yaml:2"]),
    Case("group_in_two_files", {"chats/a.yaml": "groups:\n  g: [a, b]\n" + chat(
        "    name: X\n    owner: a\n    members: ['@g']\n"), "chats/b.yaml": "groups:\n  g: [c, d]\n"},
         ["chats/b.yaml:2:3: error: group 'g' is already defined at chats/a.yaml:2"]),
    Case("unknown_group", {"chats/a.yaml": "groups:\n  sre: [a, b]\n" + chat(
        "    name: X\n    owner: a\n    members: ['@sre', '@ser']\n")},
         ["chats/a.yaml:7:23: error: unknown group '@ser'; did you mean '@sre'?"]),
    Case("unknown_group_does_not_cascade", {"chats/a.yaml": chat("    name: X\n    owner: a\n    members: [a, '@nosuch']\n")},
         ["chats/a.yaml:5:18: error: unknown group '@nosuch'"]),
    Case("bad_group_entry_does_not_cascade", {"chats/a.yaml": "groups:\n  g: [a, no]\n" + chat(
        "    name: X\n    owner: no\n    members: ['@g']\n")},
         ["chats/a.yaml:2:10: error: a member of group 'g' must be a string (a user id, \"@group\", \"dept:ID\" or \"tag:ID\") or a mapping (user: ID, until: DATE), got `no`, "
          "which YAML reads as a boolean; quote it: \"no\"",
          "chats/a.yaml:6:12: error: owner of chat 'ab' must be a string (a user id), got `no`, which YAML "
          "reads as a boolean; quote it: \"no\""]),
    Case("group_used_by_an_invalid_chat", {"chats/a.yaml": "groups:\n  g: [a, b]\n" + chat(
        "    name: X\n    owner: a\n    members: ['@g', '@h']\n", chat_id="bad-id")},
         ["chats/a.yaml:4:3: error: invalid chat id 'bad-id': use 1-32 characters of 0-9 a-z A-Z",
          "chats/a.yaml:7:21: error: unknown group '@h'"]),
    Case("group_used_by_a_duplicate_chat", {"chats/a.yaml": chat(), "chats/b.yaml": "groups:\n  g: [a, b]\n" + chat(
        "    name: X\n    owner: a\n    members: ['@g', '@x']\n")},
         ["chats/b.yaml:4:3: error: chat id 'ab' is already defined at chats/a.yaml:2",
          "chats/b.yaml:7:21: error: unknown group '@x'"]),
    Case("group_cycle", {"chats/a.yaml": "groups:\n  a: ['@b']\n  b: [x, '@c']\n  c: ['@a']\n" + chat(
        "    name: X\n    owner: x\n    members: ['@a', y]\n")},
         ["chats/a.yaml:4:7: error: group cycle: @a -> @b -> @c -> @a"]),
    Case("group_self_cycle", {"chats/a.yaml": "groups:\n  a: [x, '@a']\n"},
         ["chats/a.yaml:2:3: warning: group 'a' is not used by any chat",
          "chats/a.yaml:2:10: error: group cycle: @a -> @a"]),
    Case("owner_not_member", {"chats/a.yaml": chat("    name: X\n    owner: zed\n    members: [a, b]\n")},
         ["chats/a.yaml:4:12: error: owner 'zed' is not a member of chat 'ab'"]),
    Case("one_member", {"chats/a.yaml": chat("    name: X\n    owner: a\n    members: [a]\n")},
         ["chats/a.yaml:5:5: error: chat 'ab' has 1 member after group expansion; a chat needs 2 to 2000"]),
    Case("one_member_through_groups", {"chats/a.yaml": "groups:\n  g: [a]\n  h: ['@g', a]\n" + chat(
        "    name: X\n    owner: a\n    members: ['@g', '@h']\n")},
         ["chats/a.yaml:8:5: error: chat 'ab' has 1 member after group expansion; a chat needs 2 to 2000"]),
    Case("no_members", {"chats/a.yaml": chat("    name: X\n    owner: a\n    members: []\n")},
         ["chats/a.yaml:4:12: error: owner 'a' is not a member of chat 'ab'",
          "chats/a.yaml:5:5: error: chat 'ab' has 0 members after group expansion; a chat needs 2 to 2000"]),
    Case("too_many_members", {"chats/a.yaml": "groups:\n  big: [" + ", ".join(f"u{i}" for i in range(2000))
                              + "]\n" + chat("    name: X\n    owner: u0\n    members: ['@big', extra]\n")},
         ["chats/a.yaml:7:5: error: chat 'ab' has 2001 members after group expansion; a chat needs 2 to 2000"]),
    Case("same_id_twice_in_list", {"chats/a.yaml": chat("    name: X\n    owner: a\n    members: [a, b, a]\n")},
         ["chats/a.yaml:5:21: error: 'a' is listed twice in the members of chat 'ab' (first at line 5, column 15)"]),
    Case("same_group_twice_in_list", {"chats/a.yaml": "groups:\n  g: [a, b]\n" + chat(
        "    name: X\n    owner: a\n    members: ['@g', c, '@g']\n")},
         ["chats/a.yaml:7:24: error: '@g' is listed twice in the members of chat 'ab' (first at line 7, column 15)"]),
    Case("same_id_twice_in_group", {"chats/a.yaml": "groups:\n  g: [a, b, b]\n"},
         ["chats/a.yaml:2:3: warning: group 'g' is not used by any chat",
          "chats/a.yaml:2:13: error: 'b' is listed twice in group 'g' (first at line 2, column 10)"]),
    Case("duplicates_through_groups_merge", {"chats/a.yaml": "groups:\n  g: [a, b]\n  h: [b, c]\n" + chat(
        "    name: X\n    owner: a\n    members: ['@g', '@h', a]\n")}, []),
    Case("unused_group_warning", {"chats/a.yaml": "groups:\n  spare: [a, b]\n" + chat()},
         ["chats/a.yaml:2:3: warning: group 'spare' is not used by any chat"]),
    # ---- files and paths -----------------------------------------------------
    Case("not_utf8", {"chats/a.yaml": "chats:\n  ab:\n    name: caf\udce9\n"},
         ["chats/a.yaml:3:14: error: file is not valid UTF-8 (byte 0xe9); save it as UTF-8"]),
    Case("empty_file", {"chats/a.yaml": ""}, []),
    Case("comments_only", {"chats/a.yaml": "# nothing yet\n"}, []),
    Case("empty_sections", {"chats/a.yaml": "groups:\nchats:\n"}, []),
    Case("no_chat_files", {"chats/README.md": "hi"},
         ["chats:1:1: error: no chat files (*.yaml, *.yml) under chats"]),
    Case("path_missing", {"chats/a.yaml": chat()},
         ["nope.yaml:1:1: error: no such file or directory: nope.yaml"], paths=["chats", "nope.yaml"]),
    Case("not_a_regular_file", {"chats/a.yaml": chat()},
         ["/dev/null:1:1: error: not a regular file: /dev/null"], paths=["chats", "/dev/null"]),
    # ---- allowed YAML features -----------------------------------------------
    Case("aliases_allowed", {"chats/a.yaml": "groups:\n  g: &team [a, b]\n" + chat(
        "    name: X\n    owner: a\n    members: *team\n")},
         ["chats/a.yaml:2:3: warning: group 'g' is not used by any chat"]),
    Case("merge_key_allowed", {"chats/a.yaml": chat() + "  cd:\n    <<: {owner: a, members: [a, b]}\n    name: Y\n"},
         []),
    Case("merge_key_bad", {"chats/a.yaml": chat(TWO + "    <<: 3\n")},
         ["chats/a.yaml:6:9: error: a merge key `<<` takes a mapping or a list of mappings"]),
    Case("merge_chain_too_deep", {"chats/a.yaml": "".join(
        f"t{i}: &t{i} {{<<: *t{i - 1}}}\n" if i else "t0: &t0 {name: X}\n" for i in range(23))
        + "chats:\n  ab:\n    <<: *t22\n    owner: a\n    members: [a, b]\n"},
        sorted([f"chats/a.yaml:{i}:1: error: unknown key 't{i - 1}' in a chat file (expected groups, chats)"
                for i in range(1, 24)] + [f"chats/a.yaml:{i}:5: error: merge keys `<<` nested more than 20 deep"
                                          for i in (1, 2, 3)], key=lambda line: int(line.split(":")[1]))
        + ["chats/a.yaml:25:3: error: chat 'ab' has no 'name'"]),
    Case("deep_nesting", {"chats/a.yaml": chat("    name: " + "[" * 500 + "]" * 500 + "\n    owner: a\n"
                                               "    members: [a, b]\n")},
         ["chats/a.yaml:3:11: error: name of chat 'ab' must be a string, got a list"]),
    # ---- all errors at once, sorted by file and line ---------------------------
    Case("all_at_once_sorted", {
        "chats/b.yaml": chat("    name: X\n    owner: zed\n    members: [a, b]\n"),
        "chats/a.yaml": chat(chat_id="bad-id") + "  ok:\n    name: Y\n    owner: a\n    members: [a, no]\n"},
        ["chats/a.yaml:2:3: error: invalid chat id 'bad-id': use 1-32 characters of 0-9 a-z A-Z",
         "chats/a.yaml:9:18: error: a member of chat 'ok' must be a string (a user id, \"@group\", \"dept:ID\" or \"tag:ID\") or a mapping (user: ID, until: DATE), got `no`, "
         "which YAML reads as a boolean; quote it: \"no\"",
         "chats/b.yaml:4:12: error: owner 'zed' is not a member of chat 'ab'"]),
    # an excluded owner is certain whatever else is wrong with the chat's lists
    Case("excluded_owner_and_a_bad_entry_in_one_run", {
        "chats/a.yaml": chat("    name: X\n    owner: a\n    members: [a, b, \"dept:abc\"]\n    exclude: [a]\n")},
        ["chats/a.yaml:4:12: error: owner 'a' is excluded from chat 'ab' by its `exclude`; choose a new owner or "
         "exclude someone else",
         "chats/a.yaml:5:21: error: invalid department entry 'dept:abc' in the members of chat 'ab': write dept:ID "
         "with the department's id, a positive whole number"]),
    Case("excluded_owner_and_an_unknown_group_in_one_run", {
        "chats/a.yaml": chat("    name: X\n    owner: a\n    members: [a, b, \"@nope\"]\n    exclude: [a]\n")},
        ["chats/a.yaml:4:12: error: owner 'a' is excluded from chat 'ab' by its `exclude`; choose a new owner or "
         "exclude someone else",
         "chats/a.yaml:5:21: error: unknown group '@nope'"]),
]


def _write(root, files: dict[str, str]) -> None:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(text.encode("utf-8", errors="surrogateescape"))


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_rule(case: Case, tmp_path, monkeypatch):
    _write(tmp_path, case.files)
    monkeypatch.chdir(tmp_path)
    result = load(case.paths)
    got = [str(d) for d in sorted(result.errors + result.warnings)]
    assert got == case.expected
    assert result.ok == (not any(": error: " in e for e in case.expected))


def test_case_names_are_unique():
    assert len({c.name for c in CASES}) == len(CASES)


def test_documented_examples_are_real_output():
    """Every example line in the validation table of docs/chat-files.md is one
    this test file (or, for what needs a real file, test_files.py) checks,
    word for word."""
    import re
    from pathlib import Path

    page = (Path(__file__).resolve().parents[2] / "docs" / "chat-files.md").read_text(encoding="utf-8")
    section = re.search(r"^## Validation\n(.*?)(?=^## |\Z)", page, re.M | re.S).group(1)
    shown = [m.group(1) or m.group(2) for m in
             re.finditer(r"\| (?:`` (.+?) ``|`([^`]+: (?:error|warning): [^`]+)`) \|$", section, re.M)]
    assert len(shown) >= 20
    from tests.config.test_files import DOCUMENTED

    checked = {line for case in CASES for line in case.expected} | set(DOCUMENTED)
    assert [line for line in shown if line not in checked] == []
