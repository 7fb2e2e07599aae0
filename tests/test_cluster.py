"""Builds on a Dask cluster (``build --scheduler``): a ``LocalCluster`` of two worker
processes, one thread each, started here. Select with ``-m cluster``.

The cluster's site must be the local build's, byte for byte (real espeak-ng speech); an edit
sends one section; a worker killed mid-build, a failing section, a worker without the speech
engine and a lost scheduler each end as the issue asks.
"""
from __future__ import annotations

import functools
import io
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from dataclasses import replace
from pathlib import Path

import polib
import pytest

from cluster_engines import FailingEngine, MissingEngine, SlowEngine, attempts
from pipeline.build import BuildOptions, build
from pipeline.config import load_config
from pipeline.report import ContentError, Reporter
from pipeline.stages.executor import (ClusterError, close_executors, executor_for,
                                      scheduler_address)
from pipeline.tts.fake import FakeEngine

pytest.importorskip("distributed")
pytestmark = pytest.mark.cluster

PROJECT = Path(__file__).parent / "projects" / "site"
REPO = Path(__file__).resolve().parents[1]


def _local_cluster():
    from distributed import LocalCluster

    return LocalCluster(n_workers=2, processes=True, threads_per_worker=1,
                        dashboard_address=":0", silence_logs=50)


@pytest.fixture(scope="module")
def cluster():
    with _local_cluster() as started:
        yield started


@pytest.fixture(autouse=True)
def _no_client_left():
    yield
    close_executors()  # the build's client to this test's cluster


@pytest.fixture
def client(cluster):
    from distributed import Client

    with Client(cluster, set_as_default=False) as watching:
        yield watching


def copy(tmp_path: Path, name: str) -> Path:
    return Path(shutil.copytree(PROJECT, tmp_path / name))


def build_in(root: Path, scheduler: str = "", factory=FakeEngine, errors: int = 0,
             jobs: int = 2) -> tuple[str, str]:
    """Build in this process; (summary, messages). ``errors``: how many are expected."""
    log = io.StringIO()
    reporter = Reporter(stream=log, quiet=False)
    config = replace(load_config(root), scheduler=scheduler)
    summary = build(config, reporter, BuildOptions(engine_factory=factory, jobs=jobs))
    assert reporter.errors == errors, log.getvalue()
    return summary, log.getvalue()


def files(root: Path) -> dict[str, bytes]:
    output = root / "output"
    return {p.relative_to(output).as_posix(): p.read_bytes()
            for p in sorted(output.rglob("*")) if p.is_file()}


def assert_same_files(root: Path, other: Path) -> None:
    mine, theirs = files(root), files(other)
    assert sorted(mine) == sorted(theirs)
    assert [name for name in mine if mine[name] != theirs[name]] == []
    assert "manifest.json" in mine and any(name.endswith(".mp3") for name in mine)


def set_msgstr(po_path: Path, msgid: str, msgstr: str) -> None:
    po = polib.pofile(str(po_path), wrapwidth=79)
    next(e for e in po if e.msgid == msgid).msgstr = msgstr
    po.save()


@pytest.mark.speech
def test_a_cluster_build_is_byte_for_byte_the_local_build(cluster, tmp_path):
    """Real espeak-ng on both: every file under output/, the manifest included."""
    local, remote = copy(tmp_path, "local"), copy(tmp_path, "remote")
    build_in(local, factory=None)
    summary, _ = build_in(remote, cluster.scheduler_address, factory=None)
    assert_same_files(remote, local)
    assert f"on Dask cluster {cluster.scheduler_address}: 2 worker(s), 2 thread(s)" in summary
    assert "real-time factor" in summary
    # and the audio cache, which only the build process writes, holds the same speech
    cached = sorted(p.name for p in (remote / ".pipeline-cache/audio").rglob("*.mp3"))
    assert cached == sorted(p.name for p in (local / ".pipeline-cache/audio").rglob("*.mp3"))


def test_a_one_msgstr_rebuild_sends_exactly_one_section(cluster, client, tmp_path):
    root = copy(tmp_path, "site")
    build_in(root, cluster.scheduler_address)
    client.get_task_stream()  # starts the scheduler's record of tasks
    since = time.time()
    set_msgstr(root / "locales/es/LC_MESSAGES/hydration.po", "Drink a glass with each meal",
               "Beba un vaso de agua con cada comida")
    summary, _ = build_in(root, cluster.scheduler_address)
    spoken = [t for t in client.get_task_stream(start=since)
              if str(t["key"]).startswith("speak-")]
    assert len(spoken) == 1
    assert "1 synthesized" in summary
    clean = copy(tmp_path, "clean")
    shutil.copy(root / "locales/es/LC_MESSAGES/hydration.po",
                clean / "locales/es/LC_MESSAGES/hydration.po")
    build_in(clean)
    assert_same_files(root, clean)


