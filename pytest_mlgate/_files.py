"""Writing files so that nobody ever reads half of one: baselines and reports alike."""

from __future__ import annotations

import contextlib
import os
import re
import stat
import sys
import tempfile
from pathlib import Path


def write_atomic(path: Path, data: bytes | str, *, through_links: bool = True) -> None:
    """Write to a temporary file beside ``path``, flush it to disk, then ``os.replace`` it into place.

    Readers (and parallel xdist workers writing the same file) see the old file or the new one, never a mix, and a
    killed run leaves no partial file. The file gets the mode an ordinary write would give it (``0666 & ~umask``);
    ``mkstemp`` alone would make it private. A symlink is followed (its target is replaced, the link stays), a
    path that is not a regular file (a FIFO, a device) is written through, never replaced, and one that names our
    own descriptor (``/dev/stdout``, ``/dev/fd/N``) is written to that descriptor, even when it is redirected to a
    file. Text
    that UTF-8 cannot hold (a lone surrogate) is written as a backslash escape rather than losing the file.
    ``through_links=False`` (baselines) replaces whatever sits at ``path`` instead, so nothing outside is touched.
    """
    path = Path(path)
    payload = data.encode("utf-8", "backslashreplace") if isinstance(data, str) else data
    if through_links:
        fd = _own_descriptor(path)
        if fd is not None:  # /dev/stdout and kin: our own stream, whatever it is (tty, pipe, a redirected file)
            _write_descriptor(fd, payload)
            return
        with contextlib.suppress(OSError):
            if not stat.S_ISREG(os.stat(path).st_mode):  # a FIFO or a device, through any links
                with open(path, "wb") as stream:
                    stream.write(payload)
                return
        if path.is_symlink():
            path = Path(os.path.realpath(path))
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


_DESCRIPTOR = re.compile(r"/(?:proc/(?:self|thread-self|{pid})|dev)/fd/(\d+)")
_STANDARD = {"/dev/stdin": 0, "/dev/stdout": 1, "/dev/stderr": 2}


def _own_descriptor(path: Path) -> int | None:
    """The file descriptor of ours that ``path`` names (``/dev/stdout``, ``/dev/fd/3``, ``/proc/self/fd/1``, or a
    link to one), else None. Such a path is written to the descriptor itself: opening ``/proc/self/fd/1`` anew
    would truncate a redirected log, and replacing what it resolves to would unlink it."""
    current = os.path.abspath(path)
    pattern = re.compile(_DESCRIPTOR.pattern.format(pid=os.getpid()))
    for _ in range(16):
        if current in _STANDARD:
            return _STANDARD[current]
        match = pattern.fullmatch(current)
        if match:
            return int(match.group(1))
        try:
            target = os.readlink(current)
        except OSError:
            return None
        current = os.path.normpath(os.path.join(os.path.dirname(current), target))
    return None


def _write_descriptor(fd: int, payload: bytes) -> None:
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(Exception):
            stream.flush()  # what pytest already wrote comes first
    view = memoryview(payload)
    while view:
        view = view[os.write(fd, view):]


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
