"""Atomic, change-aware file writes: a reader never sees half a file, and unchanged files keep
their timestamps (so make, rsync and static servers see no change)."""
from __future__ import annotations

import errno
import itertools
import os
import stat
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO, Callable, Iterator

from pipeline.model import Issue, Location, Severity

# Temp names: pid, a random tag (pids repeat across containers sharing a folder) and a
# serial number; cheaper than tempfile.mkstemp, which a cold update calls thousands of times.
_TAG = os.urandom(4).hex()
_serial = itertools.count()
# The content project of the command being run (cli.py sets it): writes must stay inside it,
# and messages name files relative to it. None (library use, tests): no confinement.
_project: Path | None = None


class WriteError(OSError):
    """A file that could not be written; ``issue`` says so as ``path: error: cannot write:
    ... [unwritable]``. An OSError, so that a failing disk stops a build (the next write would
    fail too) and the command line reports it, without a traceback; extract, update and
    import report it and go on with the next file."""

    def __init__(self, path: Path, error: int | None, reason: str):
        super().__init__(error, reason, str(path))
        self.issue = Issue(Location(_shown(path)), Severity.ERROR, f"cannot write: {reason}",
                           "unwritable")

    def __reduce__(self):  # crosses process pools intact
        return (WriteError, (Path(self.filename), self.errno, self.strerror))


@contextmanager
def confined(root: Path) -> Iterator[None]:
    """Within the block, every atomic write must land inside ``root`` (the content project):
    a folder that is a symbolic link out of it is refused, not written through."""
    global _project
    previous, _project = _project, Path(root).resolve()
    try:
        yield
    finally:
        _project = previous


def _shown(path: Path) -> str:
    if _project is not None:
        try:
            return str(Path(os.path.abspath(path)).relative_to(Path(os.path.abspath(_project))))
        except ValueError:
            pass
        try:
            return str(Path(path).resolve().relative_to(_project))
        except ValueError:
            pass
    return str(path)


def write_bytes_atomic(path: Path, data: bytes, durable: bool = True) -> bool:
    """Write ``data`` to ``path`` through a temp file and rename; return False if unchanged.

    The rename makes every write atomic: a killed run leaves the old file or the new one.
    ``durable`` adds an fsync before the rename, so that a power cut cannot leave an empty
    file in place of the old one. Callers pass False only for new files that are derived and
    checked by content on the next run (a cold update creates thousands of catalogs, and
    their fsyncs took longer than making them); a file being replaced is always synced.
    Raises WriteError (nothing written, no temp file left) when the file cannot be written.
    """
    path = Path(path)
    try:
        # Only a regular file is compared: a link is replaced, never read through (it could
        # lead to /dev/zero or a private file).
        old = os.lstat(path)
        if stat.S_ISREG(old.st_mode) and old.st_size == len(data) and path.read_bytes() == data:
            return False
        durable = True  # there is an old version to keep safe
    except (FileNotFoundError, NotADirectoryError):
        pass
    except OSError as exc:
        raise WriteError(path, exc.errno, exc.strerror or str(exc)) from exc
    if _project is not None and not path.parent.resolve().is_relative_to(_project):
        raise WriteError(path, errno.EPERM, "its folder is a symbolic link leading outside "
                         "the project")
    try:
        _replace(path, lambda fd: _write_all(fd, data), durable)
    except OSError as exc:
        raise WriteError(path, exc.errno, exc.strerror or str(exc)) from exc
    return True


def write_stream_atomic(path: Path, produce: Callable[[BinaryIO], None],
                        durable: bool = True) -> None:
    """Like write_bytes_atomic for a file too large to hold in memory (a language's offline
    bundle: 600 MB for 200 articles with audio): ``produce`` writes it into the temp file
    (seekable, as zipfile needs), which then replaces ``path``. No comparison with the old
    file: the caller made it because its inputs changed. ``durable=False`` skips the fsync
    even over an old file: only for derived files the caller can tell are whole (by size)."""
    path = Path(path)
    if _project is not None and not path.parent.resolve().is_relative_to(_project):
        raise WriteError(path, errno.EPERM, "its folder is a symbolic link leading outside "
                         "the project")

    def fill(fd: int) -> None:
        with os.fdopen(fd, "wb", closefd=False) as handle:
            produce(handle)

    try:
        _replace(path, fill, durable)
    except OSError as exc:
        raise WriteError(path, exc.errno, exc.strerror or str(exc)) from exc


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


def _replace(path: Path, fill: Callable[[int], None], durable: bool) -> None:
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
            fill(fd)
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
