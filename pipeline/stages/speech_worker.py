"""The speech worker: one engine per process, one section per job (pool workers and the
warm speaker alike).

A job speaks a section's utterances sentence by sentence (their speech text, planned by
audio_plan with speech_text/; tts/sentences.py cuts an over-long one), checks each
piece of audio (not silent, ends in espeak's closing pause: one retry), joins the utterances
with a gap, brings it to even loudness (loudness.py), encodes one MP3, checks that it decodes
to the same length, and stores it untagged in the audio cache with the utterances' timings and
their sentences' boundaries; the parent tags and publishes it. ``serve`` is a worker process's
whole life: it tells the parent which utterance it is speaking, so a job that hangs or crashes
is reported at that segment's line.

On a Dask cluster (cluster_speech.py) the same section is a task, ``speak_remote``: the worker
may be another machine, so it returns the MP3 and its timings instead of writing the cache,
and the build process stores them (``store``). The engine is made on the first task of each
worker process (``_engine_for``), as a pool worker makes it when it starts.
"""
from __future__ import annotations

import io
import json
import pickle
import signal
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable

from pipeline.audio import as_float, audio_problem, encode_mp3
from pipeline.fsutil import write_bytes_atomic
from pipeline.model import SegmentTiming
from pipeline.stages.audio_plan import GAP_SECONDS, SectionJob, Utterance
from pipeline.stages.child_process import die_with_parent
from pipeline.tts import EngineFactory, SpeechEngine
from pipeline.tts.sentences import pieces

if TYPE_CHECKING:
    import numpy as np

MAX_DECODE_ERROR = 0.05  # seconds the decoded MP3 may differ from what was encoded
VOICES = "voices"  # the parent's request for the engine's voice ids

_engine: SpeechEngine | None = None
_engine_error: str = ""


class PartError(RuntimeError):
    """A failure while speaking utterance ``part`` of a job."""

    def __init__(self, part: int, message: str):
        super().__init__(message)
        self.part = part


def init(factory: EngineFactory) -> None:
    """Create this process's one engine; an error is kept and reported by each job."""
    global _engine, _engine_error
    # libsndfile (the encoder) loads before espeak-ng, as it did when this module imported
    # it at the top: loaded after espeak-ng had started, worker processes sometimes died.
    import soundfile  # noqa: F401

    try:
        _engine = factory()
    except Exception as exc:  # reported to the parent, which says it once
        _engine_error = f"{type(exc).__name__}: {exc}"


def serve(conn: Any, factory: EngineFactory, parent_pid: int, preload: bool = False,
          close: Any = None) -> None:
    """A worker process: ("ready", engine error or "") once the engine is loaded, then for
    each job ("part", i) as utterance i starts and ("done", decode error, error, part);
    VOICES gets ("voices", ids); None or a closed pipe ends it. ``close``: the parent's end
    of the pipe, which a forked worker inherited and must not keep open."""
    die_with_parent(parent_pid)
    if close is not None:
        close.close()
    # Ctrl-C reaches the whole process group: the build reports it and ends its workers.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    init(factory)
    if preload:  # loaded now, not when the first section is levelled
        # (mutagen is the build process's: it tags; importing it here cost the first
        # section 0.06 s)
        import pipeline.loudness  # noqa: F401
    conn.send(("ready", _engine_error))
    while True:
        try:
            message = conn.recv()
        except (EOFError, OSError):
            return
        if message is None:
            return
        if message == VOICES:
            conn.send(("voices", voice_ids() if _engine is not None else frozenset()))
            continue
        result = speak_job(message, lambda index: conn.send(("part", index)))
        conn.send(("done", *result))


def _engine_or_error() -> SpeechEngine:
    if _engine is None:
        raise RuntimeError(_engine_error or "no speech engine")
    return _engine


def voice_ids() -> frozenset[str]:
    return _engine_or_error().voice_ids()


