"""pyttsx3 on the espeak-ng library bundled by the ``espeakng-loader`` wheel.

pyttsx3 2.99's espeak driver loses files when driven naively (see DESIGN.md, "Speech"): the
first ``runAndWait()`` after ``init()`` returns before the file exists, property changes queued
while the driver is busy are dropped by the next ``stop()``, only the last of several queued
``save_to_file`` calls is written, and an empty ``runAndWait()`` re-synthesizes the previous
text. :class:`EspeakEngine` therefore follows the one sequence measured to be reliable (800 of
800 files): wait until ``IsPlaying()`` is false after ``init()``, one empty warm-up
``runAndWait()``, wait after every ``setProperty`` and every ``runAndWait()``, one
``save_to_file`` per ``runAndWait()``, read the voice back, and check that the WAV has frames.

espeak-ng can be initialised once per process and pyttsx3 is not thread-safe: create one engine
per worker process (spawn or forkserver; forking a process that has initialised it deadlocks).
"""
from __future__ import annotations

import contextlib
import ctypes
import io
import multiprocessing.util
import os
import re
import shutil
import struct
import tempfile
import time
import types
import wave
from pathlib import Path

import numpy as np

SAMPLE_RATE = 22050  # what the espeak driver always writes, whatever the file name says
_WAIT_TIMEOUT = 30.0  # seconds; synthesis runs 400x+ real time, so this only catches a hang
_POLL = 0.002


class SpeechEngineError(RuntimeError):
    """The engine could not produce audio for a text (after its own checks)."""


def _load_bundled_espeak() -> None:
    """Make pyttsx3's ``cdll.LoadLibrary("libespeak-ng.so.1")`` find the wheel's library.

    Loading it first with RTLD_GLOBAL means the dynamic loader hands pyttsx3 this copy (same
    soname) instead of searching the system, so no apt package is needed; ESPEAK_DATA_PATH
    points the library at the wheel's voices, which ``espeak_Initialize`` reads at init.
    """
    import espeakng_loader

    os.environ["ESPEAK_DATA_PATH"] = espeakng_loader.get_data_path()
    ctypes.CDLL(espeakng_loader.get_library_path(), mode=ctypes.RTLD_GLOBAL)


