"""Writing a file so that readers see the old one or the whole new one,
never a prefix: a killed `plan --out` or `import -o` must not leave behind
something that looks valid."""

from __future__ import annotations

import os
import tempfile


def write_text(path: str, text: str, *, prefix: str = ".appchat-") -> None:
    """Write `text` (UTF-8) to `path` through a temporary file in the same
    directory, fsync'd and renamed over `path`. The file gets the permissions
    a plain open() would give (0666 minus the umask), not mkstemp's 0600."""
    directory = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(prefix=prefix, suffix=".tmp", dir=directory)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