def speak_job(job: SectionJob, progress: Callable[[int], None] | None = None
              ) -> tuple[float, str, int]:
    """(decode error in seconds, "", -1) or (0, why it failed, the utterance it failed on
    or -1); never raises."""
    try:
        decode_error, data, meta = _speak_section(_engine_or_error(), job, progress)
        store(job, data, meta)
        return decode_error, "", -1
    except PartError as exc:
        return 0.0, str(exc), exc.part
    except Exception as exc:  # reported by the parent, naming article, locale and section
        return 0.0, str(exc) or type(exc).__name__, -1


class SectionFailed(RuntimeError):
    """A section that failed in a Dask task, raised so that Dask tries it once more; its
    arguments (why, the utterance it failed on) are all it holds, so it pickles."""

    def __init__(self, message: str, part: int = -1):
        super().__init__(message, part)

    @property
    def part(self) -> int:
        return self.args[1]

    def __str__(self) -> str:
        return self.args[0]


_engines: dict[bytes, tuple[SpeechEngine | None, str]] = {}
# One engine per process and pyttsx3 is not thread-safe: a worker with several threads
# speaks one section at a time (the README asks for one thread per worker process).
_engine_lock = threading.Lock()


def speak_remote(job: SectionJob, factory: EngineFactory) -> tuple[float, bytes, bytes]:
    """A Dask task: (decode error, untagged MP3, timings JSON) of ``job``; raises
    SectionFailed (naming this worker when its engine cannot start)."""
    with _engine_lock:
        engine = _engine_for(factory)
        try:
            return _speak_section(engine, job, None)
        except PartError as exc:
            raise SectionFailed(str(exc), exc.part) from None
        except Exception as exc:
            raise SectionFailed(str(exc) or type(exc).__name__) from None


def probe(factory: EngineFactory) -> tuple[str, frozenset[str], str, tuple[str, ...]]:
    """A Dask task run once on each worker before any section: its address, its engine's
    voices, why the engine cannot start ("" when it can) and the versions its audio
    depends on (cluster_speech.versions)."""
    from pipeline.stages.engine_versions import versions

    with _engine_lock:
        try:
            voices, error = _engine_for(factory).voice_ids(), ""
        except SectionFailed as exc:
            voices, error = frozenset(), str(exc)
    return worker_address(), voices, error, versions()


def _engine_for(factory: EngineFactory) -> SpeechEngine:
    """This process's engine for ``factory``, made by the first task that needs it."""
    key = pickle.dumps(factory)  # each task unpickles its own copy of the factory
    if key not in _engines:
        import soundfile  # noqa: F401  (before espeak-ng: see init)

        try:
            _engines[key] = (factory(), "")
        except Exception as exc:
            _engines[key] = (None, f"{type(exc).__name__}: {exc}")
    engine, error = _engines[key]
    if engine is None:
        raise SectionFailed(f"the speech engine cannot start on Dask worker "
                            f"{worker_address()}: {error}")
    return engine


def worker_address() -> str:
    try:
        from distributed import get_worker

        return get_worker().address
    except (ImportError, ValueError):  # not in a Dask worker
        return "(not a Dask worker)"


def store(job: SectionJob, data: bytes, meta: bytes) -> None:
    """A section's untagged MP3 and its timings into the audio cache, atomically.

    The cached file has no tags: the same speech under another section or article (a rename,
    a move) is reused as is, and only the tags differ.
    """
    cache = Path(job.cache)
    write_bytes_atomic(cache, data)  # the MP3 first: the .json marks a complete entry
    write_bytes_atomic(cache.with_suffix(".json"), meta)


