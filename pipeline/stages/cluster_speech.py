"""Section speech on a Dask cluster: the same jobs as the local pool (speech_pool.py), the
same outcomes, sent as tasks (speech_worker.speak_remote).

Before any section, one small task on each worker (speech_worker.probe) makes that worker's
engine and says what it has: a worker whose engine cannot start, that lacks a voice the build
needs, or whose package or audio libraries differ from this machine's (its audio would not be
the same bytes, which the audio cache's keys promise) is reported once, with its address,
and gets no section that it cannot make as this machine would.

A worker returns the MP3 and its timings; they are stored here, in the build's audio cache,
from which the section is published as any other (speak_result.publish). A task that fails
is tried once more (executor.RETRIES) and then fails its section alone, at the line of the
utterance it failed on; a worker that dies has its tasks rescheduled by Dask.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable, Iterator
from uuid import uuid4

from pipeline.config import CONFIG_NAME
from pipeline.model import Location
from pipeline.report import Reporter
from pipeline.stages import speech_worker
from pipeline.stages.audio_plan import SectionJob
from pipeline.stages.engine_versions import versions
from pipeline.stages.executor import RETRIES, DaskExecutor, why
from pipeline.tts import EngineFactory

Outcome = tuple[SectionJob, float, str, int]  # as speech_pool.Outcome


@dataclass(frozen=True)
class WorkerReport:
    address: str
    voices: frozenset[str]
    error: str  # why its engine cannot start ("" when it can)
    versions: tuple[str, ...]


class ClusterSpeech:
    """``voice_ids()``, then ``speak(jobs)``, as SpeechPool; ``close()`` forgets the rest."""

    def __init__(self, executor: DaskExecutor, factory: EngineFactory, reporter: Reporter):
        self.executor, self.factory, self.reporter = executor, factory, reporter
        self.workers: dict[str, WorkerReport] = {}
        self.sent = 0  # sections sent to the cluster (tries not counted)
        self._futures: list[Any] = []

    def __enter__(self) -> ClusterSpeech:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def voice_ids(self) -> frozenset[str]:
        """The voices of the workers that can speak as this machine would; RuntimeError when
        there are none (the pages are built without audio, as without espeak-ng)."""
        self.workers = self._probe()
        good = self._usable()
        if not good:
            said = "; ".join(sorted({r.error for r in self.workers.values() if r.error})) or \
                "no worker has this machine's package and audio libraries"
            raise RuntimeError(f"no Dask worker at {self.executor.address} can speak: {said}")
        return frozenset().union(*(self.workers[a].voices for a in good))

    def speak(self, jobs: Iterable[SectionJob]) -> Iterator[Outcome]:
        """Each job's outcome as it finishes (longest sections start first)."""
        jobs, good = list(jobs), self._usable()
        self._report_missing_voices(jobs, good)
        by_future: dict[Any, SectionJob] = {}
        for job in jobs:
            voices = {u.voice for u in job.utterances}
            able = [a for a in good if voices <= self.workers[a].voices]
            if not able:
                yield job, 0.0, f"no Dask worker has the voice(s) {', '.join(sorted(voices))}", -1
                continue
            size = sum(len(s) for u in job.utterances for s in u.spoken)
            # Any worker, new ones included, unless some could not make it as this machine.
            where = {} if len(able) == len(self.workers) else \
                {"workers": able, "allow_other_workers": False}
            future = self.executor.submit(speech_worker.speak_remote, job, self.factory,
                                          retries=RETRIES, priority=size,
                                          key=f"speak-{uuid4().hex}", **where)
            by_future[future] = job
        self.sent += len(by_future)
        self._futures = list(by_future)
        for future, value, error in self.executor.completed(by_future):
            job = by_future[future]
            if error is not None:
                yield job, 0.0, why(error), getattr(error, "part", -1)
                continue
            decode_error, data, meta = value
            speech_worker.store(job, data, meta)  # the cache is this machine's
            yield job, decode_error, "", -1

    def _report_missing_voices(self, jobs: list[SectionJob], good: list[str]) -> None:
        needed = {u.voice for job in jobs for u in job.utterances}
        for address in good:
            missing = needed - self.workers[address].voices
            if missing:
                self.reporter.warn(Location(CONFIG_NAME), f"Dask worker {address} has no "
                                   f"voice {', '.join(sorted(missing))}; the sections that "
                                   "need it go to other workers", "cluster-worker")

    def _probe(self) -> dict[str, WorkerReport]:
        """One probe pinned to each worker, each worker's problems reported once."""
        addresses = sorted(self.executor.nthreads())
        if not addresses:
            raise RuntimeError(f"the Dask scheduler at {self.executor.address} has no workers")
        futures = [self.executor.submit(speech_worker.probe, self.factory, workers=[a],
                                        allow_other_workers=False, key=f"speech-probe-{uuid4().hex}")
                   for a in addresses]
        found: dict[str, WorkerReport] = {}
        mine = versions()
        for _, value, error in self.executor.completed(futures):
            if error is not None:  # a worker gone since it was listed: others remain
                continue
            report = WorkerReport(*value)
            found[report.address] = report
            problem = report.error or _difference(mine, report.versions)
            if problem:
                self.reporter.warn(Location(CONFIG_NAME), f"Dask worker {report.address}: "
                                   f"{problem}; it gets no sections", "cluster-worker")
        return found

    def _usable(self) -> list[str]:
        mine = versions()
        return sorted(a for a, r in self.workers.items()
                      if not r.error and r.versions == mine)

    def close(self) -> None:
        self.executor.cancel(self._futures)
        self._futures = []


def _difference(mine: tuple[str, ...], theirs: tuple[str, ...]) -> str:
    pairs = [(a, b) for a, b in zip(mine, theirs) if a != b]
    if not pairs:
        return ""
    said = ", ".join(f"{b} where this machine has {a.split(' ', 1)[1]}" for a, b in pairs)
    return (f"runs {said} (its audio could differ from this machine's; install the locked "
            "environment: uv sync --locked --extra cluster)")

