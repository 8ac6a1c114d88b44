"""reconciler.atomicfile: the one atomic write behind `plan --out` and `import -o`."""

from __future__ import annotations

import os
import stat

import pytest

from reconciler.app import atomicfile


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def test_writes_the_text_with_the_permissions_open_would_give(tmp_path):
    target = tmp_path / "out.json"
    atomicfile.write_text(str(target), "héllo\n")
    assert target.read_text(encoding="utf-8") == "héllo\n"
    assert stat.S_IMODE(target.stat().st_mode) == 0o666 & ~_umask()  # not mkstemp's 0600
    assert os.listdir(tmp_path) == ["out.json"]


def test_a_failed_write_keeps_the_old_file_and_leaves_no_temporary(tmp_path):
    target = tmp_path / "plan.json"
    target.write_text("old\n", encoding="utf-8")
    with pytest.raises(UnicodeEncodeError):
        atomicfile.write_text(str(target), "half \udcff written", prefix=".plan-")
    assert target.read_text(encoding="utf-8") == "old\n"
    assert os.listdir(tmp_path) == ["plan.json"]
