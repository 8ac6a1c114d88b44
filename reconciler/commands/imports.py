"""`appchat import CHAT_ID ... [-o FILE] [--ids-from FILE]`: write live chats
as a chat file that `plan` reads back with no changes.

All or nothing: if any chat cannot be read (unknown id, foreign chat, API
error) or cannot be expressed in a valid chat file, every such chat is named
on stderr, the exit code is 1 and nothing is written."""

from __future__ import annotations

import os
import re
import sys
import tempfile

import yaml

from reconciler import atomicfile, reads
from reconciler.constants import CHAT_ID_PATTERN, ErrCode
from reconciler.model import LiveChat, ReadError

EXIT_OK, EXIT_ERROR = 0, 1

SCHEMA_REL = os.path.join("schemas", "chats.schema.json")
DEFAULT_SCHEMA_REF = "../schemas/chats.schema.json"  # the layout of chats/ next to schemas/

_CHAT_ID = re.compile(CHAT_ID_PATTERN)
# Plain scalars that are safe in every YAML version's eyes: no leading digit,
# sign or dot (numbers, octal 0o17, .inf), no y/n (YAML 1.1 booleans).
_PLAIN_SAFE = re.compile(r"^[A-Za-z_][A-Za-z0-9_.\-]*$")
_YN = {"y", "Y", "n", "N"}


# ---------------------------------------------------------------- rendering (pure)

def _double_quoted(text: str) -> str:
    out = yaml.safe_dump(text, default_style='"', allow_unicode=True, width=float("inf"))
    return out.strip().removesuffix("...").strip()


def scalar(text: str) -> str:
    """`text` as a YAML scalar that every loader reads back as this string:
    plain when unambiguous, double-quoted otherwise (`no`, `on`, `007`, `1e3`,
    `null`, `~`...)."""
    if text in _YN or not _PLAIN_SAFE.match(text):
        return _double_quoted(text)
    try:
        if yaml.safe_load(text) != text:
            return _double_quoted(text)
    except yaml.YAMLError:
        return _double_quoted(text)
    return text


def render_chat_file(chats: list[LiveChat], schema_ref: str = DEFAULT_SCHEMA_REF) -> str:
    lines = [f"# yaml-language-server: $schema={schema_ref}",
             "# Written by `appchat import` from the live chats; `appchat plan` on it shows no changes.",
             "chats:"]
    for chat in sorted(chats, key=lambda c: c.chat_id):
        lines.append(f"  {scalar(chat.chat_id)}:")
        lines.append(f"    name: {_double_quoted(chat.name)}")
        lines.append(f"    owner: {scalar(chat.owner)}")
        lines.append("    members:")
        lines.extend(f"      - {scalar(m)}" for m in sorted(chat.members))
    return "\n".join(lines) + "\n"


def schema_ref_for(output: str | None) -> str:
    """The schema path as the editor will resolve it: relative to the written
    file, pointing at the nearest schemas/chats.schema.json above it."""
    if not output:
        return DEFAULT_SCHEMA_REF
    start = os.path.dirname(os.path.abspath(output))
    here = start
    while True:
        candidate = os.path.join(here, SCHEMA_REL)
        if os.path.isfile(candidate):
            return os.path.relpath(candidate, start).replace(os.sep, "/")
        parent = os.path.dirname(here)
        if parent == here:
            return DEFAULT_SCHEMA_REF
        here = parent


# ---------------------------------------------------------------- shell

def _read_ids(args) -> list[str]:
    ids = list(args.chat_ids or [])
    if args.ids_from:
        try:
            if args.ids_from == "-":
                text = sys.stdin.read()
            else:
                with open(args.ids_from, encoding="utf-8") as fh:
                    text = fh.read()
        except OSError as exc:
            raise reads.ShellError(f"cannot read {args.ids_from}: {exc.strerror or exc}") from None
        for line in text.splitlines():
            line = line.split("#", 1)[0].strip()
            if line:
                ids.append(line)
    return list(dict.fromkeys(ids))


def _self_check(text: str, chats: list[LiveChat]) -> list[str]:
    """Load the rendered file with the real loader and compare with the live
    chats: whatever the config rules refuse (a one-member chat, a 51-character
    name, an odd user id) is named here instead of being written."""
    from reconciler import config

    problems: list[str] = []
    with tempfile.TemporaryDirectory(prefix="appchat-import-") as tmp:
        path = os.path.join(tmp, "imported.yaml")
        with open(path, "w", encoding="utf-8") as fh:
            fh.write(text)
        result = config.load([path])
    # Which chat a diagnostic is about: the last chat key above its line.
    starts = [(n, line.strip()[:-1]) for n, line in enumerate(text.splitlines(), 1)
              if line.startswith("  ") and not line.startswith("   ") and line.endswith(":")]
    for diag in result.errors:
        line = getattr(getattr(diag, "source", None), "line", 0) or 0
        owner = [key for n, key in starts if n <= line]
        about = f"chat {owner[-1].strip(chr(34))}" if owner else "the imported file"
        problems.append(f"{about} cannot be written as a valid chat file: {diag.message}")
    if result.errors:
        return problems
    loaded = {c.chat_id: c for c in result.chats}
    for chat in chats:
        got = loaded.get(chat.chat_id)
        if got is None or (got.name, got.owner, got.members) != (chat.name, chat.owner, chat.members):
            problems.append(f"chat {chat.chat_id} does not read back as imported")
    return problems


def _run(args) -> int:
    ids = _read_ids(args)
    if not ids:
        print("error: no chat ids given (CHAT_ID ... or --ids-from FILE)", file=sys.stderr)
        return EXIT_ERROR
    bad = [i for i in ids if not _CHAT_ID.match(i)]
    if bad:
        for chat_id in bad:
            print(f"error: {chat_id!r} is not a chat id (1-32 characters of 0-9 a-z A-Z)", file=sys.stderr)
        return EXIT_ERROR

    with reads.open_client(concurrency=args.concurrency, read_only=True) as client:
        live = reads.read_live(client, ids)

    failed = False
    found: list[LiveChat] = []
    for chat_id in ids:
        result = live.get(chat_id)
        if isinstance(result, LiveChat):
            found.append(result)
        elif isinstance(result, ReadError):
            code = f" ({result.errcode})" if result.errcode is not None else ""
            print(f"error: chat {chat_id}: cannot read it{code}: {result.message}", file=sys.stderr)
            failed = True
        else:
            print(f"error: chat {chat_id}: no such chat ({int(ErrCode.CHAT_NOT_FOUND)})", file=sys.stderr)
            failed = True
    if failed:
        print("nothing written", file=sys.stderr)
        return EXIT_ERROR

    text = render_chat_file(found, schema_ref_for(args.output))
    problems = _self_check(text, found)
    if problems:
        for problem in problems:
            print(f"error: {problem}", file=sys.stderr)
        print("nothing written", file=sys.stderr)
        return EXIT_ERROR

    if args.output:
        try:
            atomicfile.write_text(args.output, text, prefix=".appchat-import-")
        except OSError as exc:
            print(f"error: cannot write {args.output}: {exc.strerror or exc}", file=sys.stderr)
            return EXIT_ERROR
        print(f"wrote {len(found)} chat(s) to {args.output}", file=sys.stderr)
    else:
        sys.stdout.write(text)
    return EXIT_OK


def run(args) -> int:
    return reads.guard(lambda: _run(args))
