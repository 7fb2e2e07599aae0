"""Helper processes die with the build, the build lock is the build's alone, and a build
killed with SIGKILL at any point leaves nothing that stops or spoils the next one.

Before: ``kill -9`` of a build left its forked warm speaker and its pool workers running for
ever with parent 1; the warm speaker held the build lock, and the next build waited for it.
"""
from __future__ import annotations

import fcntl
import json
import multiprocessing
import os
import shutil
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

from conftest import REPO, cli, copy_project
from pipeline.config import load_config
from pipeline.incremental import one_build_at_a_time
from pipeline.report import Reporter
from sitekit import copy_sample_project

DRIVER = Path(__file__).parent / "hygiene_driver.py"


def live(pids) -> list[int]:
    """The pids of ``pids`` that are still running (a zombie has ended)."""
    out = []
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
                if stat.read().rsplit(")", 1)[1].split()[0] not in "ZX":
                    out.append(pid)
        except OSError:
            pass
    return out


def tagged(tag: str) -> list[int]:
    """Running processes whose environment carries ``tag`` (a build and all it started)."""
    found = []
    for name in os.listdir("/proc"):
        if name.isdigit():
            try:
                with open(f"/proc/{name}/environ", "rb") as env:
                    if f"PIPELINE_TEST_TAG={tag}".encode() in env.read().split(b"\0"):
                        found.append(int(name))
            except OSError:
                pass
    return live(found)


def holders(path: Path) -> list[int]:
    """Processes that have ``path`` open."""
    found = []
    for name in os.listdir("/proc"):
        if name.isdigit():
            try:
                for fd in os.listdir(f"/proc/{name}/fd"):
                    if os.readlink(f"/proc/{name}/fd/{fd}") == str(path):
                        found.append(int(name))
                        break
            except OSError:
                pass
    return live(found)


def gone_within(seconds: float, check) -> bool:
    deadline = time.monotonic() + seconds
    while check():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


def lock_is_free(path: Path) -> bool:
    with open(path, "ab") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        fcntl.flock(lock, fcntl.LOCK_UN)
        return True


pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="uses /proc")


def test_a_child_forked_while_the_lock_is_held_does_not_hold_it(tmp_path):
    """An flock belongs to the open file, which a forked child shares: the build's forked
    warm speaker kept the lock of a build killed with SIGKILL."""
    root = copy_project("site", tmp_path / "site")
    context = multiprocessing.get_context("fork")
    with one_build_at_a_time(load_config(root), Reporter(quiet=True)):
        child = context.Process(target=time.sleep, args=(60,), daemon=True)
        child.start()
    try:
        lock = root / ".pipeline-cache" / "build.lock"
        # The child lets go as soon as it runs (the parent may look before that).
        assert gone_within(5, lambda: not lock_is_free(lock))
        assert child.is_alive() and child.pid not in holders(lock)
    finally:
        child.kill()
        child.join()


def test_a_lock_held_by_what_a_dead_build_left_is_taken_over_with_a_note(tmp_path):
    """A process that took the lock and is gone, while something it forked still holds the
    lock (a helper of an older version, say): the next build takes the lock over."""
    root = copy_project("site", tmp_path / "site")
    (root / ".pipeline-cache").mkdir()
    lock = root / ".pipeline-cache" / "build.lock"
    script = (f"import fcntl, os, time\nf = open({str(lock)!r}, 'ab')\n"
              "fcntl.flock(f, fcntl.LOCK_EX)\nf.write(f'{os.getpid()} 0\\n'.encode()); f.flush()\n"
              "pid = os.fork()\nif pid == 0:\n    time.sleep(120)\n    os._exit(0)\n"
              "print(pid, flush=True)\n")
    parent = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE,
                              text=True)
    orphan = int(parent.stdout.readline())
    parent.wait(timeout=30)
    parent.stdout.close()
    try:
        assert live([orphan]) and not lock_is_free(lock)
        started = time.monotonic()
        code, out, err = cli(root, "build", "--no-audio", timeout=60)
        assert code == 0, out + err
        assert time.monotonic() - started < 30
        assert "taking it over" in out + err
        assert "waiting for the other build" not in out + err
        assert lock_is_free(lock)
    finally:
        os.kill(orphan, signal.SIGKILL)


