"""A speech worker started at the beginning of a build, for the one section an edit changes.

After a translator's edit a rebuild speaks one section. Loading the speech engine and the
MP3 encoder (numpy, soundfile, pyttsx3, espeak-ng) takes about as long as speaking it; a
process forked before the build loads its state does that loading on the other core while
the build reads its state and catalogs, and then speaks the section. It is forked before
anything has started espeak-ng (forking a process that has is what deadlocks), and only
where fork exists (Linux); elsewhere the section goes to the worker pool like any other.

It is the same worker as the pool's (speech_worker.serve): it dies with the build, closes
what it inherited from it (its end of the pipe; the build lock, incremental.py), and a job
over its time limit is stopped by killing it.
"""
from __future__ import annotations

import multiprocessing
import os
import sys
import threading
import time
from contextlib import contextmanager
from typing import Any, Iterator

from pipeline.stages.child_process import die_with_parent
from pipeline.tts import EngineFactory

_START_SECONDS = 120.0  # loading the engine on a loaded machine


class SpeakerGone(RuntimeError):
    """The warm speaker died or was stopped; ``part`` is the utterance it was speaking
    (-1: none or unknown), ``timed_out`` whether it ran over the job's time limit."""

    def __init__(self, message: str, part: int = -1, timed_out: bool = False):
        super().__init__(message)
        self.part, self.timed_out = part, timed_out


class WarmSpeaker:
    def __init__(self, factory: EngineFactory):
        context = multiprocessing.get_context("fork")
        self._conn, child = context.Pipe()
        self._process = context.Process(target=_serve,
                                        args=(child, factory, os.getpid(), self._conn),
                                        daemon=True, name="pipeline-warm-speaker")
        self._process.start()
        child.close()
        self.used = False
        self._ready = False
        self._engine_error = ""
        self._limits: list[float] = []  # time limits of the jobs sent and not answered

    @property
    def pid(self) -> int | None:
        return self._process.pid

    def voice_ids(self) -> frozenset[str]:
        """The engine's voices; RuntimeError when the engine cannot start, SpeakerGone when
        the process died."""
        self.used = True
        if not self._ready:
            self._receive(time.monotonic() + _START_SECONDS, "starting")
        if self._engine_error:
            raise RuntimeError(self._engine_error)
        from pipeline.stages.speech_worker import VOICES

        self._send(VOICES)
        return self._receive(time.monotonic() + _START_SECONDS, "listing voices")[1]

    def start(self, job: Any) -> None:
        """Hand over a section and return at once: the build renders meanwhile. ``answer``
        gives what a pool worker's job gives: (decode error, "", -1) or (0, why, part)."""
        from pipeline.stages.audio_plan import time_limit

        self._send(job)
        self._limits.append(time_limit(job))

    def answer(self) -> Any:
        """The answer for the oldest section handed over; SpeakerGone if the process died
        or ran over the section's time limit (it is then stopped)."""
        limit = self._limits.pop(0)
        # Counted from now: the section may have started earlier (it only gets more time),
        # but never before the build asks, after rendering the other pages.
        message = self._receive(time.monotonic() + limit, "speaking", limit)
        return tuple(message[1:])

    def _receive(self, deadline: float, doing: str, limit: float = 0.0) -> tuple:
        """The next answer ("ready", "voices" or "done"), keeping the "part" it is on."""
        part = -1
        while True:
            try:
                if not self._conn.poll(max(0.0, deadline - time.monotonic())):
                    self._process.kill()
                    raise SpeakerGone(f"speech took longer than {limit:.0f} s, the limit for "
                                      "this section; stopped" if limit else
                                      f"the speech worker gave no answer while {doing}",
                                      part, timed_out=True)
                message = self._conn.recv()
            except (EOFError, OSError) as exc:  # the worker died
                raise SpeakerGone(f"the speech worker died while {doing} ({exc or 'EOF'})",
                                  part) from exc
            if message[0] == "part":
                part = message[1]
            elif message[0] == "ready":
                self._ready, self._engine_error = True, message[1]
                if doing == "starting":
                    return message
            else:
                return message

    def _send(self, message: Any) -> None:
        self.used = True
        try:
            self._conn.send(message)
        except OSError as exc:  # the worker died
            raise SpeakerGone(f"the speech worker died ({exc})") from exc

    def close(self) -> None:
        try:
            if self.used:
                self._conn.send(None)
                self._process.join(timeout=5)
        except OSError:
            pass
        if self._process.is_alive():  # never needed (most builds): no reason to wait for it
            self._process.kill()
            self._process.join(timeout=5)
        self._conn.close()


def _serve(conn: Any, factory: EngineFactory, parent_pid: int, parent_end: Any) -> None:
    """The forked process: speech_worker.serve, imported here, not by every build."""
    die_with_parent(parent_pid)
    from pipeline.stages import speech_worker

    speech_worker.serve(conn, factory, parent_pid, preload=True, close=parent_end)


@contextmanager
def warm_speaker(enabled: bool, factory: EngineFactory) -> Iterator[WarmSpeaker | None]:
    """A WarmSpeaker for the build (None when audio is off or fork is unavailable)."""
    speaker = None
    # fork copies one thread: with others running (an embedding application), a lock one
    # of them held would stay locked in the child, so the pool speaks the section.
    if enabled and sys.platform.startswith("linux") and threading.active_count() == 1:
        try:
            speaker = WarmSpeaker(factory)
        except OSError:  # no processes left, say: the pool speaks the section
            speaker = None
    try:
        yield speaker
    finally:
        if speaker is not None:
            speaker.close()
