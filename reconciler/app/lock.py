"""One apply at a time per corp and API base on this machine.

The stale checks catch another writer between plan and write, but two
applies that read the same chat at the same moment would both pass them;
the lock closes that window for runs on one host. Runs on different hosts
(two CI runners) need the pipeline's own serialisation (a concurrency
group), which docs/pipelines.md recommends. flock is released by the kernel
when the process dies, so a killed apply never leaves it stuck.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from typing import Mapping

from reconciler.core.plan import Target

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None


class ApplyLock:
    """Keyed on the target (the normalised API base and the corp id), so
    `.../cgi-bin` and `.../cgi-bin/`, or an unset WECOM_API_BASE and the
    explicit default, are one lock."""

    def __init__(self, target: Target, environ: Mapping[str, str] | None = None) -> None:
        env = os.environ if environ is None else environ
        key = f"{target.api_base}|{target.corp_id}"
        directory = env.get("APPCHAT_LOCK_DIR") or tempfile.gettempdir()
        name = "appchat-apply-" + hashlib.sha256(key.encode("utf-8")).hexdigest()[:16] + ".lock"
        self.path = os.path.join(directory, name)
        self._fd: int | None = None

    def acquire(self) -> str | None:
        """None when held; otherwise why not (then nothing may be applied)."""
        if fcntl is None:  # no flock on this platform: rely on the stale checks
            return None
        try:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        except OSError as exc:
            # Going on without the lock would let two applies interleave.
            return (f"cannot open the apply lock file {self.path}: {exc.strerror or exc}; set APPCHAT_LOCK_DIR "
                    f"to a directory this user can write to")
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            holder = os.read(fd, 64).decode("ascii", "replace").strip() or "?"
            os.close(fd)
            return (f"another `appchat apply` against this corp is running on this machine (pid {holder}); "
                    f"wait for it and run apply again")
        os.ftruncate(fd, 0)
        os.write(fd, str(os.getpid()).encode("ascii"))
        self._fd = fd
        return None

    def release(self) -> None:
        if self._fd is not None:
            os.close(self._fd)  # closing drops the flock
            self._fd = None
