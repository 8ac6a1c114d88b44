"""The apply lock (issue 20, item 4): kept in a directory only this user can
write to, opened without following a symlink, never truncating anything.

The subprocess end of it (exit 1, one line, a JSON report) is in
tests/e2e/test_hardening_local.py."""

from __future__ import annotations

import os
import stat

from reconciler.app.lock import PID_WIDTH, ApplyLock, lock_directory, private_directory_problem
from reconciler.core.plan import Target

TARGET = Target("wwlock", "http://127.0.0.1:1/cgi-bin/")


def _private(path):
    path.mkdir(mode=0o700)
    os.chmod(path, 0o700)
    return path


def test_the_lock_directory_is_appchat_lock_dir_then_xdg_runtime_dir_then_a_private_one():
    assert lock_directory({"APPCHAT_LOCK_DIR": "/a", "XDG_RUNTIME_DIR": "/r", "HOME": "/h"}) == ("/a", False)
    assert lock_directory({"XDG_RUNTIME_DIR": "/r", "HOME": "/h"}) == ("/r", False)
    assert lock_directory({"HOME": "/h"}) == ("/h/.cache/appchat", True)
    assert lock_directory({"XDG_CACHE_HOME": "/c", "HOME": "/h"}) == ("/c/appchat", True)
    assert lock_directory({}) == (f"/tmp/appchat-{os.getuid()}", True)
    assert lock_directory({"XDG_CACHE_HOME": "relative"}) == (f"/tmp/appchat-{os.getuid()}", True)


def test_the_default_directory_is_created_0700_and_the_lock_taken_in_it(tmp_path):
    lock = ApplyLock(TARGET, {"HOME": str(tmp_path)})
    assert lock.acquire() is None
    try:
        directory = tmp_path / ".cache" / "appchat"
        assert stat.S_IMODE(os.stat(directory).st_mode) == 0o700
        assert os.path.dirname(lock.path) == str(directory)
        assert stat.S_IMODE(os.stat(lock.path).st_mode) == 0o600
    finally:
        lock.release()


def test_a_directory_others_can_write_to_or_a_symlink_or_another_users_is_refused(tmp_path):
    shared = tmp_path / "shared"
    shared.mkdir()
    os.chmod(shared, 0o1777)
    assert "writable by other users (mode 1777)" in private_directory_problem(str(shared), os.getuid())
    group = tmp_path / "group"
    group.mkdir()
    os.chmod(group, 0o770)
    assert "writable by other users" in private_directory_problem(str(group), os.getuid())
    own = _private(tmp_path / "own")
    assert private_directory_problem(str(own), os.getuid()) is None
    link = tmp_path / "link"
    link.symlink_to(own)
    assert "is a symlink" in private_directory_problem(str(link), os.getuid())
    assert "owned by another user" in private_directory_problem(str(own), os.getuid() + 1)
    plain = tmp_path / "file"
    plain.write_text("x")
    assert "not a directory" in private_directory_problem(str(plain), os.getuid())
    # and apply gets the refusal, with what to do
    refusal = ApplyLock(TARGET, {"APPCHAT_LOCK_DIR": str(shared)}).acquire()
    assert refusal and "writable by other users" in refusal and "APPCHAT_LOCK_DIR" in refusal
    assert os.listdir(shared) == []  # nothing created there


def test_a_symlink_planted_under_the_lock_name_is_not_followed_and_its_target_is_untouched(tmp_path):
    directory = _private(tmp_path / "locks")
    victim = tmp_path / "victim.txt"
    victim.write_text("precious content that must survive\n")
    before = victim.stat()
    lock = ApplyLock(TARGET, {"APPCHAT_LOCK_DIR": str(directory)})
    os.symlink(victim, lock.path)
    refusal = lock.acquire()
    assert refusal and f"{lock.path} is a symlink" in refusal
    assert victim.read_text() == "precious content that must survive\n"
    assert victim.stat().st_size == before.st_size and victim.stat().st_mtime_ns == before.st_mtime_ns
    assert os.path.islink(lock.path)


def test_an_existing_lock_file_is_never_truncated(tmp_path):
    directory = _private(tmp_path / "locks")
    lock = ApplyLock(TARGET, {"APPCHAT_LOCK_DIR": str(directory)})
    old = "9" * (PID_WIDTH + 15)
    with open(lock.path, "w") as f:
        f.write(old)
    assert lock.acquire() is None
    try:
        with open(lock.path) as f:
            content = f.read()
        assert len(content) == len(old)  # written over in place, not cut
        assert content[:PID_WIDTH].strip() == str(os.getpid())
    finally:
        lock.release()


def test_a_lock_name_that_is_not_a_regular_file_is_refused(tmp_path):
    directory = _private(tmp_path / "locks")
    lock = ApplyLock(TARGET, {"APPCHAT_LOCK_DIR": str(directory)})
    os.mkfifo(lock.path)
    refusal = lock.acquire()
    assert refusal and "not a regular file" in refusal
