"""Speech worker processes that a build can stop one at a time.

concurrent.futures' pool could not: a job that hung (a 160 KB msgstr spoke for more than 10
minutes) could not be stopped alone, and one worker that crashed (espeak-ng segfaulted on a
64 KB msgstr) broke the pool and failed every section of every article. Here each worker
runs one job at a time and says which utterance it is speaking (speech_worker.serve): a job
over its time limit (audio_plan.time_limit) is stopped by killing its worker, a crashed job
is tried once more on a new worker, and either fails that section alone, at the line of the
utterance it was on. The other jobs go on, on the workers left and on new ones.

Workers are started with "spawn" (forking a process that has initialised espeak-ng
deadlocks) by the build's own thread, and die with the build (child_process.py).
"""
from __future__ import annotations

import os
import signal
import time
from collections import deque
from multiprocessing import get_context
from multiprocessing.connection import wait
from typing import Any, Iterable, Iterator

from pipeline.stages import speech_worker
from pipeline.stages.audio_plan import SectionJob, time_limit
from pipeline.tts import EngineFactory

START_SECONDS = 120.0  # a worker's start-up (imports, engine) on a loaded machine
CRASH_TRIES = 2  # a job whose worker died is tried on a new one this many times in all
_MAX_FAILED_STARTS = 3  # workers dying before they are ready: the engine cannot start

Outcome = tuple[SectionJob, float, str, int]  # job, decode error, error, failing utterance


class _Worker:
    def __init__(self, context: Any, factory: EngineFactory):
        self.conn, child = context.Pipe()
        self.process = context.Process(target=speech_worker.serve,
                                       args=(child, factory, os.getpid()), daemon=True,
                                       name="pipeline-speech-worker")
        self.process.start()
        child.close()
        self.ready = False
        self.job: SectionJob | None = None
        self.part = -1
        self.limit = START_SECONDS
        self.deadline = time.monotonic() + START_SECONDS

    def give(self, job: SectionJob) -> None:
        self.job, self.part = job, -1
        self.limit = time_limit(job)
        self.deadline = time.monotonic() + self.limit
        self.conn.send(job)

    def stop(self) -> None:
        if self.process.is_alive():
            self.process.kill()
        self.process.join(timeout=5)
        self.conn.close()


class SpeechPool:
    """``size`` speech workers; ``voice_ids()``, then ``speak(jobs)``; ``close()`` ends them."""

    def __init__(self, factory: EngineFactory, size: int):
        self._context = get_context("spawn")
        self._factory = factory
        self._size = max(1, size)
        self._workers = [_Worker(self._context, factory) for _ in range(self._size)]
        self._failed_starts = 0
        self.engine_error = ""

    def __enter__(self) -> SpeechPool:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def voice_ids(self) -> frozenset[str]:
        """The engine's voices, from the first worker ready; RuntimeError when the engine
        cannot start (espeak-ng missing or broken)."""
        while not self.engine_error and not any(w.ready for w in self._workers):
            if not self._workers:
                raise RuntimeError("speech workers die while starting")
            self._wait(min(w.deadline for w in self._workers))
            for worker in list(self._workers):
                if not worker.ready and (not worker.process.is_alive()
                                         or time.monotonic() > worker.deadline):
                    list(self._lost(worker, deque(), {}, keep=True))
        if self.engine_error:
            raise RuntimeError(self.engine_error)
        worker = next(w for w in self._workers if w.ready)
        worker.conn.send(speech_worker.VOICES)
        while (message := self._receive(worker)) is not None:
            if message[0] == "voices":
                return message[1]
        raise RuntimeError("a speech worker died while listing voices")

    def speak(self, jobs: Iterable[SectionJob]) -> Iterator[Outcome]:
        """Each job's outcome as it finishes: (job, decode error, "", -1) or (job, 0, why,
        the utterance it failed on or -1)."""
        pending = deque(jobs)
        tries: dict[str, int] = {}
        while pending or any(w.job for w in self._workers):
            for worker in self._workers:
                if worker.ready and worker.job is None and pending:
                    worker.give(pending.popleft())
            finished = self._wait(min(w.deadline for w in self._workers)
                                  if self._workers else None)
            yield from finished
            for worker in list(self._workers):
                if worker.process.is_alive() and time.monotonic() <= worker.deadline:
                    continue
                yield from self._lost(worker, pending, tries)
            if not self._workers and pending:
                why = self.engine_error or "speech workers die while starting"
                yield from ((job, 0.0, why, -1) for job in pending)
                return

    def _wait(self, deadline: float | None) -> list[Outcome]:
        """Wait for a message or a worker's end (until ``deadline``), and read them."""
        timeout = None if deadline is None else max(0.0, deadline - time.monotonic())
        handles = [h for w in self._workers for h in (w.conn, w.process.sentinel)]
        wait(handles, timeout)
        finished = []
        for worker in self._workers:
            while (message := self._receive(worker, block=False)) is not None:
                if message[0] == "done" and worker.job is not None:
                    finished.append((worker.job, *message[1:]))
                    worker.job = None
                    worker.deadline = float("inf")
        return finished

    def _receive(self, worker: _Worker, block: bool = True) -> tuple | None:
        """The worker's next message (None: none yet, or it died), handling ready/part."""
        try:
            if not block and not worker.conn.poll():
                return None
            message = worker.conn.recv()
        except (EOFError, OSError):
            return None
        if message[0] == "ready":
            worker.ready, worker.deadline = True, float("inf")
            self.engine_error = self.engine_error or message[1]
        elif message[0] == "part":
            worker.part = message[1]
        return message

    def _lost(self, worker: _Worker, pending: deque, tries: dict[str, int],
              keep: bool = False) -> Iterator[Outcome]:
        """A worker that died or ran over its time: its job fails or is tried again, and a
        new worker takes its place while there is work (or with ``keep``)."""
        while (message := self._receive(worker, block=False)) is not None:
            if message[0] == "done" and worker.job is not None:  # just before it ended
                yield (worker.job, *message[1:])
                worker.job = None
        timed_out = worker.process.is_alive()
        job, part, limit = worker.job, worker.part, worker.limit
        worker.stop()
        self._workers.remove(worker)
        if job is None:
            if not worker.ready:
                self._failed_starts += 1
        elif timed_out:
            yield (job, 0.0, f"speech took longer than {limit:.0f} s, the limit for this "
                             "section; stopped", part)
        else:
            tries[job.key] = tries.get(job.key, 0) + 1
            if tries[job.key] < CRASH_TRIES:
                pending.appendleft(job)
            else:
                yield (job, 0.0, f"the speech worker crashed ({_exit_reason(worker)}) "
                                 f"{tries[job.key]} times", part)
        busy = sum(1 for w in self._workers if w.job)
        wanted = self._size if keep else min(self._size, len(pending) + busy)
        if self._failed_starts < _MAX_FAILED_STARTS and len(self._workers) < wanted:
            self._workers.append(_Worker(self._context, self._factory))

    def close(self) -> None:
        for worker in self._workers:
            try:
                worker.conn.send(None)
            except OSError:
                pass
        for worker in self._workers:
            worker.process.join(timeout=2)
            worker.stop()
        self._workers = []


def _exit_reason(worker: _Worker) -> str:
    code = worker.process.exitcode
    if code is not None and code < 0:
        try:
            return signal.Signals(-code).name
        except ValueError:
            return f"signal {-code}"
    return f"exit code {code}"
