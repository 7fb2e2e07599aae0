"""Figure j: the cold audio build through the local process pool and through a Dask
``LocalCluster`` with the same number of worker processes (one thread each), and what that
says about a library on 1, 8 and 64 workers.

Each round copies the --audio-articles subset twice and builds it cold, once with
``pipeline build -j N`` and once with ``pipeline build --scheduler tcp://...`` (the cluster
started here, kept between rounds, so a round pays no cluster start-up: a real cluster is
running before the build), alternating which goes first so both meet the same machine.

Measured, CPU-time based (the machine may be shared; CPU time barely moves with other load):
- cores kept busy: CPU seconds of everything that worked for the build (the build process and
  its pool; or the build process, the workers, their nannies and the scheduler) / (wall
  seconds x cores); target >= 0.90
- overhead: cluster / local, CPU and wall of each side-by-side pair (target <= 1.10x, judged
  on CPU time: on a shared machine the wall times of a pair can differ by 2x)
- the per-task scheduling cost (200 empty tasks through the scheduler: seconds each), the
  round trip of one task, and a build's fixed cost of using a cluster (importing
  distributed, connecting, probing each worker)
From these and the per-section costs, a projection for 4,000 articles x 20 locales on 1, 8
and 64 workers (``projection``: its assumptions are in BENCHMARKS.md and in the row details).
"""
from __future__ import annotations

import logging
import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from bench.measure import copy_project, median

BUSY_TARGET = 0.90  # share of the cores kept busy by a cold build, at least
OVERHEAD_TARGET = 1.10  # cluster / local wall time, at most
ARTICLES, LOCALES = 4000, 20  # the library of the projection
WORKERS = (1, 8, 64)
EMPTY_TASKS = 200
# A no-op rebuild of the whole benchmark corpus with audio: 0.66 s for 200 articles x 9
# languages (BENCHMARKS.md, row c, quiet machine): what a one-msgstr rebuild pays per page
# besides its one section. (A no-op of the small subset is mostly start-up.)
NOOP_PER_PAGE = 0.66 / 1800
# Dask's own timers, at their defaults, kept an idle LocalCluster of 2 workers at 0.27 CPU
# seconds per second here (event-loop tick every 20 ms, system monitor every 0.5 s, the
# workers' profiler), 0.04 with these; the README gives them to workers as environment
# variables (DASK_DISTRIBUTED__ADMIN__TICK__INTERVAL=1s ...).
QUIET_DASK = {"distributed.admin.tick.interval": "1s",
              "distributed.admin.system-monitor.interval": "1s",
              "distributed.worker.memory.monitor-interval": "1s",
              "distributed.worker.profile.enabled": False}


@dataclass
class Build:
    wall: float
    cpu: float  # every process that worked for it
    client_cpu: float  # the build process (and, locally, its pool)
    sections: int
    pages: int
    ok: bool
    error: str = ""
    noop_cpu: float = 0.0  # CPU of a no-op rebuild right after, on this machine


def measure(bench, project: Path) -> None:
    """Add figure j's rows to ``bench`` (a bench.run.Bench) for the subset at ``project``."""
    try:
        from distributed import Client, LocalCluster
    except ImportError:
        bench.row("j", "cold audio build on a Dask LocalCluster", "n/a", status="n/a",
                  detail="distributed is not installed: uv sync --locked --extra cluster")
        return
    jobs = bench.args.jobs
    bench.log(f"j. cold audio build: local pool of {jobs} vs a LocalCluster of {jobs} "
              "worker process(es), 1 thread each")
    import dask

    with dask.config.set(QUIET_DASK):  # passed on to the workers by their nannies
        cluster = LocalCluster(n_workers=jobs, threads_per_worker=1, processes=True,
                               dashboard_address=":0", silence_logs=logging.ERROR)
    try:
        with Client(cluster, set_as_default=False) as client:
            pids = [p for pair in client.run(lambda: (os.getpid(), os.getppid())).values()
                    for p in pair]
            runs = _rounds(bench, project, cluster.scheduler_address, pids)
            costs = _task_costs(client, cluster.scheduler_address)
    finally:
        cluster.close()
    _rows(bench, runs, costs, jobs)


