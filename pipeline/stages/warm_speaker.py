"""A speech worker started at the beginning of a build, for the one section an edit changes.

After a translator's edit a rebuild speaks one section. Loading the speech engine and the
MP3 encoder (numpy, soundfile, pyttsx3, espeak-ng) takes about as long as speaking it; a
process forked before the build loads its state does that loading on the other core while
the build reads its state and catalogs, and then speaks the section. It is forked before
anything has started espeak-ng (forking a process that has is what deadlocks), and only
where fork exists (Linux); elsewhere the section goes to the worker pool like any other.
"""
from __future__ import annotations

import multiprocessing
import signal
import sys
import threading
from contextlib import contextmanager
from typing import Any, Iterator

from pipeline.tts import EngineFactory

_VOICES = "voices"
_ANSWER_SECONDS = 300  # one section takes seconds; a hung worker must not hang the build


class WarmSpeaker:
    def __init__(self, factory: EngineFactory):
        context = multiprocessing.get_context("fork")
        self._conn, child = context.Pipe()
        self._process = context.Process(target=_serve, args=(child, factory), daemon=True,
                                        name="pipeline-warm-speaker")
        self._process.start()
        child.close()
        self.used = False

    def voice_ids(self) -> frozenset[str]:
        return self._ask(_VOICES)

    def start(self, job: Any) -> None:
        """Hand over a section and return at once: the build renders meanwhile. ``answer``
        gives (decode error, "") or (0, why it failed), as the pool workers answer."""
        self._send(job)

    def answer(self) -> Any:
        """The answer to what was sent last; raises RuntimeError if the worker failed."""
        try:
            if not self._conn.poll(_ANSWER_SECONDS):
                self._process.terminate()
                raise RuntimeError(f"speech worker gave no answer in {_ANSWER_SECONDS} s")
            ok, answer = self._conn.recv()
        except (EOFError, OSError) as exc:  # the worker died
            raise RuntimeError(f"speech worker died ({exc})") from exc
        if not ok:
            raise RuntimeError(answer)
        return answer

    def _ask(self, message: Any) -> Any:
        self._send(message)
        return self.answer()

    def _send(self, message: Any) -> None:
        self.used = True
        try:
            self._conn.send(message)
        except OSError as exc:  # the worker died
            raise RuntimeError(f"speech worker died ({exc})") from exc

    def close(self) -> None:
        try:
            if self.used:
                self._conn.send(None)
                self._process.join(timeout=5)
        except OSError:
            pass
        if self._process.is_alive():  # never needed (most builds): no reason to wait for it
            self._process.terminate()
            self._process.join(timeout=5)
        self._conn.close()


def _serve(conn: Any, factory: EngineFactory) -> None:
    from pipeline.stages import speech_worker

    # Ctrl-C reaches the whole process group: the build reports it and ends this worker.
    signal.signal(signal.SIGINT, signal.SIG_IGN)

    speech_worker.init(factory)
    import mutagen.id3  # noqa: F401  (loaded now, not when the section is tagged)
    import numpy  # noqa: F401

    while True:
        try:
            message = conn.recv()
        except EOFError:
            return
        if message is None:
            return
        try:
            if message == _VOICES:
                conn.send((True, speech_worker.voice_ids()))
            else:
                conn.send((True, speech_worker.speak_job(message)))
        except Exception as exc:
            conn.send((False, str(exc) or type(exc).__name__))


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
