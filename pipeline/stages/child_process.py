"""Helper processes of a build die with it.

A build killed with SIGKILL runs no cleanup: its warm speaker and speech workers, reparented
to init, went on holding the build lock and waiting on pipes nobody would write to, and the
next build waited for them for ever. On Linux each helper asks the kernel for SIGKILL when
its parent dies (prctl PR_SET_PDEATHSIG), then checks that the parent is still the one that
started it: a parent that died before the request took effect would never send the signal.
Elsewhere a thread watches the parent id. Helpers hold nothing that needs a clean exit: the
audio cache and output are written atomically, and the next build removes leftovers.

The signal comes when the parent *thread* that started the helper ends, so helpers are
started and stopped by the thread that runs the build (not by a pool's management thread).
"""
from __future__ import annotations

import ctypes
import os
import signal
import sys
import threading
import time

_PR_SET_PDEATHSIG = 1
_WATCH_SECONDS = 1.0


def die_with_parent(parent_pid: int) -> None:
    """Make this process end when ``parent_pid`` (its parent) ends; end now if it has."""
    if not _ask_kernel():
        threading.Thread(target=_watch, args=(parent_pid,), daemon=True,
                         name="pipeline-parent-watch").start()
    if os.getppid() != parent_pid:  # the parent died before the request took effect
        os._exit(1)


def _ask_kernel() -> bool:
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return libc.prctl(_PR_SET_PDEATHSIG, int(signal.SIGKILL), 0, 0, 0) == 0
    except (OSError, AttributeError):
        return False


def _watch(parent_pid: int) -> None:
    while os.getppid() == parent_pid:
        time.sleep(_WATCH_SECONDS)
    os._exit(1)