def _rounds(bench, project: Path, address: str, pids: list[int]) -> dict[str, list[Build]]:
    from bench.run import RUNS

    runs: dict[str, list[Build]] = {"local": [], "cluster": []}
    for i in range(bench.args.audio_reps or bench.args.reps):
        for mode in (("local", "cluster") if i % 2 == 0 else ("cluster", "local")):
            target = copy_project(project, RUNS / f"cluster-{mode}")
            extra = ["--scheduler", address] if mode == "cluster" else []
            result = _cold(target, extra, pids if mode == "cluster" else [], bench.args.jobs)
            if result.ok:  # the same build's fixed costs: start-up, state, no-op checks
                result.noop_cpu = _cold(target, [], [], bench.args.jobs).client_cpu
            runs[mode].append(result)
            bench.log(f"  j {mode} #{i + 1}: {result.wall:.1f}s wall, {result.cpu:.1f}s CPU "
                      f"({result.client_cpu:.1f}s in the build process), {result.sections} "
                      "sections" + ("" if result.ok else f" (FAILED: {result.error})"))
    bench.raw["j_runs"] = {m: [vars(r) for r in rs] for m, rs in runs.items()}
    return runs


def _cold(project: Path, extra: list[str], pids: list[int], jobs: int) -> Build:
    """``pipeline build`` in ``project``: wall, its own CPU (with its waited-for children:
    the local pool), plus the CPU that ``pids`` (cluster workers, nannies) and this process
    (the LocalCluster's scheduler runs in a thread here) spent meanwhile."""
    import json

    from bench.run import REPO

    cmd = [sys.executable, "-m", "pipeline", "-C", str(project), "-q", "build", "-j",
           str(jobs), *extra]
    before, mine, children = _cpu_of(pids), time.process_time(), _children_cpu()
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            stdin=subprocess.DEVNULL)
    out, err = proc.communicate()
    wall = time.perf_counter() - started
    usage = _children_cpu() - children
    others = _cpu_of(pids) - before + time.process_time() - mine
    try:
        manifest = json.loads((project / "output" / "manifest.json").read_text("utf-8"))
        sections, pages = len(manifest.get("audio", [])), len(manifest.get("pages", []))
    except (OSError, ValueError):
        sections = pages = 0
    error = (err.decode(errors="replace").strip().splitlines() or [""])[-1]
    return Build(wall, usage + others, usage, sections, pages, proc.returncode == 0, error)


