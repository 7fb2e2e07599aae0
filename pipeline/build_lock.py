"""The build lock: one build of a project at a time, held by the build's own process only.

It is an flock on ``.pipeline-cache/build.lock``, which the system releases when the holder
ends. But an flock belongs to the open file, and a forked child shares it: the warm speaker,
forked while the build held the lock, went on holding it after ``kill -9`` of the build, and
the next build waited for ever. So:

- every child forked while the lock is held closes it at once (``os.register_at_fork``), and
  it is not inherited across exec (O_CLOEXEC, Python's default);
- a build that finds the lock taken checks, every 0.1 s while it waits, whether the process
  that took it is still alive (Linux names it in ``/proc/locks``; elsewhere the owner's pid
  and start time written in the file say it). One that is gone, whose lock some left-behind
  process still holds, is taken over with a note: the file is replaced, under a second
  short lock so that two waiting builds cannot both do it, and only after it was seen stale
  twice, half a second apart.
"""
from __future__ import annotations

import os
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator, NamedTuple

try:
    import fcntl
except ImportError:  # Windows: no lock (builds there run one at a time by hand)
    fcntl = None  # type: ignore[assignment]

from pipeline.report import Reporter

_POLL = 0.1  # seconds between looks while another build holds the lock
_STALE_SECONDS = 0.5  # a holder must be seen gone this long before its lock is taken over
_held: set[int] = set()  # descriptors of locks this process holds


def _close_in_child() -> None:
    """In a forked child: let go of the parent's locks (the child must not keep them)."""
    for fd in _held:
        try:
            os.close(fd)
        except OSError:
            pass
    _held.clear()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_close_in_child)


@contextmanager
def build_lock(path: Path, reporter: Reporter) -> Iterator[None]:
    """Hold the lock at ``path`` (waiting for another build, and saying so)."""
    if fcntl is None:
        yield
        return
    fd = _acquire(path, reporter)
    _held.add(fd)
    try:
        yield
    finally:
        _held.discard(fd)
        os.close(fd)


class _Owner(NamedTuple):
    pid: int
    start: str  # the process's start time (/proc/PID/stat), "" when unknown


def _acquire(path: Path, reporter: Reporter) -> int:
    said = False
    gone_since: tuple[float, _Owner] | None = None
    while True:
        fd = os.open(path, os.O_RDWR | os.O_CREAT | getattr(os, "O_CLOEXEC", 0), 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            owner = _holder(fd)
            now = time.monotonic()
            if owner is None or _alive(owner):
                gone_since = None
            elif gone_since is None or gone_since[1] != owner:
                gone_since = (now, owner)
            elif now - gone_since[0] >= _STALE_SECONDS and _take_over(path, fd):
                reporter.progress(f"build: the build lock was held by processes left behind "
                                  f"by a build that is gone (pid {owner.pid}); taking it over")
            os.close(fd)
            if gone_since is None and not said:
                reporter.progress("build: waiting for the other build of this project to "
                                  "finish")
                said = True
            time.sleep(_POLL)
            continue
        except BaseException:
            os.close(fd)
            raise
        if _same_file(fd, path):
            _write_owner(fd)
            return fd
        os.close(fd)  # taken over (replaced) meanwhile: lock the new file


def _take_over(path: Path, fd: int) -> bool:
    """Replace the lock file whose holder is gone; False when that is no longer so."""
    guard = os.open(path.with_name(path.name + ".takeover"),
                    os.O_RDWR | os.O_CREAT | getattr(os, "O_CLOEXEC", 0), 0o644)
    try:
        fcntl.flock(guard, fcntl.LOCK_EX)  # held for a few system calls
        owner = _holder(fd)
        if not _same_file(fd, path) or owner is None or _alive(owner):
            return False
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:  # still held by what the dead build left behind
            os.unlink(path)
            return True
        fcntl.flock(fd, fcntl.LOCK_UN)  # free after all: the main loop takes it
        return False
    finally:
        os.close(guard)


def _same_file(fd: int, path: Path) -> bool:
    try:
        here, there = os.fstat(fd), os.stat(path)
    except OSError:
        return False
    return (here.st_dev, here.st_ino) == (there.st_dev, there.st_ino)


def _write_owner(fd: int) -> None:
    pid = os.getpid()
    record = f"{pid} {_start_time(pid)}\n".encode()
    os.ftruncate(fd, 0)
    os.pwrite(fd, record, 0)


def _holder(fd: int) -> _Owner | None:
    """Who holds the lock on ``fd``'s file: the kernel's word where there is one (the
    record in the file may still be the last owner's for a moment), else the record."""
    recorded = None
    try:
        fields = os.pread(fd, 100, 0).split()
        if fields:
            recorded = _Owner(int(fields[0]), fields[1].decode() if len(fields) > 1 else "")
    except (OSError, ValueError, UnicodeDecodeError):
        pass
    pid = _kernel_holder(fd)
    if pid is None:
        return recorded
    if pid <= 0:  # in another pid namespace: nothing to go by
        return None
    return recorded if recorded is not None and recorded.pid == pid else _Owner(pid, "")


def _kernel_holder(fd: int) -> int | None:
    """The pid /proc/locks gives for the flock on ``fd``'s file, or None."""
    info = os.fstat(fd)
    wanted = (os.major(info.st_dev), os.minor(info.st_dev), info.st_ino)
    try:
        with open("/proc/locks", encoding="ascii", errors="replace") as locks:
            lines = locks.read().splitlines()
    except OSError:
        return None
    for line in lines:
        fields = line.split()
        if len(fields) < 6 or fields[1] != "FLOCK":  # "->" lines are waiters
            continue
        try:
            major, minor, inode = fields[5].split(":")
            if (int(major, 16), int(minor, 16), int(inode)) == wanted:
                return int(fields[4])
        except ValueError:
            continue
    return None


def _start_time(pid: int) -> str:
    """The process's start time in clock ticks since boot ("" when unknown): with the pid,
    it names one process, even after the pid is reused."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as stat:
            return stat.read().rsplit(")", 1)[1].split()[19]
    except (OSError, IndexError):
        return ""


def _alive(owner: _Owner) -> bool:
    if not os.path.isdir("/proc/self"):  # no /proc: ask the system
        try:
            os.kill(owner.pid, 0)
        except ProcessLookupError:
            return False
        except PermissionError:
            return True
        return True
    try:
        with open(f"/proc/{owner.pid}/stat", encoding="ascii", errors="replace") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
    except FileNotFoundError:
        return False
    except (OSError, IndexError):
        return True  # cannot tell: wait rather than take over a live build's lock
    if fields[0] in ("Z", "X"):  # ended, not yet reaped
        return False
    return not owner.start or fields[19] == owner.start