def test_a_worker_killed_mid_build_has_its_sections_rescheduled(tmp_path):
    from distributed import Client

    root, clean = copy(tmp_path, "site"), copy(tmp_path, "clean")
    cluster = _local_cluster()  # its own: the killed worker's restart takes a while
    with Client(cluster, set_as_default=False) as client:
        pids = list(client.run(os.getpid).values())
    cache, killed = root / ".pipeline-cache" / "audio", []

    def kill_once_speaking() -> None:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if any(cache.rglob("*.json")):  # one section back: the others are on workers
                os.kill(pids[0], signal.SIGKILL)
                killed.append(pids[0])
                return
            time.sleep(0.01)

    killer = threading.Thread(target=kill_once_speaking)
    killer.start()
    try:
        summary, _ = build_in(root, cluster.scheduler_address, factory=SlowEngine)
    finally:
        killer.join()
        close_executors()
        cluster.close()
    assert killed
    assert "0 from cache" in summary
    build_in(clean, factory=SlowEngine, jobs=1)
    assert_same_files(root, clean)


def test_a_failing_section_is_tried_twice_then_reported_with_its_place(cluster, tmp_path):
    root, log = copy(tmp_path, "site"), str(tmp_path / "attempts.log")
    factory = functools.partial(FailingEngine, "botella", log)
    summary, messages = build_in(root, cluster.scheduler_address, factory=factory, errors=1)
    # each task speaks a refused sentence twice (speech_worker's own retry): 2 tasks, 4 calls
    assert attempts(log) == 4
    assert "audio for hydration [es] section" in messages
    assert "the engine refused 'botella'" in messages
    assert "hydration.po:" in messages  # at the failing segment's line, as locally
    assert (root / "output/es/hydration.html").is_file()


def test_workers_without_the_engine_say_so_once_each_and_pages_build(cluster, tmp_path):
    root = copy(tmp_path, "site")
    _, messages = build_in(root, cluster.scheduler_address, factory=MissingEngine, errors=1)
    workers = list(cluster.scheduler_info["workers"])
    for address in workers:
        said = [line for line in messages.splitlines()
                if f"warning: Dask worker {address}:" in line]
        assert len(said) == 1 and "libespeak-ng.so.1" in said[0], messages
    assert "speech engine unavailable" in messages
    assert (root / "output/ar/hydration.html").is_file()


def test_losing_the_scheduler_stops_the_build_and_the_next_build_resumes(tmp_path):
    root, clean = copy(tmp_path, "site"), copy(tmp_path, "clean")
    cache = root / ".pipeline-cache" / "audio"
    doomed = _local_cluster()

    def close_once_speaking() -> None:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and not any(cache.rglob("*.json")):
            time.sleep(0.01)
        doomed.close()

    closer = threading.Thread(target=close_once_speaking)
    closer.start()
    try:
        with pytest.raises(ClusterError, match="lost the Dask scheduler at tcp://"):
            build_in(root, doomed.scheduler_address, factory=SlowEngine)
    finally:
        closer.join()
        doomed.close()
    assert not [p for p in (root / "output").rglob("*") if ".tmp" in p.name]
    assert not list((root / "output").rglob("*.mp3"))  # no page or audio of this build yet
    made = len(list(cache.rglob("*.json")))
    summary, _ = build_in(root, factory=SlowEngine)  # on this machine, from where it stopped
    assert made >= 1 and f"{made} from cache" in summary
    build_in(clean, factory=SlowEngine)
    assert_same_files(root, clean)


def test_a_wrong_scheduler_address_fails_fast_with_a_clear_message(tmp_path):
    root = copy(tmp_path, "site")
    with socket.socket() as free:  # a port nothing listens on
        free.bind(("127.0.0.1", 0))
        port = free.getsockname()[1]
    address = f"tcp://127.0.0.1:{port}"
    started = time.monotonic()
    with pytest.raises(ClusterError) as caught:
        executor_for(address, 2)
    assert time.monotonic() - started < 2
    assert str(caught.value).startswith(f"cannot reach the Dask scheduler at {address}: ")
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    done = subprocess.run([sys.executable, "-m", "pipeline", "-C", str(root), "build",
                           "--scheduler", f"127.0.0.1:{port}"], capture_output=True,
                          text=True, env=env, timeout=300)
    assert done.returncode == 1
    assert done.stderr.startswith(f"pipeline: error: cannot reach the Dask scheduler at "
                                  f"{address}: Connection refused"), done.stderr
    assert not list((root / "output").rglob("*.html"))


def test_the_scheduler_comes_from_the_option_the_environment_or_the_settings(
        tmp_path, monkeypatch):
    monkeypatch.delenv("DASK_SCHEDULER_ADDRESS", raising=False)
    assert scheduler_address(None, "") == ""
    assert scheduler_address(None, "tcp://a:1") == "tcp://a:1"
    monkeypatch.setenv("DASK_SCHEDULER_ADDRESS", "b:2")
    assert scheduler_address(None, "tcp://a:1") == "tcp://b:2"
    assert scheduler_address("tls://c:3", "tcp://a:1") == "tls://c:3"
    assert scheduler_address("local", "tcp://a:1") == ""
    with pytest.raises(ValueError, match="--scheduler: 'http://x' is not a Dask scheduler"):
        scheduler_address("http://x", "")
    root = copy(tmp_path, "site")
    toml = root / "pipeline.toml"
    toml.write_text(toml.read_text() + 'scheduler = "scheduler.example.org:8786"\n')
    assert load_config(root).scheduler == "tcp://scheduler.example.org:8786"
    toml.write_text(toml.read_text().replace('"scheduler.example.org:8786"', '"a b"'))
    with pytest.raises(ContentError, match="build.scheduler: 'tcp://a b' is not a Dask"):
        load_config(root)