def _children_cpu() -> float:
    """CPU seconds of this process's children waited for so far (and theirs)."""
    import resource

    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _cpu_of(pids: list[int]) -> float:
    """CPU seconds (user + system) that the processes ``pids`` have used so far."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for pid in pids:
        try:
            stat = Path(f"/proc/{pid}/stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2:].split()
        total += (int(fields[11]) + int(fields[12])) / ticks
    return total


def _task_costs(client, address: str) -> dict[str, float]:
    """Seconds per empty task through the scheduler (throughput), one task's round trip,
    and a build's fixed cost of using the cluster (a fresh process: import, connect, one
    probe per worker)."""
    from operator import add

    client.submit(add, 0, 0, pure=False).result()  # warm
    started = time.perf_counter()
    futures = [client.submit(add, i, 1, pure=False) for i in range(EMPTY_TASKS)]
    client.gather(futures)
    per_task = (time.perf_counter() - started) / EMPTY_TASKS
    trips = []
    for i in range(10):
        started = time.perf_counter()
        client.submit(add, i, 2, pure=False).result()
        trips.append(time.perf_counter() - started)
    probe = ("import time; t = time.perf_counter(); from distributed import Client; "
             f"c = Client({address!r}, timeout=30); import os; "
             "ws = list(c.nthreads()); "
             "[f.result() for f in [c.submit(os.getpid, workers=[w], pure=False) "
             "for w in ws]]; print(time.perf_counter() - t); c.close()")
    children = _children_cpu()
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True)
    try:
        start_up = float(done.stdout.strip().splitlines()[-1])
    except (ValueError, IndexError):
        start_up = float("nan")
    return {"per_task": per_task, "round_trip": median(trips) or 0.0, "start_up": start_up,
            "start_up_cpu": _children_cpu() - children}


def _rows(bench, runs: dict[str, list[Build]], costs: dict[str, float], jobs: int) -> None:
    from bench.run import status_of

    cores = os.cpu_count() or 1
    good = {m: [r for r in rs if r.ok] for m, rs in runs.items()}
    if not good["local"] or not good["cluster"]:
        failed = next(r for rs in runs.values() for r in rs if not r.ok)
        bench.row("j", "cold audio build, local pool vs LocalCluster", "failed",
                  status="FAIL", detail=failed.error)
        return
    busy = {}
    for mode, label in (("local", f"local pool of {jobs}"),
                        ("cluster", f"LocalCluster of {jobs} x 1 thread")):
        wall = median([r.wall for r in good[mode]])
        cpu = median([r.cpu for r in good[mode]])
        busy[mode] = cpu / (wall * cores)
        bench.row("j", f"cores kept busy, cold audio build, {label}", f"{busy[mode]:.2f}",
                  target=f">= {BUSY_TARGET:.2f}", status=status_of(busy[mode] >= BUSY_TARGET),
                  detail=f"{cpu:.1f} s CPU / ({wall:.1f} s wall x {cores} cores); "
                  f"{good[mode][0].sections} sections, {len(good[mode])} run(s)")
    pairs = list(zip(runs["local"], runs["cluster"]))
    walls = [c.wall / lo.wall for lo, c in pairs if lo.ok and c.ok]
    cpus = [c.cpu / lo.cpu for lo, c in pairs if lo.ok and c.ok]
    ratio = median(cpus)
    bench.row("j", "cluster / local, cold audio build (CPU; pairs run side by side)",
              round(ratio, 2), "x", f"<= {OVERHEAD_TARGET:.2f}",
              status_of(ratio <= OVERHEAD_TARGET),
              f"CPU per pair {', '.join(f'{c:.2f}' for c in cpus)}; wall "
              f"{', '.join(f'{w:.2f}' for w in walls)}")
    bench.row("j", "scheduling cost per task / one task's round trip / cluster start-up",
              f"{costs['per_task'] * 1000:.1f} ms / {costs['round_trip'] * 1000:.0f} ms / "
              f"{costs['start_up']:.1f} s", detail=f"{EMPTY_TASKS} empty tasks; start-up: a "
              "fresh process imports distributed, connects, probes each worker")
    for line in projection(good, costs):
        bench.row("j", line[0], line[1], detail=line[2])
    bench.raw["j_costs"] = costs


def projection(good: dict[str, list[Build]], costs: dict[str, float]
               ) -> list[tuple[str, str, str]]:
    """Cold and one-msgstr build times of ARTICLES x LOCALES on each of WORKERS.

    Assumptions: workers as fast as these cores, one thread each, and no faster network
    needed (a section's MP3 is ~50-100 KB); sections per page as in the subset; the build
    process's work (reading, localizing, rendering, storing and publishing audio) does not
    overlap the speech and grows with the sections, at its measured CPU per section; the
    workers' part is their CPU per section divided among them, but never faster than the
    scheduler hands out tasks (its measured cost per task). A one-msgstr rebuild costs the
    no-op rebuild of the whole library (measured on the subset, scaled by pages), the
    cluster start-up, one round trip and one section (NOOP_PER_PAGE: the no-op rebuild of
    the whole benchmark corpus, per page)."""
    cluster = good["cluster"]
    sections = median([r.sections for r in cluster])
    pages = max(1, median([r.pages for r in cluster]))
    worker_cpu = median([(r.cpu - r.client_cpu) / r.sections for r in cluster])
    # the build process's work that grows with the library: its CPU less a no-op
    # rebuild's (start-up, state) and less a fresh process's import of distributed and
    # connection (both paid once per build)
    client_cpu = median([max(0.0, r.client_cpu - r.noop_cpu - costs["start_up_cpu"])
                         / r.sections for r in cluster])
    total_sections = ARTICLES * LOCALES * sections / pages
    lines = []
    for workers in WORKERS:
        speech = total_sections * max(worker_cpu / workers, costs["per_task"])
        cold = total_sections * client_cpu + speech + costs["start_up"]
        one = NOOP_PER_PAGE * ARTICLES * LOCALES + costs["start_up"] + \
            costs["round_trip"] + worker_cpu
        lines.append((f"projection: {ARTICLES} articles x {LOCALES} locales on {workers} "
                       "worker(s): cold / one msgstr", f"{_hours(cold)} / {one:.0f} s",
                       f"{total_sections:,.0f} sections; worker {worker_cpu:.3f} s CPU and "
                       f"build process {client_cpu:.3f} s CPU per section; speech "
                       f"{_hours(speech)}, build process {_hours(total_sections * client_cpu)}"))
    return lines


def _hours(seconds: float) -> str:
    return f"{seconds / 3600:.1f} h" if seconds >= 3600 else f"{seconds / 60:.0f} min"
