"""Writing files so that nobody ever reads half of one: baselines and reports alike."""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from pathlib import Path


def write_atomic(path: Path, data: bytes | str, *, through_links: bool = True) -> None:
    """Write to a temporary file beside ``path``, flush it to disk, then ``os.replace`` it into place.

    Readers (and parallel xdist workers writing the same file) see the old file or the new one, never a mix, and a
    killed run leaves no partial file. The file gets the mode an ordinary write would give it (``0666 & ~umask``);
    ``mkstemp`` alone would make it private. A symlink is followed (its target is replaced, the link stays), and a
    path that is not a regular file (``/dev/stdout``, a FIFO, a device) is written through, never replaced. Text
    that UTF-8 cannot hold (a lone surrogate) is written as a backslash escape rather than losing the file.
    ``through_links=False`` (baselines) replaces whatever sits at ``path`` instead, so nothing outside is touched.
    """
    path = Path(path)
    payload = data.encode("utf-8", "backslashreplace") if isinstance(data, str) else data
    if through_links and path.is_symlink():
        path = Path(os.path.realpath(path))
    with contextlib.suppress(OSError):
        if through_links and not stat.S_ISREG(os.stat(path).st_mode):
            with open(path, "wb") as stream:
                stream.write(payload)
            return
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as stream:
            stream.write(payload)
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