def test_a_helper_whose_parent_is_already_gone_exits_at_once():
    """The parent may die before the helper asks to die with it: it checks afterwards."""
    code = ("from pipeline.stages.child_process import die_with_parent\n"
            "die_with_parent(1)\nprint('still here')\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          cwd=REPO, timeout=30)
    assert done.returncode == 1 and "still here" not in done.stdout


def test_busy_helpers_die_with_their_parent(tmp_path):
    """The warm speaker and two pool workers, each in the middle of a job that would never
    end, die within a second of their parent's SIGKILL."""
    driver = subprocess.Popen([sys.executable, str(DRIVER), "helpers", str(tmp_path)],
                              stdout=subprocess.PIPE, text=True, cwd=REPO)
    try:
        pids = json.loads(driver.stdout.readline())
        assert len(pids) == 3 and live(pids) == pids
        time.sleep(0.5)  # the jobs are under way
        assert live(pids) == pids
    finally:
        driver.kill()
        driver.wait()
    assert gone_within(2, lambda: live(pids)), live(pids)


def test_a_warm_speaker_job_over_its_time_limit_is_stopped_at_its_utterance(tmp_path):
    done = subprocess.run([sys.executable, str(DRIVER), "warm-timeout", str(tmp_path)],
                          capture_output=True, text=True, cwd=REPO, timeout=60)
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    assert out["timed_out"] and out["part"] == 1 and not out["alive"]
    assert "took longer than 1 s" in out["message"]
    assert out["seconds"] < 10


# -- a real build killed at several points ---------------------------------------------------

def _start(root: Path, tag: str) -> subprocess.Popen:
    env = dict(os.environ, PIPELINE_TEST_TAG=tag)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))
    return subprocess.Popen([sys.executable, "-m", "pipeline", "-C", str(root), "build"],
                            env=env, cwd=REPO, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)


def _kill_when(root: Path, ready, extra: float) -> int:
    """Start a build, wait until ``ready(processes)`` (or 60 s), then ``extra`` seconds,
    SIGKILL it; check that nothing of it runs on and the lock is free. Returns how many
    processes the build had when it was killed."""
    tag = uuid.uuid4().hex
    build = _start(root, tag)
    deadline = time.monotonic() + 60
    while not ready(tagged(tag)) and build.poll() is None and time.monotonic() < deadline:
        time.sleep(0.02)
    time.sleep(extra)
    helpers_then = len(tagged(tag))
    build.kill()
    build.communicate()
    assert gone_within(3, lambda: tagged(tag)), "left running: " + repr(tagged(tag))
    lock = root / ".pipeline-cache" / "build.lock"
    assert not lock.exists() or (lock_is_free(lock) and not holders(lock))
    return helpers_then


@pytest.mark.speech
def test_a_build_killed_at_any_point_leaves_nothing_that_stops_or_spoils_the_next(tmp_path):
    root = copy_sample_project(tmp_path / "site")
    started = time.monotonic()
    seen = [_kill_when(root, lambda procs: True, 0.3),  # reading, the warm speaker forking
            _kill_when(root, lambda procs: len(procs) >= 2, 0.5),  # the warm speaker loading
            # speaking: the warm speaker, the resource tracker and two pool workers
            _kill_when(root, lambda procs: len(procs) >= 5, 1.5)]
    assert seen[2] >= 5, seen
    code, out, err = cli(root, "build", timeout=300)
    assert code == 0, out + err
    assert "waiting for the other build" not in out + err
    # ...and a rebuild killed while the warm speaker speaks an edited section
    po = root / "locales" / "es" / "LC_MESSAGES" / "dermatomyositis.po"
    text = po.read_text(encoding="utf-8")
    po.write_text(text.replace('msgstr "Fisioterapia"', 'msgstr "La fisioterapia"', 1),
                  encoding="utf-8")
    assert po.read_text(encoding="utf-8") != text
    _kill_when(root, lambda procs: len(procs) >= 2, 1.0)
    code, out, err = cli(root, "build", timeout=300)
    assert code == 0, out + err
    assert "waiting for the other build" not in out + err
    killed_and_resumed = time.monotonic() - started
    # The site is byte for byte what a clean build of the same content makes.
    clean = tmp_path / "clean"
    shutil.copytree(root, clean, ignore=shutil.ignore_patterns("output", ".pipeline-cache"))
    code, out, err = cli(clean, "build", timeout=300)
    assert code == 0, out + err
    mine = sorted(p.relative_to(root / "output") for p in (root / "output").rglob("*")
                  if p.is_file())
    theirs = sorted(p.relative_to(clean / "output") for p in (clean / "output").rglob("*")
                    if p.is_file())
    assert mine == theirs
    assert [str(p) for p in mine if (root / "output" / p).read_bytes()
            != (clean / "output" / p).read_bytes()] == []
    assert any(p.suffix == ".mp3" for p in mine)
    print(f"killed 4 times and resumed in {killed_and_resumed:.1f} s")