class EspeakEngine:
    """One pyttsx3 espeak engine; ``synthesize`` is the only call stages need."""

    sample_rate = SAMPLE_RATE
    name = "espeak-ng"

    def __init__(self) -> None:
        _load_bundled_espeak()
        import pyttsx3
        from pyttsx3.drivers import _espeak

        self._espeak = _espeak
        self._tmp = Path(tempfile.mkdtemp(prefix="pipeline-tts-"))
        # Pool workers leave through os._exit, which skips atexit; Finalize still runs.
        self._cleanup = multiprocessing.util.Finalize(
            self, shutil.rmtree, args=(str(self._tmp),), kwargs={"ignore_errors": True},
            exitpriority=10)
        self._count = 0
        with _quiet():
            self._engine = pyttsx3.init("espeak")
            self._wait()
            # The first runAndWait() after init() returns early; spend it on nothing.
            self._engine.runAndWait()
            self._wait()
        _skip_idle_sleep(self._engine)
        self.version = self._library_version()
        self._fresh_state = self._state_reset()
        # pyttsx3 2.99 declares espeak_GetParameter(parameter) without its `current` argument,
        # so the library reads a leftover register and may answer the default rate (175)
        # instead of the current one; _set_rate then skipped a change. Ask it properly.
        get = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_int, ctypes.c_int)(
            ("espeak_GetParameter", self._espeak.dll))
        self._current_rate = lambda: get(self._espeak.RATE, 1)

    def voice_ids(self) -> frozenset[str]:
        """Every espeak voice identifier this engine accepts (``gmw/en-us``, ``sit/cmn``...)."""
        return frozenset(v.id for v in self._engine.getProperty("voices"))

    def synthesize(self, text: str, voice: str, rate: int) -> tuple[np.ndarray, int]:
        """Speak ``text`` with ``voice`` at ``rate`` words per minute.

        Returns int16 mono samples and the sample rate. Raises SpeechEngineError when the
        voice does not take or no audio was produced.
        """
        if not text.strip():
            raise SpeechEngineError("nothing to say")
        self._set_voice(voice)
        self._set_rate(rate)
        self._fresh_state()  # the same text, voice and rate give the same samples, always
        self._count += 1
        path = self._tmp / f"{self._count}.wav"
        try:
            with _quiet():  # the driver prints "Audio saved to ..." for every file
                self._engine.save_to_file(_ended(text), str(path))
                self._engine.runAndWait()
                self._wait()
            return self._read_wav(path), SAMPLE_RATE
        finally:
            path.unlink(missing_ok=True)

    def close(self) -> None:
        self._cleanup()

    # -- the reliable sequence -------------------------------------------------------------

    def _wait(self) -> None:
        """Block until espeak's synthesis thread is idle (it runs asynchronously)."""
        deadline = time.monotonic() + _WAIT_TIMEOUT
        while self._espeak.IsPlaying():
            if time.monotonic() > deadline:
                raise SpeechEngineError("espeak-ng did not finish within "
                                        f"{_WAIT_TIMEOUT:.0f} s")
            time.sleep(_POLL)

    def _set_voice(self, voice: str) -> None:
        if (self._engine.getProperty("voice") or "").lower() == voice.lower():
            return
        self._engine.setProperty("voice", voice)
        self._wait()
        # An unknown id fails silently and keeps the previous voice: check what took.
        current = self._engine.getProperty("voice")
        if (current or "").lower() != voice.lower():
            raise SpeechEngineError(f"voice '{voice}' was not accepted by espeak-ng "
                                    f"(still '{current}')")

    def _set_rate(self, rate: int) -> None:
        if self._current_rate() == int(rate):
            return
        self._engine.setProperty("rate", int(rate))
        self._wait()
        current = self._current_rate()
        if current != int(rate):
            raise SpeechEngineError(f"rate {rate} was not accepted (still {current})")

    @staticmethod
    def _read_wav(path: Path) -> np.ndarray:
        if not path.exists():
            raise SpeechEngineError("espeak-ng wrote no file")
        try:
            with wave.open(str(path), "rb") as wav:
                if (wav.getnchannels(), wav.getsampwidth()) != (1, 2):
                    raise SpeechEngineError("unexpected WAV format "
                                            f"({wav.getnchannels()} ch, {wav.getsampwidth()} B)")
                if wav.getframerate() != SAMPLE_RATE:
                    raise SpeechEngineError(f"unexpected sample rate {wav.getframerate()}")
                frames = wav.readframes(wav.getnframes())
        except (wave.Error, EOFError) as exc:
            raise SpeechEngineError(f"unreadable WAV: {exc}") from exc
        samples = np.frombuffer(frames, dtype="<i2").astype(np.int16)
        if samples.size == 0:
            raise SpeechEngineError("espeak-ng wrote a WAV without frames")
        return samples

    def _state_reset(self):
        import espeakng_loader

        from pipeline.tts.espeak_state import EspeakStateReset

        try:
            return EspeakStateReset(self._espeak.dll, espeakng_loader.get_library_path()).reset
        except (OSError, RuntimeError, ValueError, struct.error) as exc:
            raise SpeechEngineError(f"cannot make espeak-ng's output reproducible: {exc}") \
                from exc

    def _library_version(self) -> str:
        try:
            info = self._espeak.dll.espeak_Info
            info.restype = ctypes.c_char_p
            info.argtypes = [ctypes.c_void_p]
            return "espeak-ng " + (info(None) or b"?").decode()
        except (AttributeError, UnicodeDecodeError):
            return "espeak-ng"


def _skip_idle_sleep(engine) -> None:
    """Make pyttsx3's espeak loop look every 0.5 ms instead of every 10 ms.

    In AUDIO_OUTPUT_RETRIEVAL mode espeak-ng synthesizes in its own thread, and pyttsx3's
    loop sleeps 10 ms between looks at whether the callback has ended it: a short sentence
    takes 1-3 ms, so every synthesis took at least 10 ms (half the time of a build that
    speaks sentence by sentence). Once the loop has ended it does not sleep at all."""
    from pyttsx3.drivers import espeak as module

    driver = getattr(getattr(engine, "proxy", None), "_driver", None)
    if driver is None or not hasattr(driver, "_looping") or module.time is not time:
        return  # another pyttsx3 version, or done already: leave it alone
    module.time = types.SimpleNamespace(
        sleep=lambda seconds: time.sleep(min(seconds, _POLL / 4)) if driver._looping else None)


@contextlib.contextmanager
def _quiet():
    """Swallow pyttsx3's prints (stdout is shared with the build's own output)."""
    with contextlib.redirect_stdout(io.StringIO()):
        yield


# A sentence ending in a lone letter and a full stop ("Take vitamin D.", "... an I V.") is not
# ended by espeak-ng 1.52, which takes "D." for an initial: the audio stops without the
# sentence's closing pause (audio_problem then refuses it). A paragraph break after it ends
# it: 1.59 s with the pause instead of 1.00 s without, the same phonemes (espeak-ng -x).
_LONE_LETTER_END = re.compile(r"(?<![^\W_])[^\W\d_]\.[\"'”’»)\]」』）]*\s*\Z")


def _ended(text: str) -> str:
    return text.rstrip() + "\n\n" if _LONE_LETTER_END.search(text) else text
