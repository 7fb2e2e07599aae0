"""The speech worker: one engine per process, one section per job (pool workers and the
warm speaker alike).

A job synthesizes a section's utterances, checks each (silence, implausible length: one
retry), joins them with a gap, encodes one MP3, checks that it decodes to the same length,
and stores it untagged in the audio cache; the parent tags and publishes it.
"""
from __future__ import annotations

import io
import json
from pathlib import Path
from typing import TYPE_CHECKING

from pipeline.audio import as_float, audio_problem, encode_mp3
from pipeline.fsutil import write_bytes_atomic
from pipeline.model import SegmentTiming
from pipeline.stages.audio_plan import GAP_SECONDS, SectionJob, Utterance
from pipeline.tts import EngineFactory, SpeechEngine

if TYPE_CHECKING:
    import numpy as np

MAX_DECODE_ERROR = 0.05  # seconds the decoded MP3 may differ from what was encoded

_engine: SpeechEngine | None = None
_engine_error: str = ""


def init(factory: EngineFactory) -> None:
    """Create this process's one engine; an error is kept and reported by each job."""
    global _engine, _engine_error
    # libsndfile (the encoder) loads before espeak-ng, as it did when this module imported
    # it at the top: loaded after espeak-ng had started, worker processes sometimes died.
    import soundfile  # noqa: F401

    try:
        _engine = factory()
    except Exception as exc:  # an initializer that raises breaks the whole pool
        _engine_error = f"{type(exc).__name__}: {exc}"


def _engine_or_error() -> SpeechEngine:
    if _engine is None:
        raise RuntimeError(_engine_error or "no speech engine")
    return _engine


def voice_ids() -> frozenset[str]:
    return _engine_or_error().voice_ids()


def speak_job(job: SectionJob) -> tuple[float, str]:
    """(decode error in seconds, "") or (0, why it failed); never raises."""
    try:
        return _speak_section(_engine_or_error(), job), ""
    except Exception as exc:  # reported by the parent, naming article, locale and section
        return 0.0, str(exc) or type(exc).__name__


def _speak_section(engine: SpeechEngine, job: SectionJob) -> float:
    """Synthesize, verify, join and encode one section into the audio cache (atomically).

    The cached file has no tags: the same speech under another section or article (a rename,
    a move) is reused as is, and only the tags differ.
    """
    import numpy as np
    import soundfile

    pieces: list[np.ndarray] = []
    rates = set()
    for utterance in job.utterances:
        samples, rate = _synthesize_verified(engine, utterance)
        pieces.append(samples)
        rates.add(rate)
    if len(rates) != 1:  # joining would play some parts at the wrong speed
        raise RuntimeError(f"the engine returned mixed sample rates {sorted(rates)}")
    gap = np.zeros(int(round(GAP_SECONDS * rate)), dtype=np.float32)
    timings = []
    position = 0  # in samples, so timings add up exactly to the file's length
    for index, (utterance, samples) in enumerate(zip(job.utterances, pieces)):
        length = len(samples) + (len(gap) if index < len(pieces) - 1 else 0)
        timings.append(SegmentTiming(utterance.text, utterance.lang, utterance.voice,
                                     position / rate, (position + length) / rate))
        position += length
    joined = np.concatenate([p for piece in pieces for p in (piece, gap)][:-1])
    data = encode_mp3(joined, rate)
    decoded = soundfile.info(io.BytesIO(data))
    duration = decoded.frames / decoded.samplerate
    decode_error = abs(duration - len(joined) / rate)
    if decode_error > MAX_DECODE_ERROR:
        raise RuntimeError(f"the MP3 decodes to {duration:.3f} s instead of "
                           f"{len(joined) / rate:.3f} s")
    meta = {"duration": round(duration, 3),
            "timings": [[t.text, t.lang, t.voice, t.start, t.end] for t in timings]}
    cache = Path(job.cache)
    write_bytes_atomic(cache, data)  # the MP3 first: the .json marks a complete entry
    write_bytes_atomic(cache.with_suffix(".json"), json.dumps(meta).encode("utf-8"))
    return decode_error


def _synthesize_verified(engine: SpeechEngine, utterance: Utterance) -> tuple[np.ndarray, int]:
    """Float32 samples that passed the checks; one retry, then an error saying what was wrong."""
    problem = ""
    for attempt in (1, 2):
        try:
            samples, rate = engine.synthesize(utterance.text, utterance.voice, utterance.rate)
            samples = as_float(samples)
            problem = audio_problem(samples, rate, utterance.text, utterance.lang, utterance.rate)
        except Exception as exc:  # the engine's own checks (file missing, voice refused...)
            problem = str(exc) or type(exc).__name__
        if not problem:
            return samples, rate
    snippet = utterance.text if len(utterance.text) <= 40 else utterance.text[:37] + "..."
    raise RuntimeError(f"{problem} (voice {utterance.voice}, text \"{snippet}\"; "
                       f"after {attempt} attempts)")
