"""Atomic, change-aware file writes: a reader never sees half a file, and unchanged files keep
their timestamps (so make, rsync and static servers see no change)."""
from __future__ import annotations

import itertools
import os
from pathlib import Path

# Temp names: pid, a random tag (pids repeat across containers sharing a folder) and a
# serial number; cheaper than tempfile.mkstemp, which a cold update calls thousands of times.
_TAG = os.urandom(4).hex()
_serial = itertools.count()


def write_bytes_atomic(path: Path, data: bytes, durable: bool = True) -> bool:
    """Write ``data`` to ``path`` through a temp file and rename; return False if unchanged.

    The rename makes every write atomic: a killed run leaves the old file or the new one.
    ``durable`` adds an fsync before the rename, so that a power cut cannot leave an empty
    file in place of the old one. Callers pass False only for new files that are derived and
    checked by content on the next run (a cold update creates thousands of catalogs, and
    their fsyncs took longer than making them); a file being replaced is always synced.
    """
    path = Path(path)
    try:
        if path.read_bytes() == data:
            return False
        durable = True  # there is an old version to keep safe
    except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
        pass
    if not path.parent.is_dir():
        path.parent.mkdir(parents=True, exist_ok=True)
    while True:
        tmp = path.parent / f".{path.name}.{os.getpid()}{_TAG}{next(_serial)}.tmp"
        try:
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
            break
        except FileExistsError:
            continue
    try:
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view):]
            if durable:
                os.fsync(fd)
            os.fchmod(fd, 0o644)  # whatever the umask, as a plain write would leave it
        finally:
            os.close(fd)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise
    return True


def write_text_atomic(path: Path, text: str, durable: bool = True) -> bool:
    return write_bytes_atomic(path, text.encode("utf-8"), durable)


def remove_stale_temp_files(folder: Path) -> int:
    """Remove temp files an interrupted run left behind; returns how many."""
    removed = 0
    for top, _dirs, files in os.walk(folder):  # not rglob: outputs hold 10,000s of files
        for name in files:
            if name.startswith(".") and name.endswith(".tmp"):
                try:
                    os.unlink(os.path.join(top, name))
                    removed += 1
                except OSError:
                    pass
    return removed
