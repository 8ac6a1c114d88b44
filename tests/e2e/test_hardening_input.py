"""Hostile chat files at the command line: `appchat validate` as a user's
pipeline runs it, in a subprocess under an address-space limit
(RLIMIT_AS) and a timeout, must end with exit 1 and located errors, never a
traceback.

tests/test_config_properties.py already fuzzes the loader in process with
hypothesis (random text, random bytes, YAML-shaped noise, deep nesting,
alias bombs); this file adds what it cannot show: the real process under a
memory ceiling, and the hostile things a pull request can smuggle into a
chats/ directory besides YAML text (symlinks: git stores them).
"""

from __future__ import annotations

import os
import re
import resource
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers import subprocess_env

LIMIT_BYTES = 1 << 30   # 1 GiB of address space: ample for any sane chat file
TIMEOUT_S = 120         # a hang guard, not a speed assertion
LOCATED = re.compile(r"^\S+:\d+:\d+: error: .+$", re.MULTILINE)


def _limited():
    resource.setrlimit(resource.RLIMIT_AS, (LIMIT_BYTES, LIMIT_BYTES))


def validate(*paths, cwd: Path) -> tuple[int, str, str]:
    proc = subprocess.run([sys.executable, "-m", "reconciler", "validate", *map(str, paths)], cwd=cwd,
                          env=subprocess_env(), capture_output=True, text=True, timeout=TIMEOUT_S,
                          preexec_fn=_limited)
    return proc.returncode, proc.stdout, proc.stderr


def _alias_bomb() -> str:
    lines = ["a0: &a0 [" + ", ".join(["lol"] * 9) + "]"]
    lines += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 9) + "]" for i in range(1, 10)]
    return "\n".join(lines) + "\nchats: *a9\n"


HOSTILE = {
    "billion laughs": _alias_bomb(),
    "deep flow nesting": "chats: " + "[" * 100_000 + "]" * 100_000 + "\n",
    "deep block nesting": "".join(" " * i + f"k{i}:\n" for i in range(3000)),
    "merge-key chain": "".join(f"m{i}: &m{i} {{<<: *m{i - 1}, k{i}: v}}\n" if i else "m0: &m0 {k: v}\n"
                               for i in range(200)) + "chats: {}\n",
    "random bytes": os.urandom(1 << 20),
    "NUL bytes in YAML": "chats:\n  ab:\n    name: \x00\x00\n    owner: a\n    members: [a, b]\n",
    "one 8 MB line": "chats: " + "x" * (8 << 20) + "\n",
    "python tags": "chats: !!python/object/apply:os.system ['echo pwned']\n",
}


@pytest.mark.parametrize("name", list(HOSTILE))
def test_hostile_file_ends_in_located_errors(name, tmp_path):
    content = HOSTILE[name]
    folder = tmp_path / "chats"
    folder.mkdir()
    target = folder / "evil.yaml"
    (target.write_bytes if isinstance(content, bytes) else target.write_text)(content)
    code, out, err = validate("chats", cwd=tmp_path)
    assert "Traceback" not in err and "MemoryError" not in err, err[-2000:]
    assert code == 1, out + err[-2000:]
    assert LOCATED.search(err), err[-2000:]
    assert all(line.startswith("chats/evil.yaml:") for line in LOCATED.findall(err) if ": error: " in line)
    assert "pwned" not in out + err


def test_symlink_loop_in_the_chats_directory_is_not_followed(tmp_path):
    folder = tmp_path / "chats"
    folder.mkdir()
    (folder / "ok.yaml").write_text("chats:\n  ab:\n    name: X\n    owner: a\n    members: [a, b]\n")
    (folder / "again").symlink_to("..")
    code, out, err = validate("chats", cwd=tmp_path)
    assert code == 0 and "1 file, 1 chat" in out, out + err
    assert "Traceback" not in err


def test_chat_file_linked_to_an_endless_device_is_refused(tmp_path):
    folder = tmp_path / "chats"
    folder.mkdir()
    (folder / "zero.yaml").symlink_to("/dev/zero")
    code, out, err = validate("chats", cwd=tmp_path)
    assert "Traceback" not in err, err[-1500:]
    assert code == 1 and LOCATED.search(err), err[-1500:]


@pytest.mark.slow
def test_huge_file_under_a_memory_ceiling_is_an_error_not_a_crash(tmp_path):
    folder = tmp_path / "chats"
    folder.mkdir()
    with open(folder / "huge.yaml", "w", encoding="utf-8") as f:
        f.write("chats:\n")
        for i in range(300_000):
            f.write(f"  c{i}:\n    name: n\n    owner: a\n    members: [a, b]\n")
    code, out, err = validate("chats", cwd=tmp_path)
    assert "Traceback" not in err, err[-1500:]
    assert code in (0, 1)
    if code == 1:
        assert LOCATED.search(err), err[-1500:]