def _speak_section(engine: SpeechEngine, job: SectionJob,
                   progress: Callable[[int], None] | None) -> tuple[float, bytes, bytes]:
    """Synthesize, verify, join and encode one section: (decode error, MP3, timings JSON)."""
    import numpy as np
    import soundfile

    parts: list[np.ndarray] = []
    sentences: list[list[tuple[str, int]]] = []  # per utterance: (sentence, samples)
    rates = set()
    for index, utterance in enumerate(job.utterances):
        if progress is not None:
            progress(index)
        try:
            samples, spoken, rate = _speak_utterance(engine, utterance)
        except Exception as exc:
            raise PartError(index, str(exc) or type(exc).__name__) from exc
        parts.append(samples)
        sentences.append(spoken)
        rates.add(rate)
    if len(rates) != 1:  # joining would play some parts at the wrong speed
        raise RuntimeError(f"the engine returned mixed sample rates {sorted(rates)}")
    rate = rates.pop()
    gap = np.zeros(int(round(GAP_SECONDS * rate)), dtype=np.float32)
    timings, bounds = [], []
    position = 0  # in samples, so timings add up exactly to the file's length
    for index, (utterance, samples) in enumerate(zip(job.utterances, parts)):
        length = len(samples) + (len(gap) if index < len(parts) - 1 else 0)
        timings.append(SegmentTiming(utterance.text, utterance.lang, utterance.voice,
                                     position / rate, (position + length) / rate))
        start = position
        for text, count in sentences[index]:
            bounds.append([index, text, start / rate, (start + count) / rate])
            start += count
        position += length
    from pipeline.loudness import even_loudness  # numpy: not loaded by a build without audio

    joined = even_loudness(np.concatenate([p for piece in parts for p in (piece, gap)][:-1]),
                           rate)
    data = encode_mp3(joined, rate)
    decoded = soundfile.info(io.BytesIO(data))
    duration = decoded.frames / decoded.samplerate
    decode_error = abs(duration - len(joined) / rate)
    if decode_error > MAX_DECODE_ERROR:
        raise RuntimeError(f"the MP3 decodes to {duration:.3f} s instead of "
                           f"{len(joined) / rate:.3f} s")
    meta = {"duration": round(duration, 3),
            "timings": [[t.text, t.lang, t.voice, t.start, t.end] for t in timings],
            # [utterance index, sentence, start, end]: for text/audio sync
            "sentences": bounds}
    return decode_error, data, json.dumps(meta).encode("utf-8")


def _speak_utterance(engine: SpeechEngine, utterance: Utterance
                     ) -> tuple[np.ndarray, list[tuple[str, int]], int]:
    """One utterance, a sentence (or a piece of a very long one) per synthesis: its samples,
    each sentence with its number of samples, and the sample rate."""
    import numpy as np

    out, spoken, rates = [], [], set()
    for sentence in utterance.spoken:
        count = 0
        for piece in pieces(sentence):
            samples, rate = _synthesize_verified(engine, piece, utterance)
            out.append(samples)
            rates.add(rate)
            count += len(samples)
        spoken.append((sentence, count))
    if not out:
        raise RuntimeError("nothing to say")
    if len(rates) != 1:
        raise RuntimeError(f"the engine returned mixed sample rates {sorted(rates)}")
    return np.concatenate(out), spoken, rates.pop()


def _synthesize_verified(engine: SpeechEngine, text: str, utterance: Utterance
                         ) -> tuple[np.ndarray, int]:
    """Float32 samples that passed the checks; one retry, then an error saying what was wrong."""
    problem = ""
    for attempt in (1, 2):
        try:
            samples, rate = engine.synthesize(text, utterance.voice, utterance.rate)
            samples = as_float(samples)
            problem = audio_problem(samples, rate, text)
        except Exception as exc:  # the engine's own checks (file missing, voice refused...)
            problem = str(exc) or type(exc).__name__
        if not problem:
            return samples, rate
    snippet = text if len(text) <= 40 else text[:37] + "..."
    raise RuntimeError(f"{problem} (voice {utterance.voice}, text \"{snippet}\"; "
                       f"after {attempt} attempts)")
