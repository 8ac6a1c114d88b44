"""One apply at a time per corp and API base on this machine.

The stale checks catch another writer between plan and write, but two
applies that read the same chat at the same moment would both pass them;
the lock closes that window for runs on one host. Runs on different hosts
(two CI runners) need the pipeline's own serialisation (a concurrency
group), which docs/pipelines.md recommends. flock is released by the kernel
when the process dies, so a killed apply never leaves it stuck.

The lock's name is computable from the base and the corp id, so in a shared
directory (/tmp) another local user could plant a symlink under that name
and have apply write through it (issue 20). Hence a directory only this user
can write to, checked before use, and a lock opened without following links
and never truncated.
"""

from __future__ import annotations

import errno
import hashlib
import os
import stat
from typing import Mapping

from reconciler.core.plan import Target

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None

# The pid is written at offset 0 padded to this width, so an older, longer
# pid never needs truncating away.
PID_WIDTH = 20


def lock_directory(env: Mapping[str, str]) -> tuple[str, bool]:
    """Where locks live, and whether appchat may create it (its own default,
    as opposed to a directory the user named)."""
    if env.get("APPCHAT_LOCK_DIR"):
        return env["APPCHAT_LOCK_DIR"], False
    if env.get("XDG_RUNTIME_DIR"):
        return env["XDG_RUNTIME_DIR"], False
    cache = env.get("XDG_CACHE_HOME") or (os.path.join(env["HOME"], ".cache") if env.get("HOME") else "")
    if cache and os.path.isabs(cache):
        return os.path.join(cache, "appchat"), True
    return f"/tmp/appchat-{os.getuid()}", True


def private_directory_problem(path: str, uid: int) -> str | None:
    """Why `path` is no safe place for the lock (None when it is): it must be
    a real directory (not a symlink), owned by `uid`, writable by nobody else."""
    try:
        info = os.lstat(path)
    except OSError as exc:
        return f"cannot use the apply lock directory {path}: {exc.strerror or exc}"
    if stat.S_ISLNK(info.st_mode):
        return f"the apply lock directory {path} is a symlink"
    if not stat.S_ISDIR(info.st_mode):
        return f"the apply lock directory {path} is not a directory"
    if info.st_uid != uid:
        return f"the apply lock directory {path} is owned by another user (uid {info.st_uid})"
    if info.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
        return f"the apply lock directory {path} is writable by other users (mode {stat.S_IMODE(info.st_mode):04o})"
    return None


def _make_private(path: str) -> None:
    """Creates appchat's own default directory 0700 (parents as usual)."""
    parent = os.path.dirname(path)
    if parent:
        os.makedirs(parent, exist_ok=True)
    try:
        os.mkdir(path, 0o700)
    except FileExistsError:
        pass


class ApplyLock:
    """Keyed on the target (the normalised API base and the corp id), so
    `.../cgi-bin` and `.../cgi-bin/`, or an unset WECOM_API_BASE and the
    explicit default, are one lock."""

    def __init__(self, target: Target, environ: Mapping[str, str] | None = None) -> None:
        env = os.environ if environ is None else environ
        key = f"{target.api_base}|{target.corp_id}"
        self.directory, self._ours = lock_directory(env)
        name = "appchat-apply-" + hashlib.sha256(key.encode("utf-8")).hexdigest()[:16] + ".lock"
        self.path = os.path.join(self.directory, name)
        self._fd: int | None = None

    def acquire(self) -> str | None:
        """None when held; otherwise why not (then nothing may be applied)."""
        if fcntl is None:  # no flock on this platform: rely on the stale checks
            return None
        hint = "; set APPCHAT_LOCK_DIR to a directory of this user's that no one else can write to"
        if self._ours:
            try:
                _make_private(self.directory)
            except OSError as exc:
                return f"cannot create the apply lock directory {self.directory}: {exc.strerror or exc}{hint}"
        problem = private_directory_problem(self.directory, os.getuid())
        if problem:
            return problem + hint
        try:
            # O_NONBLOCK: a FIFO planted under the name must not block the open.
            flags = os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0)
            fd = os.open(self.path, flags, 0o600)
        except OSError as exc:
            # Going on without the lock would let two applies interleave.
            if exc.errno == errno.ELOOP:
                return f"the apply lock file {self.path} is a symlink (not followed; remove it){hint}"
            return f"cannot open the apply lock file {self.path}: {exc.strerror or exc}{hint}"
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode) or info.st_uid != os.getuid():
            os.close(fd)
            return f"cannot open the apply lock file {self.path}: not a regular file of this user's{hint}"
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            holder = os.read(fd, PID_WIDTH).decode("ascii", "replace").strip() or "?"
            os.close(fd)
            return (f"another `appchat apply` against this corp is running on this machine (pid {holder}); "
                    f"wait for it and run apply again")
        os.pwrite(fd, str(os.getpid()).ljust(PID_WIDTH).encode("ascii"), 0)
        self._fd = fd
        return None

    def release(self) -> None:
        if self._fd is not None:
            os.close(self._fd)  # closing drops the flock
            self._fd = None
