"""Running a command and measuring it: wall time, CPU time, memory, exit status.

Memory is taken two ways: the largest single process of the command's tree (``ru_maxrss`` from
``wait4``, which folds in every descendant the command waited for) and the peak of the whole
tree's summed resident memory, sampled every 50 ms from /proc (worker pools count in full;
shared pages are counted once per process, so this errs on the high side).
"""
from __future__ import annotations

import os
import platform
import re
import shutil
import statistics
import subprocess
import tempfile
import threading
import time
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path

_PAGE = os.sysconf("SC_PAGE_SIZE")


@dataclass
class Run:
    cmd: list[str]
    wall: float  # seconds
    cpu: float  # user + system seconds of the command and its waited-for descendants
    max_rss_mb: float  # largest single process
    tree_rss_mb: float  # peak of the sampled sum over the process tree
    returncode: int
    stdout: str = ""
    stderr: str = ""
    extra: dict = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.returncode == 0

    def summary(self) -> dict:
        data = asdict(self)
        data["stdout"] = _tail(self.stdout, 600)
        data["stderr"] = _tail(self.stderr, 600)
        return data


def _tail(text: str, size: int) -> str:
    return text if len(text) <= size else "..." + text[-size:]


def _tree_rss(root: int) -> int:
    """Bytes of resident memory of ``root`` and all its descendants right now."""
    children: dict[int, list[int]] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat", "rb") as f:
                stat = f.read()
        except OSError:
            continue
        ppid = int(stat[stat.rindex(b")") + 2:].split(b" ", 2)[1])
        children.setdefault(ppid, []).append(int(entry.name))
    total, todo = 0, [root]
    while todo:
        pid = todo.pop()
        todo += children.get(pid, [])
        try:
            with open(f"/proc/{pid}/statm", "rb") as f:
                total += int(f.read().split()[1]) * _PAGE
        except (OSError, IndexError, ValueError):
            pass
    return total


class _Sampler(threading.Thread):
    def __init__(self, pid: int, interval: float = 0.05) -> None:
        super().__init__(daemon=True)
        self.pid, self.interval, self.peak = pid, interval, 0
        self._done = threading.Event()

    def run(self) -> None:
        while not self._done.is_set():
            self.peak = max(self.peak, _tree_rss(self.pid))
            self._done.wait(self.interval)

    def stop(self) -> None:
        self._done.set()
        self.join()


def run(cmd: list[str], cwd: Path | None = None, env: dict | None = None) -> Run:
    """Run ``cmd`` to completion (output captured in files, so no pipe can fill up)."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=out, stderr=err,
                                stdin=subprocess.DEVNULL)
        sampler = _Sampler(proc.pid)
        sampler.start()
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - started
        sampler.stop()
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        return Run(list(map(str, cmd)), wall, usage.ru_utime + usage.ru_stime,
                   usage.ru_maxrss / 1024, sampler.peak / 2**20, proc.returncode,
                   out.read().decode(errors="replace"), err.read().decode(errors="replace"))


def median(values: list[float]) -> float | None:
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def set_aside(path: Path, trash: Path) -> None:
    """Move ``path`` into ``trash`` instead of deleting it (the caller deletes the trash when
    the measurements are over). Right after thousands of files are deleted, ext4 creates
    files several times slower for a minute or more (its inode allocator skips recently
    freed inodes), which would charge a cold run for the previous run's clean-up: a real
    first extract does not follow a mass deletion."""
    if path.exists():
        trash.mkdir(parents=True, exist_ok=True)
        path.rename(trash / f"{path.name}-{time.monotonic_ns()}")


def settle_filesystem() -> None:
    """Write back dirty buffers and wait a few seconds. For 300 s after files are deleted,
    ext4 skips their inodes when creating new files while their inode table is not yet
    written back (5 s once it is): a benchmark started right after another one's clean-up
    otherwise measures that clean-up in every file it creates."""
    os.sync()
    time.sleep(6)


def copy_project(source: Path, target: Path, with_output: bool = False) -> Path:
    """A fresh copy of a content project (no output/, no .pipeline-cache/ unless asked)."""
    if target.exists():
        shutil.rmtree(target)
    skip = {".corpus-stamp"} | (set() if with_output else {"output", ".pipeline-cache"})
    shutil.copytree(source, target, ignore=lambda d, names: [n for n in names if n in skip
                                                             and Path(d) == source])
    return target


def machine_info(repo: Path) -> dict:
    cpu = "unknown"
    try:
        text = Path("/proc/cpuinfo").read_text()
        if m := re.search(r"^model name\s*:\s*(.+)$", text, re.M):
            cpu = m.group(1).strip()
    except OSError:
        pass
    ram_gb = None
    try:
        if m := re.search(r"^MemTotal:\s*(\d+) kB", Path("/proc/meminfo").read_text(), re.M):
            ram_gb = round(int(m.group(1)) / 2**20, 1)
    except OSError:
        pass
    espeak_cli = None
    if shutil.which("espeak-ng"):
        done = subprocess.run(["espeak-ng", "--version"], capture_output=True, text=True)
        if m := re.search(r"text-to-speech:\s*([\w.+-]+)", done.stdout):
            espeak_cli = m.group(1)
    espeak_lib = None
    try:
        import espeakng_loader

        folder = Path(espeakng_loader.get_library_path()).parent
        versions = [p.name.split(".so.", 1)[1] for p in folder.glob("libespeak-ng.so.*.*")]
        espeak_lib = max(versions, default=None)
    except Exception:  # noqa: BLE001 - informational only
        pass

    def git(*args: str) -> str:
        done = subprocess.run(["git", *args], cwd=repo, capture_output=True, text=True)
        return done.stdout.strip()

    dirty = git("status", "--porcelain", "--", "pipeline")
    return {
        "cpu_model": cpu,
        "cores": os.cpu_count(),
        "ram_gb": ram_gb,
        "os": platform.platform(),
        "python": platform.python_version(),
        "espeak_ng_cli": espeak_cli,
        "espeak_ng_library_in_pipeline": espeak_lib,
        "msgmerge": _first_line(["msgmerge", "--version"]),
        "git_commit": git("rev-parse", "--short", "HEAD"),
        "pipeline_code_modified_since_commit": bool(dirty),
        "date": datetime.now(timezone.utc).isoformat(timespec="seconds"),
    }


def _first_line(cmd: list[str]) -> str | None:
    try:
        done = subprocess.run(cmd, capture_output=True, text=True)
    except OSError:
        return None
    return done.stdout.splitlines()[0] if done.stdout else None


def load_average() -> float:
    return os.getloadavg()[0]
